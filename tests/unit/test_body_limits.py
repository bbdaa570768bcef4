"""Every service refuses a request body over its limit before reading it into memory (413)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.kafka.memory import InMemoryBus
from services.casestore.app import create_app as casestore_app
from services.casestore.settings import CasestoreSettings
from services.notify.app import create_app as notify_app
from services.notify.settings import NotifySettings
from services.routing.app import create_app as routing_app
from services.routing.settings import RoutingSettings
from services.stats.app import create_app as stats_app
from services.stats.settings import StatsSettings
from tests.helpers import running
from tests.intake_support import intake_on

MB = 1024 * 1024

# Each service with an endpoint that takes a JSON body (stats takes none: any body is refused).
SERVICES: dict[str, tuple[Callable[..., FastAPI], type[Any], str, str]] = {
    "casestore": (casestore_app, CasestoreSettings, "POST", "/v1/cases"),
    "notify": (notify_app, NotifySettings, "POST", "/v1/subscriptions"),
    "routing": (routing_app, RoutingSettings, "POST", "/v1/rules/simulate"),
    "stats": (stats_app, StatsSettings, "GET", "/v1/stats/volumes"),
}


@pytest.fixture(params=sorted(SERVICES))
async def service(
    request: pytest.FixtureRequest, bus: InMemoryBus, dev_env: None
) -> AsyncIterator[tuple[Any, ...]]:
    create, settings, method, path = SERVICES[request.param]
    app = create(settings(), publisher=bus, run_consumers=False)
    async with running(app) as client:
        yield client, method, path


def json_of_size(size: int) -> bytes:
    return b'{"text": "' + b"a" * (size - 12) + b'"}'


def assert_refused_with_the_limit(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == "too_large"
    assert "1.0 MB" in error["message"]
    assert error["details"] == {"limit_bytes": MB}


async def test_a_declared_body_over_the_limit_is_refused_unread(service: tuple[Any, ...]) -> None:
    client, method, path = service
    response = await client.request(
        method, path, content=json_of_size(60 * MB), headers={"Content-Type": "application/json"}
    )
    assert_refused_with_the_limit(response)


async def test_a_chunked_body_is_refused_once_it_passes_the_limit(service: tuple[Any, ...]) -> None:
    client, method, path = service
    if method == "GET":
        pytest.skip("stats reads no request body at all, so none is taken into memory")
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"text": "'
        for _ in range(64):  # 4 MB in all, if all of it were read
            sent += 64 * 1024
            yield b"a" * (64 * 1024)
        yield b'"}'

    response = await client.request(
        method, path, content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_refused_with_the_limit(response)
    assert sent < 2 * MB, "the rest of the body was not read"


async def test_the_limit_is_a_setting_of_each_service(
    bus: InMemoryBus, dev_env: None, token_for: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUTING_MAX_BODY_BYTES", "2048")
    app = routing_app(RoutingSettings(), publisher=bus, run_consumers=False)
    contact = b'{"channel": "email", "organization": "karlskoga", "text": "Hej"}'
    headers = {"Authorization": f"Bearer {token_for('admin')}", "Content-Type": "application/json"}
    async with running(app) as client:
        assert (await client.post("/v1/rules/simulate", content=contact, headers=headers)).status_code == 200
        refused = await client.post("/v1/rules/simulate", content=json_of_size(4096), headers=headers)
    assert refused.status_code == 413
    assert "2 kB" in refused.json()["error"]["message"]


async def test_intake_keeps_its_own_larger_limit_for_e_mail(bus: InMemoryBus, dev_env: None) -> None:
    async with intake_on(bus) as intake:
        settings = intake.app.state.settings
        assert settings.max_request_bytes == settings.email_max_message_bytes == 25 * MB
        response = await intake.client.post(
            "/v1/contacts/email",
            content=b"x" * (26 * MB),
            headers={"Content-Type": "message/rfc822", "X-Connector-Key": "dev-connector-key"},
        )
    assert response.status_code == 413
    assert "25.0 MB" in response.json()["error"]["message"]
