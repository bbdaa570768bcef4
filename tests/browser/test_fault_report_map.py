"""The fault report's map: the citizen puts the pin by button, typed coordinates and a click on the
map (the gateway's own tiles), and the contact carries that position and the address; without the
map (Leaflet or the tiles cannot be loaded) the page says so and the fields still send the report."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.async_api import Page, expect

from lotsen.contracts import topics
from lotsen.devserver.stack import Stack
from tests.browser.conftest import assert_accessible
from tests.helpers import eventually
from tests.intake_support import read_events

pytestmark = [pytest.mark.browser, pytest.mark.integration]

MAP = "Karta för att visa var felet finns"
PIN = "Nål där felet finns"
UNAVAILABLE = "Kartan kunde inte laddas"
# Where the map opens (config.ts): Karlskoga.
CENTRE = (59.327, 14.524)


def coordinate(text: str) -> float:
    return float(text.replace(",", "."))


async def send_and_read_contact(page: Page, stack: Stack) -> Any:
    async with page.expect_response("**/v1/contacts/webform") as answer:
        await page.get_by_role("button", name="Skicka").click()
    contact_id = (await (await answer.value).json())["contact_id"]
    await expect(page.get_by_role("heading", name="Tack! Vi har tagit emot ditt meddelande")).to_be_visible()
    [received] = await read_events(
        stack.bootstrap_servers,
        topics.CONTACTS_RECEIVED,
        lambda e: e.data.contact_id == contact_id,
        at_least=1,
    )
    return received.data


async def test_the_citizen_puts_the_pin_on_the_map_and_the_contact_carries_it(
    visit: Any, stack: Stack
) -> None:
    marker = uuid.uuid4().hex[:8]
    v = await visit()
    page = v.page
    await v.goto("/felanmalan")
    the_map = page.get_by_role("region", name=MAP)
    await expect(the_map.locator("img.leaflet-tile-loaded").first).to_be_visible()
    await expect(page.get_by_text(UNAVAILABLE)).to_have_count(0)
    lat, lon = page.get_by_label("Latitud"), page.get_by_label("Longitud")
    pin = page.get_by_role("button", name=PIN)
    await expect(pin).to_have_count(0)

    # With the keyboard: the pin at the map's centre, which is the organisation's town.
    await page.get_by_role("button", name="Sätt nålen här").press("Enter")
    await expect(pin).to_be_visible()
    assert (coordinate(await lat.input_value()), coordinate(await lon.input_value())) == CENTRE
    await assert_accessible(page, "Felanmälan with the map and its pin")

    # Typed coordinates move the pin (south-west of the centre: lower and to the left on the map).
    before = await pin.bounding_box()
    await lat.fill("59,3255")
    await lon.fill("14,5210")

    async def moved_pin() -> dict[str, float] | None:
        box = await pin.bounding_box()
        return box if box != before else None

    moved = await eventually(moved_pin)
    assert before and moved and moved["y"] > before["y"] and moved["x"] < before["x"]

    # A click on the map puts the pin there, north-east of the centre, and the fields follow.
    box = await the_map.bounding_box()
    assert box
    await the_map.click(position={"x": box["width"] * 0.75, "y": box["height"] * 0.25})
    await expect(lat).not_to_have_value("59,3255")
    clicked = (coordinate(await lat.input_value()), coordinate(await lon.input_value()))
    assert clicked[0] > CENTRE[0] and clicked[1] > CENTRE[1]
    assert clicked[0] - CENTRE[0] < 0.05 and clicked[1] - CENTRE[1] < 0.05
    await expect(lat).to_have_value(re.compile(r"^59\.\d{6}$"))

    await page.get_by_label("Vad vill du anmäla?").fill(f"Gatlyktan lyser inte {marker}")
    await page.get_by_label("Adress eller plats").fill(f"Skolgatan 7 {marker}")
    contact = await send_and_read_contact(page, stack)
    assert contact.location.lat == pytest.approx(clicked[0], abs=1e-6)
    assert contact.location.lon == pytest.approx(clicked[1], abs=1e-6)
    assert contact.address == f"Skolgatan 7 {marker}"
    assert contact.form_id == "felanmalan"


async def test_without_the_map_the_fields_still_send_the_report(visit: Any, stack: Stack) -> None:
    # Leaflet itself cannot be loaded: no map, a notice in its place, the fields as before.
    marker = uuid.uuid4().hex[:8]
    v = await visit()
    page = v.page
    await page.route(re.compile(r"/assets/leafletMap-[^/]*\.js$"), lambda route: route.abort())
    await v.goto("/felanmalan")
    await expect(page.get_by_role("status").filter(has_text=UNAVAILABLE)).to_be_visible()
    await expect(page.get_by_role("button", name="Sätt nålen här")).to_have_count(0)
    await expect(page.get_by_role("button", name="Använd min position")).to_be_visible()
    await page.get_by_label("Vad vill du anmäla?").fill(f"Nedblåst skylt {marker}")
    await page.get_by_label("Adress eller plats").fill("Rundeln vid Bofors")
    await page.get_by_label("Latitud").fill("59,3301")
    await page.get_by_label("Longitud").fill("14,5302")
    await assert_accessible(page, "Felanmälan without its map")
    contact = await send_and_read_contact(page, stack)
    assert (contact.location.lat, contact.location.lon) == (pytest.approx(59.3301), pytest.approx(14.5302))
    assert contact.address == "Rundeln vid Bofors"

    # The tiles cannot be loaded (offline, or the tile server is down), in Arabic, right to left.
    arabic = await visit(language="ar")
    await arabic.page.route("**/dev-tiles/**", lambda route: route.abort())
    await arabic.goto("/felanmalan")
    await expect(arabic.page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(arabic.page.get_by_role("status").filter(has_text="تعذّر تحميل الخريطة")).to_be_visible()
    await expect(arabic.page.get_by_role("region", name="خريطة لتحديد مكان العطل")).to_be_visible()
    await assert_accessible(arabic.page, "Felanmälan in Arabic with no tiles")
