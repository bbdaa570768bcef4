"""The dashboard for a department handler and the category × handled-by table, in a real browser.

A handler opens Statistik and sees the case figures of their departments only, with the page naming
those departments and no telephony card; the supervisor sees the category × handled-by table with
the numbers stats gives for the errands just posted.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in, token_of
from tests.helpers import eventually

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CONNECTOR = {"X-Connector-Key": "dev-connector-key"}
MEASURES = ("cases", "routed_first_line", "routed_department", "resolved_first_line",
            "handled_by_department", "handed_off", "pending")  # fmt: skip


def this_tertial() -> dict[str, str]:
    """The dashboard's default period: the tertial of today in Stockholm."""
    today = datetime.now(ZoneInfo("Europe/Stockholm")).date()
    first = (today.month - 1) // 4 * 4 + 1
    last = {4: 30, 8: 31, 12: 31}[first + 3]
    return {"from": f"{today.year}-{first:02d}-01", "to": f"{today.year}-{first + 3:02d}-{last}"}


async def post_errands(api: Any, marker: str, n: int) -> None:
    """``n`` web-form errands that routing cannot place: övriga ärenden, no department."""
    async with api() as client:
        for i in range(n):
            posted = await client.post(
                "/v1/contacts/webform",
                headers=CONNECTOR,
                json={
                    "form_id": "kontakta-oss",
                    "organization": "karlskoga",
                    "subject": f"Fråga {marker} {i}",
                    "message": f"Hej, jag undrar en sak. ({marker})",
                    "name": "Kim Berg",
                    "email": f"kim.{marker}.{i}@example.se",
                },
            )
            assert posted.status_code == 202, posted.text


async def other_errands(client: Any) -> dict[str, Any] | None:
    rows = (await client.get("/v1/stats/category-handling", params=this_tertial())).json()["categories"]
    return next((r for r in rows if r["key"] == "ovriga-arenden"), None)


async def test_a_handler_sees_their_departments_figures_and_no_telephony(visit: Any, api: Any) -> None:
    async with api() as client:
        supervisor = await token_of(client, "supervisor")
        handler = await token_of(client, "handler")
    async with api(supervisor) as client:
        before = await other_errands(client)
        await post_errands(api, uuid.uuid4().hex[:8], 1)

        async def posted() -> dict[str, Any] | None:
            now = await other_errands(client)
            return now if now and now["cases"] > (before or {"cases": 0})["cases"] else None

        await eventually(posted)
        everything = (await client.get("/v1/stats/volumes", params=this_tertial())).json()["total"]
    async with api(handler) as client:
        theirs = (await client.get("/v1/stats/volumes", params=this_tertial())).json()
    assert theirs["scope"]["departments"] == ["samhallsbyggnad", "skola"]
    assert theirs["total"] < everything  # the övriga ärenden just posted have no department

    person = await visit()
    page = person.page
    await log_in(person, "handler")
    await page.get_by_role("link", name="Statistik").click()
    await expect(page.get_by_role("heading", level=1, name="Statistik")).to_be_visible()
    scope = page.get_by_test_id("figures-scope")
    await expect(scope).to_contain_text("Samhällsbyggnadsförvaltningen, Barn- och utbildningsförvaltningen")
    await expect(scope).to_contain_text("Telefonin redovisas per svarsgrupp")
    await expect(page.get_by_test_id("volumes-total")).to_have_text(f"Ärenden totalt: {theirs['total']}")
    await expect(page.get_by_role("heading", name="E-post besvarad inom 48 timmar")).to_be_visible()
    await expect(page.get_by_role("heading", name="Kategori × hanterad av")).to_be_visible()
    await expect(page.get_by_role("heading", name="Svarsfrekvens i telefon")).to_have_count(0)
    await expect(page.get_by_role("alert")).to_have_count(0)  # nothing refused shows as a fault
    table = page.get_by_role("table", name=re.compile("^Ärenden per kategori"))
    await expect(table).to_be_visible()
    await expect(table.get_by_role("row", name=re.compile("^Övriga ärenden"))).to_have_count(0)
    await assert_accessible(page, "a handler's dashboard")


async def test_the_supervisor_sees_category_by_handled_by(visit: Any, api: Any) -> None:
    async with api() as client:
        supervisor = await token_of(client, "supervisor")
    async with api(supervisor) as client:
        before = await other_errands(client)
        await post_errands(api, uuid.uuid4().hex[:8], 2)

        async def posted() -> dict[str, Any] | None:
            now = await other_errands(client)
            return now if now and now["cases"] >= (before or {"cases": 0})["cases"] + 2 else None

        row = await eventually(posted)
    assert (
        row["routed_first_line"] >= 2 and row["cases"] == row["routed_first_line"] + row["routed_department"]
    )

    person = await visit()
    page = person.page
    await log_in(person, "supervisor")
    await page.get_by_role("link", name="Statistik").click()
    table = page.get_by_role("table", name=re.compile("^Ärenden per kategori"))
    await expect(table).to_be_visible()
    shown = table.get_by_role("row", name=re.compile("^Övriga ärenden"))
    await expect(shown.get_by_role("cell")).to_have_text(
        ["Övriga ärenden", *(str(row[m]) for m in MEASURES), re.compile(".")]
    )
    await expect(page.get_by_test_id("figures-scope")).to_have_count(0)
    await assert_accessible(page, "the category × handled-by table")
