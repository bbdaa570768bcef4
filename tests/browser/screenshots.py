"""``make screenshots``: photographs of the main views for the README, in docs/screenshots/.

Starts Lotsen on free ports with the gateway, writes a little demo traffic through the public APIs
(web forms, calls, a letter, a reply, a handoff, a resolved errand with a survey answer), then lets
Debian's Chromium take the pictures.
"""

from __future__ import annotations

import asyncio
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from playwright.async_api import Page, async_playwright

from tests.browser.system import CHROMIUM, CHROMIUM_ARGS, ROOT, running_system

OUT = ROOT / "docs" / "screenshots"
CONNECTOR = {"X-Connector-Key": "dev-connector-key"}
FORMS = [
    (
        "kontakta-oss",
        "Bygglov för altan",
        "Behöver jag bygglov för en altan på 25 kvm?",
        "bygglov",
        "asa@example.se",
    ),
    (
        "kontakta-oss",
        "Faktura barnomsorg",
        "Fakturan för barnomsorg verkar ha fel belopp, nummer 556677.",
        None,
        "erik@example.se",
    ),
    ("felanmalan", "Felanmälan: Skolgatan 7", "Stort hål i asfalten utanför nr 7.", None, "maja@example.se"),
    (
        "kontakta-oss",
        "Skolskjuts till Bregårdsskolan",
        "Hur ansöker jag om skolskjuts för mitt barn?",
        None,
        "li@example.se",
    ),
    (
        "synpunkt",
        "Tack till Kulturhuset",
        "Tack för ett fantastiskt bemötande på Kulturhuset!",
        None,
        "kim@example.se",
    ),
    (
        "kontakta-oss",
        "Tömning av sopkärl",
        "Mitt sopkärl har inte tömts på två veckor.",
        None,
        "sam@example.se",
    ),
]


async def token(client: httpx.AsyncClient, user: str) -> dict[str, str]:
    response = await client.post("/v1/auth/token", data={"username": user, "password": "lotsen-demo"})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def wait_for_cases(
    client: httpx.AsyncClient, headers: dict[str, str], count: int
) -> list[dict[str, Any]]:
    for _ in range(100):
        items = (await client.get("/v1/cases", headers=headers, params={"limit": 50})).json()["items"]
        if len(items) >= count:
            return list(items)
        await asyncio.sleep(0.2)
    raise RuntimeError("the demo errands did not arrive")


async def seed(base: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=15) as client:
        agent = await token(client, "agent")
        supervisor = await token(client, "supervisor")
        await client.post(
            "/v1/kb/articles",
            headers=supervisor,
            json={
                "organization": "karlskoga",
                "title": "Bygglov för altan",
                "body": "Hej! En altan som är lägre än 1,2 meter och ligger minst 4,5 meter från tomtgränsen "
                "behöver normalt inte bygglov. Välkommen att höra av dig om du har fler frågor.",
                "tags": ["bygglov", "altan"],
                "owner_department": "samhallsbyggnad",
                "checklist": ["Fråga om altanens höjd", "Fråga om avståndet till tomtgränsen"],
            },
        )
        for form_id, subject, message, hint, email in FORMS:
            body = {
                "form_id": form_id,
                "organization": "karlskoga",
                "name": email.split("@")[0].title(),
                "email": email,
                "subject": subject,
                "message": message,
                "category_hint": hint,
            }
            (await client.post("/v1/contacts/webform", headers=CONNECTOR, json=body)).raise_for_status()
        await client.post(
            "/v1/contacts/manual",
            headers=agent,
            json={
                "channel": "letter",
                "name": "Karl Berg",
                "subject": "Brev om garage",
                "message": "Brev inkommet om bygglov för garage på Norra Ringvägen 4.",
            },
        )
        now = datetime.now(UTC)
        calls = []
        for i in range(20):
            at = now - timedelta(minutes=60 - i)
            call = {
                "call_id": f"demo-{i}",
                "answer_group": "bygg-miljo" if i % 2 else "barn-skola",
                "from": "+46701234567",
                "to": "+4658681000",
            }
            calls.append({**call, "event": "call.offered", "at": at.isoformat()})
            if i % 7 == 3:
                calls.append(
                    {
                        **call,
                        "event": "call.abandoned",
                        "at": (at + timedelta(seconds=40)).isoformat(),
                        "wait_seconds": 40,
                    }
                )
            else:
                calls.append(
                    {
                        **call,
                        "event": "call.answered",
                        "at": (at + timedelta(seconds=20)).isoformat(),
                        "wait_seconds": 20,
                        "agent": "agent",
                    }
                )
        await client.post("/v1/channels/phone/events", headers=CONNECTOR, json=calls)
        cases = await wait_for_cases(client, agent, len(FORMS) + 1)
        by_subject = {c["subject"]: c for c in cases}
        altan = by_subject["Bygglov för altan"]["ref"]
        await client.post(f"/v1/cases/{altan}/assign", headers=agent, json={"assignee": "agent"})
        await client.post(
            f"/v1/cases/{altan}/messages",
            headers=agent,
            json={"kind": "note", "text": "Ringde upp, altanen är ca 1,5 m hög."},
        )
        school = by_subject["Skolskjuts till Bregårdsskolan"]["ref"]
        await client.post(
            f"/v1/cases/{school}/messages",
            headers=agent,
            json={"kind": "reply", "text": "Hej! Vi har lämnat din fråga till skolskjutshandläggaren."},
        )
        await client.post(
            f"/v1/cases/{school}/handoff",
            headers=agent,
            json={"department": "skola", "reason": "Skolskjuts beslutas av förvaltningen."},
        )
        bins = by_subject["Tömning av sopkärl"]["ref"]
        await client.post(
            f"/v1/cases/{bins}/messages",
            headers=agent,
            json={"kind": "reply", "text": "Hej! Vi har beställt en extra tömning i morgon."},
        )
        await client.post(
            f"/v1/cases/{bins}/resolve",
            headers=agent,
            json={"resolution_code": "fixed", "failure_demand": True},
        )
        exported = (
            await client.get("/v1/privacy/export", headers=supervisor, params={"email": "sam@example.se"})
        ).json()
        code = exported["cases"][0]["access_code"]
        await client.post(
            f"/v1/public/cases/{bins}/survey",
            params={"code": code},
            json={"bemotande": 5, "kunskap": 4, "tillganglighet": 4},
        )
        return {"altan": altan, "bins": bins, "code": code}


