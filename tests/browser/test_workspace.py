"""The staff workspace beyond the main journey: every role logs in; the admin views, the registration
of a letter and the supervisor's dashboard with its period picker and CSV report."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from playwright.async_api import expect

from lotsen.auth import issue_token
from lotsen.settings import ServiceSettings
from tests.browser.conftest import assert_accessible, log_in, token_of

pytestmark = [pytest.mark.browser, pytest.mark.integration]


async def test_each_role_sees_its_own_workspace(visit: Any) -> None:
    expected = {
        "agent": (["Ärenden", "Registrera kontakt", "Min uppföljning"], ["Statistik", "Administration"]),
        "handler": (["Ärenden", "Statistik"], ["Registrera kontakt", "Administration", "Min uppföljning"]),
        "supervisor": (["Ärenden", "Registrera kontakt", "Statistik", "Min uppföljning"], ["Administration"]),
        "admin": (["Ärenden", "Statistik", "Administration"], ["Registrera kontakt", "Min uppföljning"]),
    }
    for role, (shown, hidden) in expected.items():
        v = await visit()
        await log_in(v, role)
        nav = v.page.get_by_role("navigation", name="Arbetsytan")
        for name in shown:
            await expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
        for name in hidden:
            await expect(nav.get_by_role("link", name=name, exact=True)).to_have_count(0)
        await v.page.get_by_role("button", name="Logga ut").click()
        await expect(v.page.get_by_role("heading", name="Logga in i Lotsen")).to_be_visible()


async def test_login_page_is_accessible_and_explains_a_wrong_password(visit: Any) -> None:
    v = await visit()
    await v.goto("/arbetsyta")
    await expect(v.page.get_by_role("heading", level=1, name="Logga in i Lotsen")).to_be_visible()
    await assert_accessible(v.page, "the login page")
    await v.page.get_by_label("Användarnamn").fill("agent")
    await v.page.get_by_label("Lösenord").fill("fel-lösenord")
    await v.page.get_by_role("button", name="Logga in").click()
    await expect(v.page.get_by_role("alert")).to_have_text("Fel användarnamn eller lösenord.")
    await assert_accessible(v.page, "the login page with an error")


async def test_an_agent_registers_a_letter_that_joins_the_queue(visit: Any) -> None:
    marker = uuid.uuid4().hex[:8]
    v = await visit()
    page = v.page
    await log_in(v, "agent")
    await page.get_by_role("link", name="Registrera kontakt").click()
    await expect(page.get_by_role("heading", level=1, name="Registrera kontakt")).to_be_visible()
    await assert_accessible(page, "the registration form")
    await page.get_by_role("radio", name="Brev").check()
    await page.get_by_label("Ämne").fill(f"Brev om garage {marker}")
    await page.get_by_label("Vad gäller ärendet?").fill(
        "Brev inkommet om bygglov för garage på Norra Ringvägen 4."
    )
    await page.get_by_label("Namn").fill("Karl Berg")
    await page.get_by_role("button", name="Registrera").click()
    await expect(page.get_by_role("main").get_by_text("Kontakten är registrerad")).to_be_visible()
    await page.get_by_role("link", name="Till första linjen").click()
    await page.get_by_role("searchbox", name="Sök", exact=True).fill(marker)
    await page.get_by_role("button", name="Filtrera").click()
    row = page.get_by_role("row", name=re.compile(f"Brev om garage {marker}"))
    await expect(row).to_be_visible()
    await expect(row).to_contain_text("Brev")

    # The letter gave no address: a reply is refused, in Swedish, with what to do instead.
    await row.get_by_role("link").first.click()
    await page.get_by_label("Meddelande", exact=True).fill("Tack för ditt brev, vi återkommer.")
    await page.get_by_role("button", name="Skicka svar").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "Medborgaren lämnade ingen e-postadress, inget telefonnummer och inget Messenger-id. "
        "Ring eller skriv, och lägg sedan till en anteckning."
    )


async def signed_in_as(v: Any, role: str, *organizations: str) -> None:
    """A session for a person whose account lists ``organizations`` (the demo accounts list all of
    them), with a token as casestore issues it in dev mode."""
    issued = datetime.now(UTC)
    token = issue_token(
        ServiceSettings(env="dev"), subject=f"{role}.test", role=role, organizations=organizations, now=issued
    )
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    user = {"name": f"{role}.test", "role": role, "departments": [], "organizations": list(organizations)}
    session = {"token": token, "user": {**user, "expiresAt": expires * 1000}}
    await v.goto("/arbetsyta/logga-in")
    await v.page.evaluate("s => sessionStorage.setItem('lotsen.session', s)", json.dumps(session))


async def test_the_register_page_offers_only_the_organisations_the_agent_works_for(visit: Any) -> None:
    v = await visit()
    page = v.page
    await signed_in_as(v, "agent", "degerfors")
    await v.goto("/arbetsyta/registrera")
    choice = page.get_by_label("Organisation")
    await expect(choice.locator("option")).to_have_text(["Degerfors kommun"])
    await expect(choice).to_have_value("degerfors")
    await page.get_by_label("Vad gäller ärendet?").fill("Besök i receptionen om snöröjningen på Bruksgatan.")
    await page.get_by_role("button", name="Registrera").click()
    await expect(page.get_by_role("main").get_by_text("Kontakten är registrerad")).to_be_visible()

    # Two organisations, neither of them the directory's default: the agent must choose one.
    v = await visit()
    page = v.page
    await signed_in_as(v, "agent", "degerfors", "karlskogahem")
    await v.goto("/arbetsyta/registrera")
    choice = page.get_by_label("Organisation")
    await expect(choice.locator("option")).to_have_text(
        ["Välj organisation", "Degerfors kommun", "Karlskogahem AB"]
    )
    await page.get_by_label("Vad gäller ärendet?").fill("Brev om trapphusbelysningen.")
    await page.get_by_role("button", name="Registrera").click()
    await expect(page.locator(".field--invalid")).to_contain_text("Välj organisation")
    await expect(choice).to_be_focused()
    await assert_accessible(page, "the registration form asking for an organisation")
    await choice.select_option(label="Karlskogahem AB")
    await page.get_by_role("button", name="Registrera").click()
    await expect(page.get_by_role("main").get_by_text("Kontakten är registrerad")).to_be_visible()


async def test_admin_reads_the_directory_simulates_and_manages_subscriptions(visit: Any, api: Any) -> None:
    v = await visit()
    page = v.page
    await log_in(v, "admin")
    await expect(page.get_by_role("heading", level=1, name="Administration")).to_be_visible()
    await expect(page.get_by_role("table", name="Förvaltningar i Karlskoga kommun")).to_contain_text(
        "Samhällsbyggnadsförvaltningen"
    )
    await assert_accessible(page, "the directory")

    await page.get_by_role("link", name="Regler").click()
    await expect(page.get_by_text(re.compile("Regeluppsättning version"))).to_be_visible()
    await assert_accessible(page, "the rules")

    await page.get_by_role("link", name="Simulera").click()
    await page.get_by_label("Kanal").select_option(label="E-post")
    await page.get_by_label("Text i kontakten").fill("Hej! Behöver jag bygglov för att bygga en altan?")
    await page.get_by_role("button", name="Simulera").click()
    decision = page.get_by_role("region", name="Beslut")
    await expect(decision).to_contain_text("bygglov")
    await expect(decision.get_by_role("heading", name="Förklaring")).to_be_visible()
    await expect(decision.locator(".explanation")).not_to_be_empty()
    await assert_accessible(page, "the simulator with a decision")

    await page.get_by_role("link", name="Prenumerationer").click()
    hook = f"http://127.0.0.1:9/lotsen-{uuid.uuid4().hex[:6]}"
    await expect(page.get_by_label("Förvaltning", exact=True)).to_be_disabled()  # the organisation first
    await page.get_by_label("Organisation").select_option(label="Degerfors kommun")
    await page.get_by_label("Förvaltning", exact=True).select_option(
        label="Barn- och utbildningsförvaltningen"
    )
    await page.get_by_label("Adress (URL)").fill(hook)
    await page.get_by_label("Delad hemlighet").fill("en-lång-hemlighet-för-skolan")
    await page.get_by_role("button", name="Lägg till prenumeration").click()
    await expect(page.get_by_role("row", name=hook)).to_contain_text("Degerfors kommun")
    await assert_accessible(page, "the subscriptions")

    await page.get_by_role("link", name="Leveranser").click()
    await expect(page.get_by_role("heading", level=2, name="Leveranser")).to_be_visible()
    async with api() as client:
        token = await token_of(client, "admin")
    async with api(token) as client:
        deliveries_exist = (
            await client.get("/v1/deliveries", params={"status": "failed"})
        ).status_code == 200
    if deliveries_exist:
        await expect(page.get_by_role("table", name=re.compile("Leveranser"))).to_be_visible()
        retry = page.get_by_role("button", name=re.compile("^Försök igen"))
        if await retry.count():
            await retry.first.click()
            await expect(page.get_by_role("status").filter(has_text="Leveransen görs om.")).to_be_attached()
    else:
        await expect(page.get_by_text("Leveranslistan är inte tillgänglig ännu")).to_be_visible()
    await assert_accessible(page, "the deliveries")

    await page.get_by_role("link", name="Prenumerationer").click()
    await page.get_by_role("button", name=f"Ta bort prenumerationen till {hook}").click()
    await expect(page.get_by_role("row", name=hook)).to_have_count(0)


async def test_supervisor_picks_a_tertial_and_downloads_the_report(visit: Any, api: Any) -> None:
    v = await visit()
    page = v.page
    await log_in(v, "supervisor")
    await page.get_by_role("link", name="Statistik").click()
    await expect(page.get_by_role("heading", level=1, name="Statistik")).to_be_visible()
    for figure in (
        "Svarsfrekvens i telefon",
        "E-post besvarad inom 48 timmar",
        "Lösningsgrad i första linjen",
        "Nöjdhet (NKI)",
        "Volymer",
        "Ärendebalans",
    ):
        await expect(page.get_by_role("heading", level=2, name=figure)).to_be_visible()
    tertial = page.get_by_label("Tertial", exact=True)
    options = await tertial.locator("option").all_inner_texts()
    assert len(options) == 6 and all(re.fullmatch(r"\d{4} T[123] \(.+\)", o) for o in options), options
    await tertial.select_option(index=1)
    await expect(page.get_by_text(re.compile(r"Visar \d{4}-\d{2}-01 – \d{4}-\d{2}-\d{2}"))).to_be_visible()
    await page.get_by_label("Period", exact=True).select_option(label="Egen period")
    await page.get_by_label("Från och med").fill("2026-01-01")
    await page.get_by_label("Till och med").fill("2026-01-31")
    await expect(page.get_by_text("Visar 2026-01-01 – 2026-01-31")).to_be_visible()
    await assert_accessible(page, "the dashboard with a custom period")

    await page.get_by_label("Period", exact=True).select_option(label="Tertial")
    async with api() as client:
        token = await token_of(client, "supervisor")
    async with api(token) as client:
        report = await client.get("/v1/stats/report", params={"period": "2026-T1", "format": "csv"})
    button = page.get_by_role("button", name="Ladda ner rapporten (CSV)")
    if report.status_code == 200:
        async with page.expect_download() as waiting:
            await button.click()
        download = await waiting.value
        assert download.suggested_filename.startswith(
            "lotsen-rapport-"
        ) and download.suggested_filename.endswith(".csv")
    else:
        await button.click()
        await expect(page.get_by_role("alert")).to_contain_text("Rapporten kan inte hämtas ännu")
