"""Correcting a case's category in the workspace: an agent moves a misrouted e-mail to the right
category with a reason, and the timeline says old → new; in English the same, and a correction into
social services (confidential) tells the agent the errand has left their view."""

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


async def two_cases(api: Any, marker: str) -> list[str]:
    """Two web-form errands that routing cannot place (övriga ärenden), oldest first."""
    subjects = [f"Fråga {marker} {n}" for n in (1, 2)]
    async with api() as client:
        for n, subject in enumerate(subjects):
            posted = await client.post(
                "/v1/contacts/webform",
                headers=CONNECTOR,
                json={
                    "form_id": "kontakta-oss",
                    "organization": "karlskoga",
                    "subject": subject,
                    "message": f"Hej, jag undrar en sak. ({marker})",
                    "name": "Kim Berg",
                    "email": f"kim.{marker}.{n}@example.se",
                },
            )
            assert posted.status_code == 202, posted.text
        token = await token_of(client, "agent")
    async with api(token) as client:

        async def found() -> list[str] | None:
            listed = (await client.get("/v1/cases", params={"q": marker})).json()["items"]
            refs = {c["subject"]: c["ref"] for c in listed}
            return [refs[s] for s in subjects] if all(s in refs for s in subjects) else None

        return await eventually(found)  # type: ignore[no-any-return]


async def test_an_agent_changes_the_category_and_the_timeline_shows_old_and_new(visit: Any, api: Any) -> None:
    marker = uuid.uuid4().hex[:8]
    ref, _ = await two_cases(api, marker)
    v = await visit()
    page = v.page
    await log_in(v, "agent")
    await v.goto(f"/arbetsyta/arenden/{ref}")
    change = page.get_by_role("region", name="Ändra kategori")
    await change.get_by_role("button", name="Ändra kategori").click()
    await expect(change.get_by_text("Välj den kategori ärendet ska ha")).to_be_visible()
    await expect(change.get_by_label("Ny kategori")).to_be_focused()

    await change.get_by_label("Ny kategori").select_option(label="Bygglov, marklov och rivningslov")
    await expect(change.get_by_label("Ny kategori")).to_have_accessible_description(
        "Hör till Samhällsbyggnadsförvaltningen"
    )
    await change.get_by_label("Varför ändras kategorin?").fill("Gäller bygglov för en altan")
    await assert_accessible(page, "the change-category form")
    await change.get_by_role("button", name="Ändra kategori").click()
    await expect(
        change.get_by_text("Kategorin är ändrad till Bygglov, marklov och rivningslov")
    ).to_be_visible()
    timeline = page.get_by_role("region", name="Händelselogg")
    entry = timeline.get_by_role("listitem").filter(has_text="Kategori ändrad")
    await expect(entry).to_contain_text(
        "Övriga ärenden → Bygglov, marklov och rivningslov · – → Samhällsbyggnadsförvaltningen"
    )
    await expect(entry).to_contain_text("”Gäller bygglov för en altan”")


async def test_in_english_a_case_made_confidential_leaves_the_agents_view(visit: Any, api: Any) -> None:
    marker = uuid.uuid4().hex[:8]
    _, ref = await two_cases(api, marker)
    v = await visit()
    page = v.page
    await log_in(v, "agent")
    await page.get_by_role("button", name="In English").click()
    await v.goto(f"/arbetsyta/arenden/{ref}")
    change = page.get_by_role("region", name="Change category")
    await change.get_by_label("New category").select_option(label="Försörjningsstöd (ekonomiskt bistånd)")
    await expect(change.get_by_label("New category")).to_have_accessible_description(
        re.compile("the errand will be marked confidential")
    )
    await change.get_by_label("Why does the category change?").fill("About financial assistance")
    await change.get_by_role("button", name="Change category").click()
    await expect(
        change.get_by_text(
            f"{ref} was changed to Försörjningsstöd (ekonomiskt bistånd) and is now confidential"
        )
    ).to_be_visible()
    await assert_accessible(page, "a case that left the agent's view")
    await v.goto(f"/arbetsyta/arenden/{ref}")
    await expect(page.get_by_text(f"The errand {ref} does not exist, or you may not see it.")).to_be_visible()