async def publish_crisis_notice(base: str) -> None:
    """A crisis notice with the article first line answers from, as a supervisor publishes it."""
    async with httpx.AsyncClient(base_url=base, timeout=15) as client:
        supervisor = await token(client, "supervisor")
        article = await client.post(
            "/v1/kb/articles",
            headers=supervisor,
            json={
                "organization": "karlskoga",
                "title": "Vattenläcka i Bofors: kokavisering",
                "body": "Koka vattnet i minst en minut före förtäring. Tankvagn står vid Bofors torg.",
                "owner_department": "samhallsbyggnad",
            },
        )
        article.raise_for_status()
        notice = await client.post(
            "/v1/kb/notices",
            headers=supervisor,
            json={
                "organization": "karlskoga",
                "severity": "crisis",
                "title": {"sv": "Vattenläcka i Bofors", "en": "Water leak in Bofors"},
                "text": {
                    "sv": "Kokavisering gäller i Bofors tills vidare. Tankvagn står vid Bofors torg.",
                    "en": "Boil your water in Bofors until further notice.",
                },
                "ends_at": (datetime.now(UTC) + timedelta(hours=8)).isoformat(),
                "article_id": article.json()["id"],
            },
        )
        notice.raise_for_status()


async def shoot(page: Page, name: str, *, full_page: bool = False) -> None:
    await page.wait_for_timeout(400)
    await page.screenshot(path=str(OUT / f"{name}.png"), full_page=full_page)
    print(f"  docs/screenshots/{name}.png", flush=True)


async def log_in(page: Page, base: str, user: str) -> None:
    await page.goto(base + "/arbetsyta/logga-in")
    await page.get_by_label("Användarnamn").fill(user)
    await page.get_by_label("Lösenord").fill("lotsen-demo")
    await page.get_by_role("button", name="Logga in").click()
    await page.get_by_text(f"Inloggad som {user}").wait_for()


async def switchboard_shot(page: Page) -> None:
    """Växeln, as an agent sees it: the directory searched by errand type, one person away."""
    await page.get_by_role("link", name="Växel").click()
    await page.get_by_label("Sök i personalkatalogen").fill("bygglov")
    await page.get_by_role("button", name="Frånvaro för Åsa Öberg").click()
    await page.get_by_label("Meddelande till den som ringer").fill("På kurs, åter måndag")
    await page.get_by_label("Ersättare").fill("Anders Lindqvist, 0586-610 43")
    await page.get_by_role("button", name="Spara frånvaro").click()
    await page.get_by_text("Borta tills vidare").wait_for()
    await shoot(page, "switchboard")


