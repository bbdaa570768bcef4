"""Mål per organisation: an administrator sets Degerfors' answer-rate target on the admin page, and
the dashboard, over every organisation, shows Degerfors' answer rate against it."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in, token_of

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CONNECTOR = {"X-Connector-Key": "dev-connector-key"}
DEGERFORS_NUMBER = "+4658647000"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


async def degerfors_calls(client: Any, marker: str) -> None:
    """Three calls answered after 20 s and one abandoned after 40 s, to Degerfors' number."""
    now = datetime.now(UTC)
    events = []
    for i in range(4):
        at = now - timedelta(minutes=10 - i)
        call = {"call_id": f"{marker}-{i}", "answer_group": "bygg-miljo", "from": "+46701234567",
                "to": DEGERFORS_NUMBER}  # fmt: skip
        outcome = "call.abandoned" if i == 3 else "call.answered"
        wait = 40 if i == 3 else 20
        events += [
            {**call, "event": "call.offered", "at": at.isoformat()},
            {
                **call,
                "event": outcome,
                "at": (at + timedelta(seconds=wait)).isoformat(),
                "wait_seconds": wait,
            },
        ]
    response = await client.post("/v1/channels/phone/events", headers=CONNECTOR, json=events)
    assert response.status_code == 202, response.text


async def degerfors_answer_rate(client: Any, at_least: int) -> dict[str, Any]:
    """Degerfors' answer rate this tertial (the dashboard's first period), once stats has counted
    ``at_least`` offered calls."""
    today = datetime.now(UTC).astimezone(STOCKHOLM).date()
    first = date(today.year, (today.month - 1) // 4 * 4 + 1, 1)
    params = {"organization": "degerfors", "from": first.isoformat()}
    for _ in range(100):
        body: dict[str, Any] = (await client.get("/v1/stats/answer-rate", params=params)).json()
        if body.get("offered", 0) >= at_least:
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"stats did not count Degerfors' calls: {body}")


async def test_an_administrator_sets_degerfors_target_and_the_dashboard_measures_degerfors_by_it(
    visit: Any, api: Any
) -> None:
    async with api() as client:
        await degerfors_calls(client, f"t{uuid.uuid4().hex[:7]}")
        token = await token_of(client, "admin")
    v = await visit()
    page = v.page
    await log_in(v, "admin")
    try:
        await page.get_by_role("link", name="Mål", exact=True).click()
        await page.get_by_label("Organisation").select_option(label="Degerfors kommun")
        whole = page.get_by_role("group", name="Hela Degerfors kommun")
        await expect(whole.get_by_text("Tomt: 95 %")).to_be_visible()  # the setting, until it is set
        await whole.get_by_label("Svarsfrekvens (%)").fill("101")
        await page.get_by_role("button", name="Spara mål").click()
        await expect(whole.get_by_text("Skriv en andel mellan 0 och 100 procent")).to_be_visible()
        await whole.get_by_label("Svarsfrekvens (%)").fill("85")
        await page.get_by_role("button", name="Spara mål").click()
        await expect(
            page.get_by_role("main").get_by_text("Målen för Degerfors kommun är sparade")
        ).to_be_visible()
        await assert_accessible(page, "the targets form")

        async with api(token) as client:
            saved = (await client.get("/v1/stats/targets/degerfors")).json()
            assert saved["effective"]["answer_rate"] == 0.85
            figure = await degerfors_answer_rate(client, 4)
        assert figure["target"] == 0.85
        await page.get_by_role("link", name="Statistik").click()
        row = (
            page.get_by_test_id("organization-targets").get_by_role("row").filter(has_text="Degerfors kommun")
        )
        await expect(row).to_contain_text(re.compile(r"mål 85\s%"))
        badge = "Målet nått" if figure["met"] else "Målet inte nått"
        await expect(row.get_by_role("cell").first).to_contain_text(badge)
        await assert_accessible(page, "the dashboard with each organisation against its own targets")
    finally:
        async with api(token) as client:
            assert (await client.put("/v1/stats/targets/degerfors", json={})).status_code == 200
