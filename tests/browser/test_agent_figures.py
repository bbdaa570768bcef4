"""Per handläggare in the web app: an agent reads their own calls on "Min uppföljning" and cannot
open the team's figures; a supervisor sees the team table, one row per agent, on the dashboard."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from lotsen.calendar import STOCKHOLM
from tests.browser.conftest import assert_accessible, log_in, token_of

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CONNECTOR = {"X-Connector-Key": "dev-connector-key"}


async def answered_calls(client: httpx.AsyncClient, token: str) -> int:
    response = await client.get("/v1/stats/agents/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return int(response.json()["total"]["answered_calls"])


async def calls_answered_by_agent(api: Any, n: int) -> int:
    """``n`` calls answered by the demo agent just now; the agent's answered calls afterwards."""
    async with api() as client:
        token = await token_of(client, "agent")
        before = await answered_calls(client, token)
        now = datetime.now(UTC) - timedelta(minutes=5)
        events = []
        for _ in range(n):
            call = {
                "call_id": f"agent-{uuid.uuid4().hex[:10]}",
                "answer_group": "bygg-miljo",
                "to": "+4658681000",
            }
            events += [
                {**call, "event": "call.offered", "at": now.isoformat()},
                {
                    **call,
                    "event": "call.answered",
                    "at": (now + timedelta(seconds=20)).isoformat(),
                    "wait_seconds": 20,
                    "agent": "agent",
                },
                {
                    **call,
                    "event": "call.ended",
                    "at": (now + timedelta(seconds=140)).isoformat(),
                    "talk_seconds": 120,
                },
            ]
        response = await client.post("/v1/channels/phone/events", headers=CONNECTOR, json=events)
        assert response.status_code == 202, response.text
        for _ in range(100):  # stats consumes calls.events asynchronously
            after = await answered_calls(client, token)
            if after >= before + n:
                return after
            await asyncio.sleep(0.2)
        raise AssertionError(f"stats counted {after - before} of {n} calls")


async def test_an_agent_reads_their_own_calls_and_not_the_teams(visit: Any, api: Any) -> None:
    answered = await calls_answered_by_agent(api, 2)
    v = await visit()
    page = v.page
    await log_in(v, "agent")
    await page.get_by_role("link", name="Min uppföljning").click()
    await expect(page.get_by_role("heading", name="Min uppföljning", level=1)).to_be_visible()
    summary = page.get_by_test_id("my-summary")
    await expect(
        summary.locator(".facts__pair").filter(has_text="Besvarade samtal").locator("dd")
    ).to_have_text(str(answered))
    year, week, _ = datetime.now(STOCKHOLM).date().isocalendar()  # the agent's local week
    await expect(page.get_by_role("rowheader", name=f"Vecka {week}, {year}")).to_be_visible()
    await assert_accessible(page, "an agent's own follow-up")
    # The dashboard, with the team's figures, is not the agent's.
    await v.goto("/arbetsyta/statistik")
    await expect(page.get_by_role("heading", name="Per handläggare")).to_have_count(0)


async def test_a_supervisor_sees_the_team_one_row_per_agent(visit: Any, api: Any) -> None:
    await calls_answered_by_agent(api, 1)
    v = await visit()
    page = v.page
    await log_in(v, "supervisor")
    await page.get_by_role("link", name="Statistik").click()
    team = page.get_by_role("region", name="Per handläggare").first
    row = team.get_by_role("row").filter(has=page.get_by_role("rowheader", name="agent", exact=True))
    await expect(row).to_have_count(1)
    await expect(team.get_by_role("rowheader", name="Hela gruppen")).to_be_visible()
    await assert_accessible(page, "the dashboard with the team's figures")
