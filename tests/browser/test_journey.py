"""The main journey end to end, in a real browser against the real services behind the gateway.

A citizen writes through "Kontakta oss" → the agent finds it in the first-line queue, answers with a
standard answer from the knowledge bank and hands it off to samhällsbyggnad with a reason → the
department's handler sees it in the department queue and resolves it → the citizen's "Följ ditt
ärende" shows it answered → the supervisor's dashboard counts it. Every selector is an accessible
name (role + name, or label), so the test also proves that the names are there.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in, token_of
from tests.helpers import eventually

pytestmark = [pytest.mark.browser, pytest.mark.integration]


async def test_web_form_to_answered_errand_counted_on_the_dashboard(visit: Any, api: Any) -> None:
    marker = uuid.uuid4().hex[:8]
    subject = f"Altan vid sjön {marker}"
    email = f"asa.{marker}@example.se"
    article_title = f"Bygglov för altan {marker}"
    article_body = f"En altan lägre än 1,2 meter behöver normalt inte bygglov. ({marker})"

    async with api() as client:
        supervisor = await token_of(client, "supervisor")
    async with api(supervisor) as client:
        created = await client.post(
            "/v1/kb/articles",
            json={
                "organization": "karlskoga",
                "title": article_title,
                "body": article_body,
                "tags": ["bygglov", "altan", marker],
                "owner_department": "samhallsbyggnad",
                "checklist": ["Fråga om höjden"],
            },
        )
        assert created.status_code == 201, created.text
        before = (await client.get("/v1/stats/volumes", params={"group_by": "channel"})).json()

    # The citizen writes through "Kontakta oss".
    citizen = await visit()
    page = citizen.page
    await citizen.goto("/")
    await page.get_by_role("link", name="Kontakta oss").first.click()
    await expect(page.get_by_role("heading", level=1, name="Kontakta oss")).to_be_visible()
    await page.get_by_label("Din fråga").fill("Behöver jag bygglov för en altan på 25 kvm vid sjön?")
    await page.get_by_label("Namn").fill("Åsa Lindqvist")
    await page.get_by_label("E-post").fill(email)
    await page.get_by_label("Ämne").fill(subject)
    await page.get_by_role("button", name="Skicka").click()
    await expect(page.get_by_role("heading", name="Tack! Vi har tagit emot ditt meddelande")).to_be_focused()

    # The agent finds it in the first-line queue and opens it.
    agent = await visit()
    page = agent.page
    await log_in(agent, "agent")
    await page.get_by_role("link", name="Första linjen").click()
    await page.get_by_role("searchbox", name="Sök", exact=True).fill(marker)
    await page.get_by_role("button", name="Filtrera").click()
    await expect(page.get_by_role("link", name=subject)).to_be_visible()  # polling brings it in
    await assert_accessible(page, "the first-line queue")
    await page.get_by_role("link", name=subject).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(subject)
    ref = (await page.locator(".case-ref").inner_text()).strip()
    assert re.fullmatch(r"KGA-\d{4}-\d{6}", ref), ref
    await expect(page.get_by_text("Behöver jag bygglov för en altan på 25 kvm vid sjön?")).to_be_visible()
    await assert_accessible(page, "the case view")

    # … answers with the standard answer from the knowledge bank …
    await page.get_by_role("searchbox", name="Sök i kunskapsbanken").fill(f"altan {marker}")
    await page.get_by_role("button", name="Sök", exact=True).click()
    await page.get_by_role("button", name=f"Infoga ”{article_title}” i svaret").click()
    message = page.get_by_label("Meddelande", exact=True)
    await expect(message).to_have_value(article_body)
    await expect(message).to_be_focused()
    await page.get_by_role("button", name="Skicka svar").click()
    await expect(page.get_by_role("main").get_by_text("Svaret har skickats.")).to_be_visible()
    await expect(page.get_by_role("article", name=re.compile("^Svar till medborgaren"))).to_contain_text(
        article_body
    )

    # … and hands it off to samhällsbyggnad with a reason.
    await page.get_by_label("Förvaltning", exact=True).select_option(label="Samhällsbyggnadsförvaltningen")
    await page.get_by_label("Anledning till överlämningen").fill("Altanen ligger inom strandskyddat område.")
    await page.get_by_role("button", name="Lämna över").click()
    await expect(
        page.get_by_role("main").get_by_text("Ärendet är överlämnat till Samhällsbyggnadsförvaltningen.")
    ).to_be_visible()
    await expect(page.locator(".case-badges")).to_contain_text("Överlämnat")
    await page.get_by_role("link", name="← Tillbaka till ärendelistan").click()
    await page.get_by_role("link", name="Överlämnade av mig").click()
    await expect(page.get_by_role("link", name=subject)).to_be_visible()

    # The department's handler sees what was handed to the department and resolves it.
    handler = await visit()
    page = handler.page
    await log_in(handler, "handler")
    await expect(page.get_by_role("link", name="Överlämnade till min förvaltning")).to_have_attribute(
        "aria-current", "page"
    )
    await expect(page.get_by_role("link", name=subject)).to_be_visible()
    await page.get_by_role("link", name=subject).click()
    await expect(page.get_by_text("Altanen ligger inom strandskyddat område.")).to_be_visible()
    timeline = page.get_by_role("region", name="Händelselogg")
    await expect(timeline).to_contain_text("Svaret levererades")  # notify delivered the agent's reply
    unlabelled = [k for k in await timeline.locator("li > strong").all_inner_texts() if "_" in k]
    assert not unlabelled, f"timeline entries without a label: {unlabelled}"
    await page.get_by_label("Resultat").select_option(label="Besvarat")
    await page.get_by_role("button", name="Markera som löst").click()
    await expect(page.get_by_role("main").get_by_text("Ärendet är löst.")).to_be_visible()
    await expect(page.locator(".case-badges")).to_contain_text("Löst")

    # The citizen follows the errand with the reference and the access code from the receipt.
    async with api(supervisor) as client:
        exported = (await client.get("/v1/privacy/export", params={"email": email})).json()
    ours = next(c for c in exported["cases"] if c["_id"] == ref)
    page = citizen.page
    await page.get_by_role("link", name="Följ ditt ärende").first.click()
    await page.get_by_label("Ärendenummer").fill(ref)
    await page.get_by_label("Kod").fill(ours["access_code"])
    await page.get_by_role("button", name="Visa ärendet").click()
    await expect(page.get_by_role("heading", name=f"Ärende {ref}")).to_be_focused()
    await expect(page.locator(".status-line")).to_contain_text("Besvarat")
    await expect(page.get_by_text(article_body)).to_be_visible()
    await assert_accessible(page, "the status page with an answered errand")
    for question in ("Hur blev du bemött?", "Hur bra kunskap hade vi", "Hur lätt var det"):
        await (
            page.get_by_role("group", name=re.compile(question))
            .get_by_role("radio", name=re.compile("^5"))
            .check()
        )
    await page.get_by_role("button", name="Skicka svaren").click()
    await expect(page.get_by_role("main").get_by_text("Tack för dina svar!")).to_be_visible()

    # The supervisor's dashboard counts it.
    async with api(supervisor) as client:

        async def counted() -> dict[str, Any] | None:
            now = (await client.get("/v1/stats/volumes", params={"group_by": "channel"})).json()
            return now if now["total"] >= before["total"] + 1 else None

        now = await eventually(counted)
    boss = await visit()
    page = boss.page
    await log_in(boss, "supervisor")
    await page.get_by_role("link", name="Statistik").click()
    await expect(page.get_by_role("heading", level=1, name="Statistik")).to_be_visible()
    total = page.get_by_test_id("volumes-total")
    await expect(total).to_contain_text(re.compile(r"Ärenden totalt: [\d  ]+"))
    shown = int(re.sub(r"\D", "", await total.inner_text()))
    assert shown >= before["total"] + 1, (shown, before, now)
    await page.get_by_role("figure", name="Ärenden per kanal").get_by_text("Visa som tabell").click()
    webform_row = page.get_by_role("row", name=re.compile("^Webbformulär"))
    await expect(webform_row).to_be_visible()
    await assert_accessible(page, "the dashboard")
