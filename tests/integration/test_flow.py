"""One contact in, one routed case out: the whole system through its public HTTP interfaces."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from lotsen.devserver.stack import SERVICES, Stack
from tests.helpers import demo_login, eventually

pytestmark = pytest.mark.integration


async def test_every_service_is_ready(stack: Stack) -> None:
    async with httpx.AsyncClient() as client:
        for name in SERVICES:
            ready = await client.get(f"{stack.url(name)}/readyz")
            assert ready.status_code == 200, (name, ready.text)
            assert ready.json()["checks"] == {"kafka": True, "mongodb": True, "consumers": True}


async def test_a_web_form_becomes_a_routed_numbered_case_counted_by_stats(stack: Stack) -> None:
    marker = uuid.uuid4().hex[:8]
    async with httpx.AsyncClient(timeout=10) as client:
        headers = await demo_login(client, stack)
        supervisor = await demo_login(client, stack, "supervisor")  # the figures are not an agent's
        before = (
            await client.get(
                f"{stack.url('stats')}/v1/stats/volumes", params={"group_by": "channel"}, headers=supervisor
            )
        ).json()

        posted = await client.post(
            f"{stack.url('intake')}/v1/contacts/webform",
            headers={"X-Connector-Key": "dev-connector-key"},
            json={
                "form_id": "kontakta-oss",
                "organization": "karlskoga",
                "name": "Sara Öberg",
                "email": "sara@example.se",
                "subject": f"Bygglov för altan {marker}",
                "message": "Behöver jag bygglov för en altan på 25 kvm?",
                "category_hint": "bygglov",
            },
        )
        assert posted.status_code == 202
        assert posted.json()["contact_id"]

        async def our_case() -> dict[str, object] | None:
            page = (await client.get(f"{stack.url('casestore')}/v1/cases", headers=headers)).json()
            return next((c for c in page["items"] if marker in (c["subject"] or "")), None)

        case = await eventually(our_case)
        assert re.fullmatch(rf"KGA-{datetime.now(UTC).year}-\d{{6}}", str(case["ref"]))
        assert case["status"] == "new"
        assert case["category"] == "bygglov"
        assert case["department"] == "samhallsbyggnad"
        assert case["answer_group"] == "bygg-miljo"
        assert case["handled_by"] == "first_line"

        def webform_count(volumes: dict[str, object]) -> int:
            groups = volumes["groups"]
            assert isinstance(groups, list)
            return next((g["count"] for g in groups if g["key"] == "webform"), 0)

        async def counted() -> bool:
            after = (
                await client.get(
                    f"{stack.url('stats')}/v1/stats/volumes",
                    params={"group_by": "channel"},
                    headers=supervisor,
                )
            ).json()
            return after["total"] == before["total"] + 1 and webform_count(after) == webform_count(before) + 1

        assert await eventually(counted)


async def test_a_case_opened_on_the_phone_is_numbered_at_once_and_counted_by_stats(stack: Stack) -> None:
    marker = uuid.uuid4().hex[:8]
    async with httpx.AsyncClient(timeout=10) as client:
        headers = await demo_login(client, stack)
        supervisor = await demo_login(client, stack, "supervisor")

        async def phone_count() -> int:
            volumes = (
                await client.get(
                    f"{stack.url('stats')}/v1/stats/volumes",
                    params={"group_by": "channel"},
                    headers=supervisor,
                )
            ).json()
            return next((g["count"] for g in volumes["groups"] if g["key"] == "phone"), 0)

        before = await phone_count()
        created = await client.post(
            f"{stack.url('casestore')}/v1/cases",
            headers=headers,
            json={
                "organization": "degerfors",
                "channel": "phone",
                "category": "bygglov",
                "subject": f"Altan {marker}",
                "message": "Ringde om bygglov för en altan.",
                "phone": "+46701234567",
            },
        )
        assert created.status_code == 201, created.text
        case = created.json()
        assert re.fullmatch(rf"DEG-{datetime.now(UTC).year}-\d{{6}}", case["ref"])
        assert len(case["access_code"]) == 10
        public = await client.get(
            f"{stack.url('casestore')}/v1/public/cases/{case['ref']}", params={"code": case["access_code"]}
        )
        assert public.status_code == 200 and public.json()["ref"] == case["ref"]

        async def counted() -> bool:
            return await phone_count() == before + 1

        assert await eventually(counted)


async def test_a_retried_form_with_the_same_key_is_one_case(stack: Stack) -> None:
    marker = uuid.uuid4().hex[:8]
    body = {
        "form_id": "synpunkt",
        "organization": "degerfors",
        "subject": f"Beröm {marker}",
        "message": "Tack för en snabb och vänlig hjälp i receptionen!",
    }
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    async with httpx.AsyncClient(timeout=10) as client:
        first = await client.post(f"{stack.url('intake')}/v1/contacts/webform", json=body, headers=headers)
        second = await client.post(f"{stack.url('intake')}/v1/contacts/webform", json=body, headers=headers)
        assert first.status_code == second.status_code == 202
        assert first.json() == second.json()

        auth = await demo_login(client, stack)

        async def ours() -> list[dict[str, object]]:
            page = (
                await client.get(f"{stack.url('casestore')}/v1/cases", params={"limit": 200}, headers=auth)
            ).json()
            return [c for c in page["items"] if marker in (c["subject"] or "")]

        cases = await eventually(ours)
        assert len(cases) == 1
        assert str(cases[0]["ref"]).startswith("DEG-")


async def test_consumer_lag_is_exposed_for_prometheus(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=10) as client:

        async def lag_lines() -> list[str]:
            text = (await client.get(f"{stack.url('casestore')}/metrics")).text
            return [line for line in text.splitlines() if line.startswith("lotsen_consumer_lag{")]

        lines = await eventually(lag_lines)
    assert any('group="lotsen-casestore"' in line and 'topic="contacts.routed"' in line for line in lines)
