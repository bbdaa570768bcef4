"""The citizens' pages: accessible (axe, keyboard only), Swedish by default with English, and the
fault report with a photo and a position arriving at intake as one contact."""

from __future__ import annotations

import base64
import re
import uuid
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, token_of
from tests.helpers import eventually

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CITIZEN_PAGES = {
    "/": "Kontakta Karlskoga kommun",
    "/kontakta-oss": "Kontakta oss",
    "/synpunkt": "Lämna synpunkt",
    "/felanmalan": "Felanmälan",
    "/folj-arende": "Följ ditt ärende",
    "/finns-inte": "Sidan finns inte",
}
# A 1×1 PNG: a "photo" of the pothole.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


async def test_every_citizen_page_passes_axe_also_with_errors_shown(visit: Any) -> None:
    v = await visit()
    for path, heading in CITIZEN_PAGES.items():
        await v.goto(path)
        await expect(v.page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        await assert_accessible(v.page, path)
    # The error states: the summary links to fields whose errors are tied to them.
    await v.goto("/kontakta-oss")
    await v.page.get_by_role("button", name="Skicka").click()
    summary = v.page.get_by_role("heading", name="Det finns fel i formuläret")
    await expect(summary).to_be_visible()
    question = v.page.get_by_label("Din fråga")
    await expect(question).to_have_attribute("aria-invalid", "true")
    await expect(question).to_have_accessible_description(re.compile("Skriv din fråga"))
    await expect(v.page.get_by_label("E-post")).to_have_accessible_description(re.compile("Fyll i e-post"))
    await assert_accessible(v.page, "Kontakta oss with errors")
    await v.goto("/folj-arende")
    await v.page.get_by_label("Ärendenummer").fill("KGA-2026-999999")
    await v.page.get_by_label("Kod").fill("FELKOD")
    await v.page.get_by_role("button", name="Visa ärendet").click()
    await expect(v.page.get_by_role("alert")).to_contain_text("Vi hittar inget ärende")
    await assert_accessible(v.page, "Följ ditt ärende, not found")


async def test_a_citizen_gives_feedback_with_the_keyboard_only(visit: Any) -> None:
    v = await visit()
    page = v.page
    await v.goto("/synpunkt")
    # Wait for the app to have rendered the form before the first key press: a Tab pressed while
    # the script still loads moves focus past the skip link.
    await expect(page.get_by_label("Din synpunkt")).to_be_visible()
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till huvudinnehållet")
    await expect(skip).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("main")).to_be_focused()
    # From the top of <main>, the first stop is the feedback text; then through the form to "Skicka".
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Din synpunkt")).to_be_focused()
    await page.keyboard.type(f"Tack för ett fint bemötande på Kulturhuset! {uuid.uuid4().hex[:6]}")
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Namn")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("E-post")).to_be_focused()
    await page.keyboard.type("kim@example.se")
    for _ in range(12):
        await page.keyboard.press("Tab")
        if await page.get_by_role("button", name="Skicka").evaluate("b => b === document.activeElement"):
            break
    await expect(page.get_by_role("button", name="Skicka")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Tack! Vi har tagit emot ditt meddelande")).to_be_focused()
    await expect(page.get_by_text("Du får ett kvitto med ärendenummer och kod")).to_be_visible()


async def test_fault_report_with_photo_and_position_reaches_the_queue(visit: Any, api: Any) -> None:
    marker = uuid.uuid4().hex[:8]
    v = await visit()
    page = v.page
    await v.goto("/felanmalan")
    await page.get_by_label("Vad vill du anmäla?").fill(f"Stort hål i asfalten {marker}")
    await page.get_by_label("Adress eller plats").fill(f"Skolgatan 7 {marker}")
    await page.get_by_label("Latitud").fill("59,3267")
    await page.get_by_label("Longitud").fill("14.5237")
    await page.get_by_label("Bilder").set_input_files(
        [{"name": "hal.png", "mimeType": "image/png", "buffer": PNG}]
    )
    await expect(page.get_by_role("list", name="Valda filer")).to_contain_text("hal.png")
    await page.get_by_label("E-post").fill(f"maja.{marker}@example.se")
    await page.get_by_role("button", name="Skicka").click()
    await expect(page.get_by_role("heading", name="Tack! Vi har tagit emot ditt meddelande")).to_be_visible()

    async with api() as client:
        token = await token_of(client, "agent")
    async with api(token) as client:

        async def our_case() -> dict[str, Any] | None:
            found = (await client.get("/v1/cases", params={"q": marker})).json()["items"]
            return found[0] if found else None

        case = await eventually(our_case)
        detail = (await client.get(f"/v1/cases/{case['ref']}")).json()
    assert case["subject"] == f"Felanmälan: Skolgatan 7 {marker}"
    first = detail["messages"][0]
    assert [a["name"] for a in first["attachments"]] == ["hal.png"]


async def test_english_is_one_click_away_and_dates_stay_swedish(visit: Any) -> None:
    v = await visit()
    page = v.page
    await v.goto("/kontakta-oss")
    await expect(page.locator("html")).to_have_attribute("lang", "sv")
    await page.get_by_role("button", name="In English").click()
    await expect(page.get_by_role("heading", level=1, name="Contact us")).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.reload()
    await expect(page.get_by_role("heading", level=1, name="Contact us")).to_be_visible()
    await assert_accessible(page, "Contact us in English")
    await page.get_by_role("button", name="På svenska").click()
    await expect(page.get_by_role("heading", level=1, name="Kontakta oss")).to_be_visible()
