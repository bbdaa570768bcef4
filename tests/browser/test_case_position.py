"""A fault report's place on the workspace case page: the address, WGS 84 and SWEREF 99 TM
coordinates and the link to the place on OpenStreetMap; an agent corrects the address and the
timeline says the place was corrected."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in, token_of
from tests.helpers import eventually

pytestmark = [pytest.mark.browser, pytest.mark.integration]


async def test_the_case_page_shows_where_the_fault_is(visit: Any, api: Any) -> None:
    marker = uuid.uuid4().hex[:8]
    async with api() as client:
        posted = await client.post(
            "/v1/contacts/webform",
            json={
                "form_id": "felanmalan",
                "organization": "karlskoga",
                "message": f"Gatlyktan är trasig ({marker})",
                "location": {"lat": 59.3267, "lon": 14.5236},
                "address": "Kyrkbacken 9, Karlskoga",
            },
        )
        assert posted.status_code == 202, posted.text
        token = await token_of(client, "agent")
    async with api(token) as client:

        async def found() -> str | None:
            items = (await client.get("/v1/cases", params={"q": marker})).json()["items"]
            return items[0]["ref"] if items else None

        ref = await eventually(found)

    v = await visit()
    page = v.page
    await log_in(v, "agent")
    await v.goto(f"/arbetsyta/arenden/{ref}")
    place = page.get_by_role("region", name="Plats")
    await expect(place).to_contain_text("Kyrkbacken 9, Karlskoga")
    await expect(place).to_contain_text("59,326700 N, 14,523600 E")
    # SWEREF 99 TM in whole metres, thousands apart as Swedish writes them.
    await expect(place).to_contain_text(re.compile(r"N 6\s576\s528, E 472\s890"))
    link = place.get_by_role("link", name=re.compile("OpenStreetMap"))
    await expect(link).to_have_attribute(
        "href", "https://www.openstreetmap.org/?mlat=59.326700&mlon=14.523600#map=18/59.326700/14.523600"
    )
    await expect(link).to_have_attribute("rel", "noopener noreferrer")
    await assert_accessible(page, "the case page with a place")

    await place.get_by_text("Rätta platsen").click()
    await place.get_by_label("Adress eller plats").fill("Kyrkbacken 11, Karlskoga")
    await place.get_by_label("Varför rättas platsen?").fill("Lyktan står vid nr 11")
    await assert_accessible(page, "the form that corrects the place")
    await place.get_by_role("button", name="Spara platsen").click()
    await expect(place.get_by_text("Platsen är rättad")).to_be_visible()
    await expect(place.locator("dl")).to_contain_text("Kyrkbacken 11, Karlskoga")
    entry = (
        page.get_by_role("region", name="Händelselogg")
        .get_by_role("listitem")
        .filter(has_text="Plats rättad")
    )
    await expect(entry).to_contain_text("”Lyktan står vid nr 11”")
