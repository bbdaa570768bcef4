"""The case as the API shows it (DESIGN §4), and request bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class CaseRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ref": "KGA-2026-000123",
                    "organization": "karlskoga",
                    "status": "new",
                    "channel": "webform",
                    "subject": "Fakturafråga",
                    "category": "ovriga-arenden",
                    "department": None,
                    "answer_group": "ovrigt",
                    "handled_by": "first_line",
                    "rosa_level": 1,
                    "confidential": False,
                    "assignee": None,
                    "created_at": "2026-03-02T08:41:12Z",
                    "updated_at": "2026-03-02T08:41:12Z",
                    "first_response_due": "2026-03-04T08:41:12Z",
                    "due_at": None,
                }
            ]
        }
    )

    ref: str
    organization: str
    status: str
    channel: str
    subject: str | None
    category: str
    department: str | None
    answer_group: str | None
    handled_by: str
    rosa_level: int
    confidential: bool
    assignee: str | None
    created_at: datetime
    updated_at: datetime
    first_response_due: datetime | None
    due_at: datetime | None
    received_at: datetime | None = None
    priority: str | None = None


class CasePage(BaseModel):
    items: list[CaseRead]
    next_cursor: str | None


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
