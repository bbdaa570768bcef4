"""Knappval on the dashboard: calls that pressed 4 (bygg) and 6 (connect to a person) in Karlskoga's
phone menu come in from the telephony, and the supervisor sees them per choice, named from the
directory, with the calls per hour of the chosen choice."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in, token_of
from tests.helpers import eventually

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CONNECTOR = {"X-Connector-Key": "dev-connector-key"}
KARLSKOGA = "+4658681000"


async def test_the_supervisor_sees_calls_per_menu_choice_and_hour(visit: Any, api: Any) -> None:
    marker = uuid.uuid4().hex[:8]
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    answered = (at + timedelta(seconds=30)).isoformat()
    events = [
        {"event": "call.offered", "call_id": f"ivr-{marker}-1", "at": at.isoformat(), "ivr_choice": "4",
         "to": KARLSKOGA, "from": "+46701112233"},
        {"event": "call.answered", "call_id": f"ivr-{marker}-1", "at": answered, "wait_seconds": 30},
        {"event": "call.offered", "call_id": f"ivr-{marker}-2", "at": at.isoformat(), "ivr_choice": "6",
         "to": KARLSKOGA},
    ]  # fmt: skip
    async with api() as client:
        token = await token_of(client, "supervisor")
    async with api(token) as client:
        params = {"organization": "karlskoga", "from": f"{at:%Y-%m-01}"}

        async def by_choice() -> dict[str, dict[str, Any]]:
            body = (await client.get("/v1/stats/ivr-choices", params=params)).json()
            return {row["choice"]: row for row in body["choices"]}

        before = await by_choice()
        posted = await client.post("/v1/channels/phone/events", headers=CONNECTOR, json=events)
        assert posted.status_code == 202, posted.text

        def count(rows: dict[str, dict[str, Any]], choice: str, name: str) -> int:
            return int(rows.get(choice, {}).get(name, 0))

        async def counted() -> dict[str, dict[str, Any]] | None:
            now = await by_choice()
            grown = count(now, "4", "answered") > count(before, "4", "answered")
            connected = count(now, "6", "transferred") > count(before, "6", "transferred")
            return now if grown and connected else None

        await eventually(counted)

    v = await visit()
    page = v.page
    await log_in(v, "supervisor")
    await page.get_by_role("link", name="Statistik").click()
    await page.get_by_label("Organisation", exact=True).select_option(label="Karlskoga kommun")
    card = page.get_by_role("region", name="Knappval i telefonin")
    bygg = card.get_by_role("row", name=re.compile(r"^4 – Bygg, gata, park och miljö"))
    await expect(bygg).to_be_visible()
    await expect(card.get_by_role("row", name=re.compile(r"^6 – Koppla till person"))).to_be_visible()
    await expect(card.get_by_role("row", name=re.compile(r"^Totalt"))).to_be_visible()

    await card.get_by_label("Visa diagrammen för").select_option(label="4 – Bygg, gata, park och miljö")
    hourly = card.get_by_role("figure", name="Samtal per timme")
    await hourly.get_by_text("Visa som tabell").click()
    hour = f"{at.astimezone(ZoneInfo('Europe/Stockholm')).hour:02d}"
    row = hourly.get_by_role("row", name=re.compile(f"^{hour} "))
    await expect(row).to_be_visible()
    assert int(re.sub(r"\D", "", (await row.get_by_role("cell").inner_text()))) >= 1
    await assert_accessible(page, "the dashboard's knappval")
