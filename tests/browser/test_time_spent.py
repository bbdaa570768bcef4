"""Tidsåtgång on the dashboard: calls the telephony reported, one wrapped up by the agent's own
"Klar med efterarbete", shown per answer group with mean and 90th percentile; and the switchboard's
after-call clock, whose "Klar med efterarbete" the figure counts."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in, token_of
from tests.helpers import eventually

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CONNECTOR = {"X-Connector-Key": "dev-connector-key"}


async def test_the_supervisor_sees_talk_wrap_up_and_handling_of_the_calls_posted(
    visit: Any, api: Any
) -> None:
    marker = uuid.uuid4().hex[:8]
    day = date(2023, 1, 2) + timedelta(days=random.Random(marker).randrange(360))  # a day of its own
    at = f"{day.isoformat()}T09:00:00+01:00"
    call = {"organization": "karlskoga", "answer_group": "bygg-miljo"}
    first, second = f"ts-{marker}-1", f"ts-{marker}-2"
    events = [
        {**call, "event": "call.offered", "call_id": first, "at": at},
        {**call, "event": "call.answered", "call_id": first, "at": at, "wait_seconds": 20, "agent": "agent"},
        {**call, "event": "call.ended", "call_id": first, "at": at, "talk_seconds": 125},
        {**call, "event": "call.wrapped_up", "call_id": first, "at": at, "wrap_up_seconds": 35},
        {**call, "event": "call.offered", "call_id": second, "at": at},
        {**call, "event": "call.answered", "call_id": second, "at": at, "wait_seconds": 10, "agent": "agent"},
        {**call, "event": "call.ended", "call_id": second, "at": at, "talk_seconds": 65},
    ]
    async with api() as client:
        posted = await client.post("/v1/channels/phone/events", headers=CONNECTOR, json=events)
        assert posted.status_code == 202, posted.text
        agent, supervisor = await token_of(client, "agent"), await token_of(client, "supervisor")
    async with api(agent) as client:  # the platform reports no wrap-up for the second: the agent does
        done = await client.post(
            f"/v1/calls/{second}/wrap-up", json={"wrap_up_seconds": 55, "organization": "karlskoga"}
        )
        assert done.status_code == 201, done.text
    async with api(supervisor) as client:

        async def counted() -> bool:
            params = {"from": day.isoformat(), "to": day.isoformat(), "organization": "karlskoga"}
            body = (await client.get("/v1/stats/time-spent", params=params)).json()
            return body["calls"]["handling"]["count"] == 2

        await eventually(counted)

    v = await visit()
    page = v.page
    await log_in(v, "supervisor")
    await page.get_by_role("link", name="Statistik").click()
    await page.get_by_label("Period", exact=True).select_option(label="Egen period")
    await page.get_by_label("Från och med").fill(day.isoformat())
    await page.get_by_label("Till och med").fill(day.isoformat())
    await page.get_by_label("Organisation", exact=True).select_option(value="karlskoga")
    card = page.get_by_role("region", name="Tidsåtgång")
    calls = card.get_by_role("table", name="Samtal per svarsgrupp")
    # Talk 125 and 65 s; wrap-up 35 and 55 s; handling 160 and 120 s.
    row = calls.get_by_role("row", name="Bygg, gata, park och miljö")
    # Talk 65 and 125 s: the mean exact, the 90th percentile to two significant figures (130 s).
    for cell, value in enumerate(["2", "1 min 35 s", "2 min 10 s", "45 s", "2 min 20 s", "2 min 40 s"]):
        await expect(row.get_by_role("cell").nth(cell)).to_have_text(value)
    written = card.get_by_role(
        "table", name="Skriftliga ärenden: från att någon tog ärendet till första svaret"
    )
    await expect(written.get_by_role("row", name="Första linjen")).to_contain_text("0")
    await assert_accessible(page, "the dashboard's time spent")


async def test_an_agent_presses_klar_med_efterarbete_and_the_figure_counts_it(visit: Any, api: Any) -> None:
    marker = uuid.uuid4().hex[:8]
    day = date(2022, 1, 3) + timedelta(days=random.Random(marker).randrange(360))
    at = f"{day.isoformat()}T10:00:00+01:00"
    call = {"organization": "karlskoga", "answer_group": "bygg-miljo", "call_id": f"ts-{marker}"}
    events = [
        {**call, "event": "call.offered", "at": at},
        {**call, "event": "call.answered", "at": at, "wait_seconds": 15, "agent": "agent"},
        {**call, "event": "call.ended", "at": at, "talk_seconds": 200},
    ]
    async with api() as client:
        posted = await client.post("/v1/channels/phone/events", headers=CONNECTOR, json=events)
        assert posted.status_code == 202, posted.text
        supervisor = await token_of(client, "supervisor")

    v = await visit()
    page = v.page
    await log_in(v, "agent")
    await page.get_by_role("link", name="Växel").click()
    panel = page.get_by_role("region", name="Efterarbete")
    await panel.get_by_label("Samtals-id").fill(f"ts-{marker}")
    await panel.get_by_label("Samtalets organisation").select_option(value="karlskoga")
    await panel.get_by_role("button", name="Samtalet är slut").click()
    await expect(panel.get_by_role("timer")).to_contain_text("Efterarbete 0:0")
    await assert_accessible(page, "the switchboard with after-call work running")
    await panel.get_by_role("button", name="Klar med efterarbete").click()
    await expect(panel.get_by_text(f"Efterarbetet för samtal ts-{marker} är registrerat")).to_be_visible()

    async with api(supervisor) as client:

        async def wrapped_up() -> dict[str, Any] | None:
            params = {"from": day.isoformat(), "to": day.isoformat(), "organization": "karlskoga"}
            body = (await client.get("/v1/stats/time-spent", params=params)).json()
            return body["calls"] if body["calls"]["wrap_up"]["count"] == 1 else None

        calls = await eventually(wrapped_up)
    assert calls["talk"]["total_seconds"] == 200
    assert calls["handling"]["total_seconds"] == 200 + calls["wrap_up"]["total_seconds"]
