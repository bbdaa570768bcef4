"""Open311-nycklar in the web app: an administrator issues a key for a fault-report app, the app
posts a request with it through the gateway, and once the key is withdrawn the app is shut out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.unit.test_intake_open311 import POTHOLE

pytestmark = [pytest.mark.browser, pytest.mark.integration]


async def post_request(api: Any, key: str) -> int:
    async with api() as client:
        response = await client.post("/open311/v2/requests.json", data={**POTHOLE, "api_key": key})
        return int(response.status_code)


async def test_an_administrator_issues_a_key_the_app_uses_and_withdraws_it(visit: Any, api: Any) -> None:
    v = await visit()
    page = v.page
    await log_in(v, "admin")
    await v.goto("/arbetsyta/admin?del=open311")
    await expect(page.get_by_role("heading", name="Open311-nycklar")).to_be_visible()
    await page.get_by_role("button", name="Skapa nyckel").click()
    await expect(page.get_by_text("Skriv appens namn").first).to_be_visible()  # nothing written yet

    await page.get_by_label("Appens namn").fill("FixaMinGata")
    await page.get_by_label("Organisation", exact=True).select_option(label="Karlskoga kommun")
    await page.get_by_label("Högst per timme (valfritt)").fill("60")
    await page.get_by_role("button", name="Skapa nyckel").click()
    shown = page.get_by_label("Ny nyckel för FixaMinGata")
    await expect(shown).to_have_value(re.compile(r"^o311_.{20,}$"))
    key = await shown.input_value()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="FixaMinGata"))
    await expect(row).to_contain_text("Karlskoga kommun")
    await expect(row).to_contain_text("60 /")
    await assert_accessible(page, "the Open311 keys")

    assert await post_request(api, key) == 200  # GeoReport answers a new request with 200

    await row.get_by_role("button", name="Dra in nyckeln för FixaMinGata").click()
    await expect(page.get_by_text("Nyckeln för FixaMinGata är indragen.").first).to_be_visible()
    await expect(page.get_by_role("rowheader", name="FixaMinGata")).to_have_count(0)
    await expect(page.get_by_label("Ny nyckel för FixaMinGata")).to_have_count(0)
    assert await post_request(api, key) == 403
