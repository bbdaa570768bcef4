"""Merging a duplicate in the workspace: two citizens write about the same thing through the web form,
the agent merges the newer case into the other, carries on in it with both messages, and the
duplicate says where the errand went."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in, token_of
from tests.helpers import eventually

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CONNECTOR = {"X-Connector-Key": "dev-connector-key"}


async def test_an_agent_merges_a_duplicate_into_the_case_that_carries_on(visit: Any, api: Any) -> None:
    marker = uuid.uuid4().hex[:8]
    first = {
        "subject": f"Tömning av sopkärl {marker}",
        "message": f"Vårt sopkärl på Skolgatan 7 har inte tömts på två veckor. ({marker})",
        "name": "Åsa Lindqvist",
        "email": f"asa.{marker}@example.se",
    }
    second = {
        "subject": f"Sopkärlet på Skolgatan {marker}",
        "message": f"Grannens sopkärl på Skolgatan 7 står också kvar otömt. ({marker})",
        "name": "Erik Holm",
        "email": f"erik.{marker}@example.se",
    }
    async with api() as client:
        for form in (first, second):
            posted = await client.post(
                "/v1/contacts/webform",
                headers=CONNECTOR,
                json={"form_id": "kontakta-oss", "organization": "karlskoga", **form},
            )
            assert posted.status_code == 202, posted.text
        agent_token = await token_of(client, "agent")
    async with api(agent_token) as client:

        async def both_cases() -> dict[str, str] | None:
            listed = (await client.get("/v1/cases", params={"q": marker})).json()
            refs = {c["subject"]: c["ref"] for c in listed["items"]}
            return refs if first["subject"] in refs and second["subject"] in refs else None

        refs = await eventually(both_cases)
    survivor, duplicate = refs[first["subject"]], refs[second["subject"]]

    v = await visit()
    page = v.page
    await log_in(v, "agent")
    await v.goto(f"/arbetsyta/arenden/{duplicate}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text(second["subject"])
    merge = page.get_by_role("region", name="Slå ihop med annat ärende")
    field = merge.get_by_label("Ärendenummer att slå ihop med")
    await expect(field).to_have_accessible_description(
        re.compile("^Det här ärendet stängs och dess meddelanden flyttas till ärendet du anger")
    )

    # A case cannot be merged into itself: the form says so before asking the server.
    await field.fill(duplicate)
    await merge.get_by_role("button", name="Slå ihop", exact=True).click()
    await expect(field).to_be_focused()
    await expect(merge.get_by_text("Ange ett annat ärende än det här")).to_be_visible()

    # A merge cannot be undone: it is asked once more, and cancelling leaves both cases as they were.
    await field.fill(survivor.lower())
    await merge.get_by_role("button", name="Slå ihop", exact=True).click()
    question = merge.get_by_role("group", name=re.compile(f"^Slå ihop {duplicate} med {survivor}\\?"))
    await expect(question).to_contain_text("Det går inte att ångra.")
    await expect(question.get_by_role("button", name="Ja, slå ihop")).to_be_focused()
    await assert_accessible(page, "the merge confirmation")
    await question.get_by_role("button", name="Avbryt").click()
    await expect(question).to_have_count(0)
    await expect(field).to_be_focused()
    await expect(page.locator(".case-badges")).not_to_contain_text("Stängt")

    await merge.get_by_role("button", name="Slå ihop", exact=True).click()
    await merge.get_by_role("button", name="Ja, slå ihop").click()

    # The survivor's page is shown, with both citizens' messages.
    await expect(page).to_have_url(re.compile(f"/arbetsyta/arenden/{survivor}$"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text(first["subject"])
    await expect(page.locator(".case-ref")).to_have_text(survivor)
    merged = f"{duplicate} är sammanslaget med {survivor}, som visas nu."
    await expect(page.get_by_role("main").get_by_text(merged)).to_be_visible()
    messages = page.get_by_role("region", name=re.compile("^Meddelanden"))
    await expect(messages).to_contain_text(first["message"])
    await expect(messages).to_contain_text(second["message"])
    await expect(page.get_by_role("region", name="Händelselogg")).to_contain_text(
        "Annat ärende sammanslaget hit"
    )
    await expect(page.get_by_role("region", name=re.compile("^Sammanslaget med"))).to_have_count(0)
    await expect(page.get_by_role("link", name=duplicate, exact=True)).to_have_count(1)  # not also as a link
    await assert_accessible(page, "the case a duplicate was merged into")

    # The server's refusals are told in Swedish too: the duplicate is merged already.
    merge = page.get_by_role("region", name="Slå ihop med annat ärende")
    await merge.get_by_label("Ärendenummer att slå ihop med").fill(duplicate)
    await merge.get_by_role("button", name="Slå ihop", exact=True).click()
    await merge.get_by_role("button", name="Ja, slå ihop").click()
    await expect(page.get_by_role("alert")).to_have_text(
        f"Det ärendet är redan sammanslaget med {survivor}. Slå samman med {survivor} i stället."
    )

    # The duplicate, reached from the survivor, says it was merged and leads back.
    await page.get_by_role("link", name=duplicate, exact=True).first.click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(second["subject"])
    notice = page.get_by_role("region", name=f"Sammanslaget med {survivor}")
    await expect(notice).to_be_visible()
    await expect(page.locator(".case-badges")).to_contain_text("Stängt")
    await expect(page.get_by_role("button", name="Slå ihop")).to_have_count(0)
    await expect(page.get_by_role("region", name="Händelselogg")).to_contain_text(
        re.compile(f"Sammanslaget med annat ärende av agent\\s*{survivor}")
    )
    await assert_accessible(page, "a case merged into another")
    await notice.get_by_role("link", name=survivor).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(first["subject"])
    await expect(page.locator(".case-ref")).to_have_text(survivor)
