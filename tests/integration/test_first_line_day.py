"""The first line's day across Kafka: what an agent or supervisor does in casestore reaches the
departments' systems through notify and the figures through stats, on the running system."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from lotsen.calendar import STOCKHOLM
from lotsen.devserver.stack import Stack
from tests.helpers import demo_login, eventually
from tests.notify_support import SECRET, Receiver, signed_correctly

pytestmark = pytest.mark.integration


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


async def test_a_crisis_notice_reaches_the_web_sites_webhook_and_the_citizen_pages(
    stack: Stack, receiver: Receiver
) -> None:
    title = f"Vattenläcka {uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(timeout=10) as client:
        admin, supervisor = (
            await demo_login(client, stack, "admin"),
            await demo_login(client, stack, "supervisor"),
        )
        subscribed = await client.post(
            f"{stack.url('notify')}/v1/subscriptions",
            headers=admin,
            json={
                "department": "ledningskontoret",
                "organization": "karlskoga",
                "url": receiver.url,
                "secret": SECRET,
                "event_types": ["notice.published", "notice.withdrawn"],
            },
        )
        assert subscribed.status_code == 201, subscribed.text
        published = await client.post(
            f"{stack.url('casestore')}/v1/kb/notices",
            headers=supervisor,
            json={
                "organization": "karlskoga",
                "title": {"sv": title, "en": "Water leak"},
                "text": {"sv": "Kokavisering gäller i Bofors.", "en": "Boil your water in Bofors."},
                "ends_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
            },
        )
        assert published.status_code == 201, published.text
        notice_id = published.json()["id"]

        public = await client.get(
            f"{stack.url('casestore')}/v1/public/notices", params={"organization": "karlskoga"}
        )
        assert public.status_code == 200 and title in public.text

        def hooks_of(kind: str) -> list[dict[str, Any]]:
            bodies = [json.loads(r.body) for r in receiver.requests if signed_correctly(r.headers, r.body)]
            return [b for b in bodies if b["type"] == kind and b["data"]["notice_id"] == notice_id]

        async def announced() -> list[dict[str, Any]]:
            return hooks_of("notice.published")

        [hook] = await eventually(announced)
        assert hook["organization"] == "karlskoga" and title in json.dumps(hook, ensure_ascii=False)

        withdrawn = await client.post(
            f"{stack.url('casestore')}/v1/kb/notices/{notice_id}/withdraw", headers=supervisor
        )
        assert withdrawn.status_code == 200, withdrawn.text

        async def withdrawal() -> list[dict[str, Any]]:
            return hooks_of("notice.withdrawn")

        await eventually(withdrawal)


async def test_a_corrected_case_is_counted_under_its_new_category(stack: Stack) -> None:
    marker = uuid.uuid4().hex[:8]
    async with httpx.AsyncClient(timeout=10) as client:
        agent, supervisor = (
            await demo_login(client, stack, "agent"),
            await demo_login(client, stack, "supervisor"),
        )
        today = datetime.now(STOCKHOLM).date().isoformat()  # stats' days are Karlskoga's local days
        params = {"group_by": "category", "from": today, "to": today, "organization": "karlskoga"}

        async def by_category() -> dict[str, int]:
            response = await client.get(
                f"{stack.url('stats')}/v1/stats/volumes", params=params, headers=supervisor
            )
            assert response.status_code == 200, response.text
            return {g["key"]: g["count"] for g in response.json()["groups"]}

        posted = await client.post(
            f"{stack.url('intake')}/v1/contacts/webform",
            headers={"X-Connector-Key": "dev-connector-key"},
            json={
                "form_id": "kontakta-oss",
                "organization": "karlskoga",
                "email": "sara@example.se",
                "subject": f"Bygglov för altan {marker}",
                "message": "Behöver jag bygglov för en altan på 25 kvm?",
                "category_hint": "bygglov",
            },
        )
        assert posted.status_code == 202, posted.text

        async def our_case() -> dict[str, Any] | None:
            page = await client.get(f"{stack.url('casestore')}/v1/cases", params={"q": marker}, headers=agent)
            return next(iter(page.json()["items"]), None)

        case = await eventually(our_case)
        assert case["category"] == "bygglov"

        async def counted_as_bygglov() -> dict[str, int] | None:
            counts = await by_category()
            return counts if counts.get("bygglov") else None

        before = await eventually(counted_as_bygglov)
        corrected = await client.post(
            f"{stack.url('casestore')}/v1/cases/{case['ref']}/recategorise",
            headers=agent,
            json={"category": "ritningsarkiv", "reason": "Frågan gäller gamla ritningar"},
        )
        assert corrected.status_code == 200, corrected.text
        assert corrected.json()["category"] == "ritningsarkiv"

        async def moved() -> dict[str, int] | None:
            counts = await by_category()
            return counts if counts.get("ritningsarkiv", 0) == before.get("ritningsarkiv", 0) + 1 else None

        after = await eventually(moved)
        assert after.get("bygglov", 0) == before["bygglov"] - 1
