"""Debitering in the web app: an administrator sets a price for Karlskogahem's answered calls, and the
dashboard's charging card shows social's amount at that price, as the invoice basis says."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in, token_of

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CONNECTOR = {"X-Connector-Key": "dev-connector-key"}
STOCKHOLM = ZoneInfo("Europe/Stockholm")


async def two_answered_calls(api: Any) -> None:
    """Two calls to Karlskogahem answered in socialtjänst (which serves social alone), now."""
    now = datetime.now(UTC) - timedelta(minutes=2)
    events = []
    for _ in range(2):
        call = {"call_id": f"charging-{uuid.uuid4().hex[:10]}", "answer_group": "socialtjanst",
                "from": "+46701234567", "to": "+4658667000"}  # fmt: skip
        events.append({**call, "event": "call.offered", "at": now.isoformat()})
        answered = (now + timedelta(seconds=15)).isoformat()
        events.append(
            {**call, "event": "call.answered", "at": answered, "wait_seconds": 15, "agent": "agent"}
        )
    async with api() as client:
        response = await client.post("/v1/channels/phone/events", headers=CONNECTOR, json=events)
        assert response.status_code == 202, response.text


def sek(amount: str) -> str:
    """As the dashboard writes SEK in Swedish: "1 234,50 kr" with non-breaking spaces."""
    whole, part = amount.split(".")
    grouped = f"{int(whole):,}".replace(",", "\u00a0")
    return f"{grouped},{part}\u00a0kr"


async def social_amount(api: Any, tertial: str) -> str:
    """Social's amount in the invoice basis, once both calls are counted."""
    async with api() as client:
        token = await token_of(client, "admin")
    async with api(token) as client:
        for _ in range(60):
            response = await client.get(
                "/v1/stats/invoice", params={"period": tertial, "organization": "karlskogahem"}
            )
            assert response.status_code == 200, response.text
            lines = response.json()["organizations"][0]["lines"]
            social = next((line for line in lines if line["department"] == "social"), None)
            if social is not None:
                answered = next(u for u in social["units"] if u["unit"] == "calls_answered")
                if answered["count"] >= 2 and answered["amount"] not in (None, "0.00"):
                    return str(social["amount"])
            await asyncio.sleep(0.5)
    raise AssertionError("the calls never reached the invoice basis")


async def test_an_administrator_sets_a_price_and_the_dashboard_shows_the_amount(visit: Any, api: Any) -> None:
    await two_answered_calls(api)
    today = datetime.now(STOCKHOLM)
    month = f"{today:%Y-%m}"
    tertial = f"{today.year}-T{(today.month - 1) // 4 + 1}"

    v = await visit()
    page = v.page
    await log_in(v, "admin")
    await v.goto("/arbetsyta/admin?del=prices")
    await page.get_by_label("Organisation").select_option(label="Karlskogahem AB")
    await expect(page.get_by_role("table", name="Priser för Karlskogahem AB")).to_be_visible()
    await page.get_by_label("Pris (kr)").fill("7,5")
    await page.get_by_role("button", name="Spara priset").click()
    await expect(page.get_by_text("Välj månaden priset gäller från").first).to_be_visible()  # no month yet
    await page.get_by_label("Enhet").select_option(label="Besvarade samtal")
    await page.get_by_label("Gäller från månad").fill(month)
    await page.get_by_role("button", name="Spara priset").click()
    await expect(
        page.get_by_text(f"Priset för Besvarade samtal från {month} är sparat.").first
    ).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Besvarade samtal").filter(has_text=month)
    await expect(row).to_contain_text("7,50\u00a0kr")
    await assert_accessible(page, "the prices")

    amount = await social_amount(api, tertial)
    await v.goto("/arbetsyta/statistik")
    await page.get_by_label("Organisation", exact=True).select_option(label="Karlskogahem AB")
    card = page.get_by_test_id("charging")
    table = card.get_by_role("table", name="Debitering per förvaltning, Karlskogahem AB")
    social = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Socialförvaltningen"))
    await expect(social).to_contain_text(sek(amount))
    await assert_accessible(page, "the dashboard with the charging card")
