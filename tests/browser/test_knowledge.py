"""Crisis notices and the departments' own knowledge articles, as the people who use them see them.

A supervisor publishes a crisis notice linked to a knowledge article: an agent sees it on top of the
workspace and follows the link to the article, and citizens see it on their pages in their
language. A department's handler edits their article and an agent sees what changed since they
last read it.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in, token_of

pytestmark = [pytest.mark.browser, pytest.mark.integration]


async def test_a_crisis_notice_reaches_the_workspace_and_the_citizen_pages(visit: Any, api: Any) -> None:
    marker = uuid.uuid4().hex[:6]
    article_title = f"Vattenläcka i Bofors: kokavisering {marker}"
    title_sv, title_en = f"Vattenläcka i Bofors {marker}", f"Water leak in Bofors {marker}"
    async with api() as client:
        supervisor_token = await token_of(client, "supervisor")
    async with api(supervisor_token) as client:
        created = await client.post(
            "/v1/kb/articles",
            json={
                "organization": "karlskoga",
                "title": article_title,
                "body": "Koka vattnet i minst en minut före förtäring. Tankvagn står vid Bofors torg.",
                "owner_department": "samhallsbyggnad",
            },
        )
        assert created.status_code == 201, created.text

    supervisor = await visit()
    await log_in(supervisor, "supervisor")
    await supervisor.page.get_by_role("link", name="Meddelanden").click()
    await expect(supervisor.page.get_by_role("heading", level=1)).to_have_text("Viktiga meddelanden")
    form = supervisor.page.get_by_role("form", name="Publicera meddelande")
    await form.get_by_label("Organisation").select_option("karlskoga")
    await form.get_by_label("Rubrik på svenska").fill(title_sv)
    await form.get_by_label("Text på svenska").fill("Kokavisering gäller i Bofors tills vidare.")
    await form.get_by_label("Rubrik på engelska").fill(title_en)
    await form.get_by_label("Text på engelska").fill("Boil your water in Bofors until further notice.")
    await form.get_by_label("Kunskapsartikel för första linjen").select_option(label=article_title)
    await form.get_by_role("button", name="Publicera meddelande").click()
    published = supervisor.page.get_by_role("listitem").filter(has_text=title_sv)
    await expect(published).to_contain_text("Visas nu")
    await assert_accessible(supervisor.page, "the notices page")
    try:
        agent = await visit()
        await log_in(agent, "agent")
        banner = agent.page.get_by_role("region", name="Viktiga meddelanden")
        await expect(banner).to_contain_text(f"Krisinformation: {title_sv}")
        await expect(banner).to_contain_text("Kokavisering gäller i Bofors tills vidare.")
        await assert_accessible(agent.page, "the workspace with a crisis notice")
        await banner.get_by_role("link", name=f"Svara utifrån: {article_title}").click()
        await expect(agent.page.get_by_role("heading", level=1)).to_have_text(article_title)
        await expect(agent.page.get_by_text("Tankvagn står vid Bofors torg.")).to_be_visible()

        citizen = await visit()
        await citizen.goto("/")
        notice = citizen.page.get_by_role("region", name="Viktiga meddelanden")
        await expect(notice).to_contain_text(title_sv)
        await expect(notice).not_to_contain_text(article_title)  # the article is the staff's
        await assert_accessible(citizen.page, "the citizens' home page with a crisis notice")
        english = await visit(language="en")
        await english.goto("/kontakta-oss")
        notice = english.page.get_by_role("region", name="Important notices")
        await expect(notice).to_contain_text(f"Crisis information: {title_en}")
        await expect(notice).to_contain_text("Boil your water in Bofors until further notice.")

        await published.get_by_role("button", name="Återkalla").click()
        await expect(published).to_contain_text("Återkallat")
        await agent.page.reload()
        await expect(agent.page.get_by_role("heading", level=1)).to_have_text(article_title)
        await expect(agent.page.get_by_role("region", name="Viktiga meddelanden")).to_have_count(0)
    finally:
        async with api(supervisor_token) as client:
            for shown in (await client.get("/v1/kb/notices", params={"current": "true"})).json():
                await client.post(f"/v1/kb/notices/{shown['id']}/withdraw")


async def test_a_department_edits_its_article_and_first_line_sees_what_changed(visit: Any, api: Any) -> None:
    marker = uuid.uuid4().hex[:6]
    title = f"Bygglov för altan {marker}"
    async with api() as client:
        handler_token, agent_token = await token_of(client, "handler"), await token_of(client, "agent")
    async with api(handler_token) as client:
        created = await client.post(
            "/v1/kb/articles",
            json={
                "organization": "karlskoga",
                "title": title,
                "body": "En altan lägre än 1,2 meter behöver normalt inte bygglov.\n"
                "Fråga om avståndet till tomtgränsen.",
                "owner_department": "samhallsbyggnad",
                "review_date": "2030-01-01",
            },
        )
        assert created.status_code == 201, created.text
        article_id = created.json()["id"]
    async with api(agent_token) as client:
        assert (await client.post(f"/v1/kb/articles/{article_id}/read")).status_code == 200

    handler = await visit()
    await log_in(handler, "handler")
    await handler.page.get_by_role("link", name="Kunskapsbank").click()
    own = handler.page.get_by_role("region", name="Din förvaltnings artiklar")
    await own.get_by_role("link", name=title).click()
    await handler.page.get_by_role("button", name="Redigera").click()
    await handler.page.get_by_label("Text", exact=True).fill(
        "En altan lägre än 1,8 meter behöver normalt inte bygglov.\nFråga om avståndet till tomtgränsen."
    )
    await handler.page.get_by_role("button", name="Spara").click()
    await expect(handler.page.get_by_text("Artikeln är sparad (version 2)")).to_be_visible()

    agent = await visit()
    await log_in(agent, "agent")
    await agent.page.get_by_role("link", name="Kunskapsbank").click()
    await agent.page.get_by_role("searchbox", name="Sök i kunskapsbanken").fill(marker)
    await agent.page.get_by_role("button", name="Sök", exact=True).click()
    found = agent.page.get_by_role("listitem").filter(has_text=title)
    await expect(found).to_contain_text("Ändrad sedan du läste")
    await assert_accessible(agent.page, "the knowledge bank")
    await found.get_by_role("link", name=title).click()
    await expect(
        agent.page.get_by_text("Ändrad sedan du läste den senast (version 1 → 2, av handler")
    ).to_be_visible()
    await expect(agent.page.locator(".kb-diff del")).to_have_text(
        "Borttaget: En altan lägre än 1,2 meter behöver normalt inte bygglov."
    )
    await expect(agent.page.locator(".kb-diff ins")).to_have_text(
        "Tillagt: En altan lägre än 1,8 meter behöver normalt inte bygglov."
    )
    await assert_accessible(agent.page, "an article changed since it was read")
    await agent.page.get_by_role("button", name="Jag har läst ändringarna").click()
    await expect(agent.page.get_by_role("heading", name="Det här har ändrats")).to_have_count(0)