async def report_map_shot(page: Page, base: str) -> None:
    """Felanmälan with the pin on the map (the gateway's own tiles: no internet needed)."""
    await page.goto(base + "/felanmalan")
    await page.get_by_label("Vad vill du anmäla?").fill("Gatlyktan utanför nummer 7 lyser inte.")
    await page.get_by_label("Adress eller plats").fill("Skolgatan 7")
    the_map = page.get_by_role("region", name="Karta för att visa var felet finns")
    await the_map.locator("img.leaflet-tile-loaded").first.wait_for()
    box = await the_map.bounding_box()
    assert box is not None
    await the_map.click(position={"x": box["width"] * 0.58, "y": box["height"] * 0.42})
    await page.get_by_role("button", name="Nål där felet finns").wait_for()
    await page.evaluate("document.activeElement?.blur()")
    await page.get_by_label("Adress eller plats").evaluate(
        "e => window.scrollTo(0, e.closest('.field').offsetTop - 16)"
    )
    await shoot(page, "citizen-report-map")


# Shots that need no demo traffic, to take alone: `python -m tests.browser.screenshots citizen-report-map`.
ALONE = {"citizen-report-map": report_map_shot}


async def main_alone(names: list[str]) -> None:
    unknown = [n for n in names if n not in ALONE]
    if unknown:
        raise SystemExit(f"no shot taken alone is called {', '.join(unknown)}; there are {', '.join(ALONE)}")
    OUT.mkdir(parents=True, exist_ok=True)
    async with running_system() as system, async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(
            viewport={"width": 1280, "height": 860}, locale="sv-SE", timezone_id="Europe/Stockholm"
        )
        page = await context.new_page()
        for name in names:
            await ALONE[name](page, system.url)
        await browser.close()


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    async with running_system() as system:
        base = system.url
        data = await seed(base)
        await asyncio.sleep(2)  # let stats count the demo traffic
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = await browser.new_context(
                viewport={"width": 1280, "height": 860}, locale="sv-SE", timezone_id="Europe/Stockholm"
            )
            page = await context.new_page()
            await page.goto(base + "/kontakta-oss")
            await page.get_by_label("Din fråga").fill("Hur gör jag för att få ett parkeringstillstånd?")
            await shoot(page, "citizen-contact-form")
            await page.goto(base + "/felanmalan")
            await page.get_by_role("button", name="Skicka").click()
            await shoot(page, "citizen-report-errors")
            await report_map_shot(page, base)
            await page.goto(f"{base}/folj-arende?ref={data['bins']}&code={data['code']}")
            await page.get_by_text("Besvarat").first.wait_for()
            await shoot(page, "citizen-status", full_page=True)
            await page.goto(f"{base}/folj-arende?ref={data['bins']}&code={data['code']}&lang=ar")
            await page.get_by_text("تم الرد").first.wait_for()
            await shoot(page, "citizen-status-ar", full_page=True)
            await page.get_by_role("button", name="På svenska").click()
            await page.goto(base + "/arbetsyta/logga-in")
            await shoot(page, "login")
            await log_in(page, base, "agent")
            await page.get_by_role("link", name="Första linjen").click()
            await page.get_by_role("link", name="Bygglov för altan").wait_for()
            await shoot(page, "queue")
            await page.get_by_role("link", name="Bygglov för altan").click()
            await page.get_by_role("searchbox", name="Sök i kunskapsbanken").fill("altan")
            await page.get_by_role("button", name="Sök", exact=True).click()
            await page.get_by_role("button", name=re.compile("^Infoga")).first.click()
            await shoot(page, "case", full_page=True)
            await page.get_by_role("button", name="Logga ut").click()
            await log_in(page, base, "supervisor")
            await page.get_by_role("link", name="Statistik").click()
            await page.get_by_test_id("volumes-total").wait_for()
            await shoot(page, "dashboard", full_page=True)
            await page.get_by_role("button", name="Logga ut").click()
            await log_in(page, base, "admin")
            await page.get_by_role("link", name="Simulera").click()
            await page.get_by_label("Text i kontakten").fill(
                "Hej! Behöver jag bygglov för att bygga en altan?"
            )
            await page.get_by_role("button", name="Simulera").click()
            await page.get_by_role("heading", name="Förklaring").wait_for()
            await shoot(page, "admin-simulation", full_page=True)
            await page.get_by_role("button", name="Logga ut").click()
            await publish_crisis_notice(base)
            await log_in(page, base, "agent")
            await page.get_by_role("region", name="Viktiga meddelanden").wait_for()
            await shoot(page, "crisis-notice")
            await switchboard_shot(page)
            await browser.close()


if __name__ == "__main__":
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    asyncio.run(main_alone(sys.argv[1:]) if sys.argv[1:] else main())
