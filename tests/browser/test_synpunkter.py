"""Synpunkter that reach the right department: a citizen says it is a complaint on the synpunkt form,
the agent credits kultur in the case view (the timeline says so), and the supervisor's dashboard
shows kultur's synpunkter by kind as stats counts them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in, token_of
from tests.helpers import eventually

pytestmark = [pytest.mark.browser, pytest.mark.integration]

KULTUR = "Kultur- och fritidsförvaltningen"


async def test_a_complaint_from_the_form_is_credited_to_kultur_and_counted_there(
    visit: Any, api: Any
) -> None:
    marker = uuid.uuid4().hex[:8]
    citizen = await visit()
    page = citizen.page
    await citizen.goto("/synpunkt")
    await page.get_by_label("Din synpunkt").fill(f"Biblioteket stängde en timme för tidigt i går. {marker}")
    kinds = page.get_by_role("group", name="Vad gäller din synpunkt?")
    await kinds.get_by_label("Klagomål").check()
    await assert_accessible(page, "the synpunkt form with its kinds")
    await page.get_by_role("button", name="Skicka").click()
    await expect(page.get_by_role("heading", name="Tack! Vi har tagit emot ditt meddelande")).to_be_focused()

    async with api() as client:
        token = await token_of(client, "agent")
    async with api(token) as client:

        async def found() -> dict[str, Any] | None:
            listed = (await client.get("/v1/cases", params={"q": marker})).json()["items"]
            return listed[0] if listed else None

        case = await eventually(found)
        ref = case["ref"]
        assert (await client.get(f"/v1/cases/{ref}")).json()["feedback"] == {
            "kind": "complaint",
            "department": None,
        }

    agent = await visit()
    page = agent.page
    await log_in(agent, "agent")
    await agent.goto(f"/arbetsyta/arenden/{ref}")
    section = page.get_by_role("region", name="Synpunkt", exact=True)
    await expect(section.get_by_test_id("feedback-current")).to_have_text(
        "Nu: Klagomål, gäller Ledningskontoret"
    )
    await section.get_by_label("Gäller förvaltning").select_option(label=KULTUR)
    await assert_accessible(page, "the synpunkt classification")
    await section.get_by_role("button", name="Spara").click()
    await expect(section.get_by_text(f"Synpunkten är sparad: Klagomål, {KULTUR}")).to_be_visible()
    timeline = page.get_by_role("region", name="Händelselogg")
    await expect(timeline.get_by_role("listitem").filter(has_text="Synpunkt klassad")).to_contain_text(
        f"Klagomål · {KULTUR}"
    )

    async with api() as client:
        token = await token_of(client, "supervisor")
    async with api(token) as client:

        async def counted() -> dict[str, Any] | None:
            body = (await client.get("/v1/stats/synpunkter")).json()
            return next((g for g in body["groups"] if g["key"] == "kultur" and ref in g["refs"]), None)

        kultur = await eventually(counted)
    supervisor = await visit()
    page = supervisor.page
    await log_in(supervisor, "supervisor")
    await supervisor.goto("/arbetsyta/statistik")
    card = page.get_by_role("region", name="Synpunkter per förvaltning")
    row = card.get_by_role("row").filter(has=page.get_by_role("rowheader", name=KULTUR))
    cells = row.get_by_role("cell")
    await expect(cells.nth(1)).to_have_text(str(kultur["by_kind"]["complaint"]))  # Klagomål
    await expect(cells.nth(5)).to_have_text(str(kultur["count"]))  # Totalt
    await assert_accessible(page, "the dashboard's synpunkter")
