"""Casestore test support: routed contacts as routing would publish them, and a running casestore."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.auth import Role, issue_token
from lotsen.contracts import ContactRouted
from lotsen.contracts.contacts import ContactRoutedData
from lotsen.directory import directory_from
from lotsen.kafka.memory import InMemoryBus
from lotsen.settings import ServiceSettings
from services.casestore.app import create_app
from services.casestore.intake import make_handler
from services.casestore.settings import CasestoreSettings
from tests.helpers import running


def routed(
    contact_id: str,
    *,
    category: str = "ovriga-arenden",
    department: str | None = None,
    confidential: bool = False,
    handled_by: str = "first_line",
    **extra: Any,
) -> ContactRouted:
    return ContactRouted(
        producer="routing",
        organization=extra.pop("organization", "karlskoga"),
        data=ContactRoutedData.model_validate(
            {
                "contact_id": contact_id,
                "channel": "webform",
                "received_at": extra.pop("received_at", datetime(2026, 3, 2, 8, 41, tzinfo=UTC)),
                "subject": "Fråga",
                "text": "Hej!",
                "sender": {"name": "Erik Nilsson", "email": "erik@example.se"},
                "decision": {
                    "handled_by": handled_by,
                    "answer_group": "ovrigt",
                    "department": department,
                    "category": category,
                    "rosa_level": 1,
                    "confidential": confidential,
                    "ruleset_version": 1,
                    "matched_rules": [],
                    "explanation": "test",
                },
                **extra,
            }
        ),
    )


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    application = create_app(CasestoreSettings(), publisher=bus, run_consumers=False)
    async with running(application) as client:
        application.state.client = client
        yield application


@pytest.fixture
def client(app: FastAPI) -> httpx.AsyncClient:
    return app.state.client  # type: ignore[no-any-return]


@pytest.fixture
def handle(app: FastAPI) -> Callable[[ContactRouted], Any]:
    return make_handler(  # type: ignore[no-any-return]
        cases=app.state.cases, directory=directory_from(), settings=app.state.settings
    )


async def login(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await client.post("/v1/auth/token", data={"username": username, "password": "lotsen-demo"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    return {"Authorization": f"Bearer {body['access_token']}"}


def bearer(
    role: Role, *, organizations: tuple[str, ...] = (), departments: tuple[str, ...] = (), subject: str = ""
) -> dict[str, str]:
    """Headers with a token as an identity provider would issue it, for callers with no demo account."""
    token = issue_token(
        ServiceSettings(env="dev"),
        subject=subject or f"{role}@{'+'.join(organizations) or 'all'}",
        role=role,
        departments=departments,
        organizations=organizations,
    )
    return {"Authorization": f"Bearer {token}"}
