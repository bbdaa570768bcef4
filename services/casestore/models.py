"""The case as the API shows it (DESIGN §4), and request bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CASE_EXAMPLE: dict[str, Any] = {
    "ref": "KGA-2026-000123",
    "organization": "karlskoga",
    "status": "open",
    "channel": "email",
    "subject": "Fråga om bygglov för altan",
    "category": "bygglov",
    "department": "samhallsbyggnad",
    "answer_group": "bygg-miljo",
    "handled_by": "first_line",
    "rosa_level": 2,
    "confidential": False,
    "assignee": "agent",
    "created_at": "2026-03-02T07:41:12.000Z",
    "updated_at": "2026-03-02T08:02:40.000Z",
    "first_response_due": "2026-03-04T07:41:12.000Z",
    "due_at": None,
}


class Sweref99TM(BaseModel):
    northing: float = Field(description="metres, EPSG:3006 (N)")
    easting: float = Field(description="metres, EPSG:3006 (E)")


class CasePosition(BaseModel):
    """Where the errand is, from the contact that opened the case (docs/cases.md, "Position")."""

    lat: float | None = Field(None, description="WGS 84 latitude, degrees")
    lon: float | None = Field(None, description="WGS 84 longitude, degrees")
    sweref99tm: Sweref99TM | None = Field(
        None, description="the same point in SWEREF 99 TM; null outside Sweden's grid or without a point"
    )
    address: str | None = Field(None, description="the street address or place as the sender wrote it")
    media_url: str | None = Field(None, description="the sender's photo link (http or https only)")


class CaseRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CASE_EXAMPLE]})

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
    language: str | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution_code: str | None = None
    failure_demand: bool | None = None
    resolved_by_first_line: bool | None = None
    handed_off_by: str | None = None
    links: list[str] = Field(default_factory=list)
    merged_into: str | None = Field(None, description="the case this duplicate was merged into")
    merged_from: list[str] = Field(default_factory=list, description="duplicates merged into this case")
    feedback: dict[str, Any] | None = Field(
        None, description="a synpunkt's kind and the department it concerns (null: the case's own)"
    )
    position: CasePosition | None = Field(
        None, description="where the errand is; null when the contact gave no place (or it was erased)"
    )


class MessageRead(BaseModel):
    key: str
    direction: Literal["inbound", "outbound", "internal"]
    channel: str
    at: datetime
    subject: str | None = None
    text: str
    automatic: bool = False
    kind: str | None = None
    message_id: str | None = Field(None, description="the e-mail Message-ID, ours for outbound messages")
    author: str | None = None
    sender: dict[str, Any] | None = None
    attachments: list[dict[str, Any]] = Field(default_factory=list)
    delivery: dict[str, Any] | None = None
    merged_from: str | None = Field(None, description="the duplicate this message was merged in from")


class CaseDetail(CaseRead):
    """One case with its messages across channels and the citizen's contact details."""

    messages: list[MessageRead] = Field(default_factory=list)
    citizen: dict[str, Any] | None = None
    routing: dict[str, Any] | None = None


class SearchMatch(BaseModel):
    """Where a search's words were found in the case (docs/cases.md, "Queues and search")."""

    field: Literal["subject", "message", "sender", "reference", "reply", "attachment", "note"]
    snippet: str | None = Field(
        description="plain text around the first match; null for a confidential case's message or note"
    )
    highlights: list[tuple[int, int]] = Field(
        description="the matched words in `snippet`, as [start, end) offsets in Unicode code points"
    )
    score: int | None = Field(None, description="the rank's score, higher first; null past the ranking")


class CaseListItem(CaseRead):
    match: SearchMatch | None = Field(None, description="with `q`: where its words were found")

    @model_validator(mode="after")
    def _confidential_position_only_in_a_logged_read(self) -> CaseListItem:
        # As a confidential case's message text in a search excerpt: its place is shown only where
        # the read is written to its timeline, GET /v1/cases/{ref}.
        if self.confidential:
            self.position = None
        return self


class CasePage(BaseModel):
    items: list[CaseListItem]
    next_cursor: str | None


class TimelineEntry(BaseModel):
    seq: int
    at: str
    actor: str
    type: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


class Verification(BaseModel):
    ok: bool
    entries: int
    first_broken: int | None


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class MessageCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "reply", "text": "Hej! Du behöver inte bygglov för …", "channel": None}]
        }
    )
    kind: Literal["reply", "note"]
    text: str = Field(min_length=1, max_length=20_000)
    channel: Literal["email", "facebook", "phone", "letter"] | None = Field(
        None, description="how to reach the citizen; the channel they used when absent"
    )


class AssignRequest(BaseModel):
    assignee: str | None = Field(description="user name; null releases the case")


class HandoffRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"department": "samhallsbyggnad", "reason": "Kräver bygglovshandläggare"}]
        }
    )
    department: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)


class ReasonRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class ReopenRequest(BaseModel):
    reason: str | None = Field(None, max_length=2000)


class ResolveRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"resolution_code": "answered", "failure_demand": False}]}
    )
    resolution_code: str = Field(min_length=1, max_length=64)
    failure_demand: bool = False


REF_PATTERN = r"^[A-Z]{2,6}-\d{4}-\d{6}$"


class LinkRequest(BaseModel):
    ref: str = Field(pattern=REF_PATTERN)


class MergeRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"into": "KGA-2026-000123"}]})
    into: str = Field(pattern=REF_PATTERN, description="the case that carries the errand on")
