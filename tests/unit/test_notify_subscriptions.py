"""Department subscriptions: admin only, validated, and the secret never shown again."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from lotsen.kafka.memory import InMemoryBus
from services.notify.app import create_app
from services.notify.settings import NotifySettings
from tests.helpers import running
from tests.notify_support import FakeDns


@pytest.fixture
async def notify(bus: InMemoryBus, dev_env: None) -> AsyncIterator[httpx.AsyncClient]:
    dns = FakeDns()
    dns.names["sbf.karlskoga.example"] = ["93.184.216.34"]  # a public address
    app = create_app(NotifySettings(), publisher=bus, run_consumers=False, resolve=dns)
    async with running(app) as client:
        yield client


async def test_an_admin_manages_subscriptions(
    notify: httpx.AsyncClient, token_for: Callable[..., str]
) -> None:
    admin = {"Authorization": f"Bearer {token_for('admin')}"}
    body = {
        "department": "samhallsbyggnad",
        "organization": "karlskoga",
        "url": "https://sbf.karlskoga.example/lotsen",
        "secret": "0123456789abcdef0123",
        "event_types": ["case.handed_off", "case.reminder_due"],
    }
    created = await notify.post("/v1/subscriptions", json=body, headers=admin)
    assert created.status_code == 201
    sub = created.json()
    assert "secret" not in sub
    assert (sub["organization"], sub["department"]) == ("karlskoga", "samhallsbyggnad")
    listed = (await notify.get("/v1/subscriptions", headers=admin)).json()
    assert [s["id"] for s in listed] == [sub["id"]]
    assert (await notify.delete(f"/v1/subscriptions/{sub['id']}", headers=admin)).status_code == 204
    assert (await notify.get("/v1/subscriptions", headers=admin)).json() == []
    assert (await notify.delete(f"/v1/subscriptions/{sub['id']}", headers=admin)).status_code == 404


async def test_subscriptions_are_for_admins_and_validated(
    notify: httpx.AsyncClient, token_for: Callable[..., str]
) -> None:
    agent = {"Authorization": f"Bearer {token_for('agent')}"}
    admin = {"Authorization": f"Bearer {token_for('admin')}"}
    assert (await notify.get("/v1/subscriptions", headers=agent)).status_code == 403
    assert (await notify.get("/v1/subscriptions")).status_code == 401
    bad = {"department": "skola", "url": "not a url", "secret": "short", "event_types": ["case.exploded"]}
    response = await notify.post("/v1/subscriptions", json=bad, headers=admin)
    assert response.status_code == 422
    fields = {p["field"] for p in response.json()["error"]["details"]}
    assert {"url", "secret", "event_types.0"} <= fields
