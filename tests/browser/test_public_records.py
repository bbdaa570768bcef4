"""Public records: an agent registers a citizen's message as an allmän handling and sees its diary
number; a supervisor finds it in the registry (in English) and downloads the CSV export."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in, token_of
from tests.helpers import eventually

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CONNECTOR = {"X-Connector-Key": "dev-connector-key"}
DIARY_NUMBER = re.compile(r"KGA \d{4}/\d{6}")


async def test_a_registered_message_gets_a_diary_number_the_registry_lists(
    visit: Any, api: Any, tmp_path: Path
) -> None:
    marker = uuid.uuid4().hex[:8]
    form = {
        "subject": f"Synpunkt på snöröjningen {marker}",
        "message": f"Gång- och cykelvägen vid Bergsgatan plogas aldrig. ({marker})",
        "name": "Maria Ek",
        "email": f"maria.{marker}@example.se",
    }
    async with api() as client:
        posted = await client.post(
            "/v1/contacts/webform",
            headers=CONNECTOR,
            json={"form_id": "kontakta-oss", "organization": "karlskoga", **form},
        )
        assert posted.status_code == 202, posted.text
        agent_token = await token_of(client, "agent")
    async with api(agent_token) as client:

        async def case_ref() -> str | None:
            listed = (await client.get("/v1/cases", params={"q": marker})).json()["items"]
            return str(listed[0]["ref"]) if listed else None

        ref = await eventually(case_ref)

    v = await visit()
    page = v.page
    await log_in(v, "agent")
    await v.goto(f"/arbetsyta/arenden/{ref}")
    message = page.get_by_role("article").filter(has_text=form["message"])
    await message.get_by_role("button", name="Registrera som allmän handling").click()
    await expect(message.get_by_label("Sekretessmarkering (paragraf i OSL)")).to_have_accessible_description(
        re.compile("^Till exempel 26 kap. 1 § OSL")
    )
    await message.get_by_role("button", name="Registrera", exact=True).click()
    registered = message.get_by_text(re.compile("^Registrerad som allmän handling"))
    await expect(registered).to_have_text(re.compile(r"^Registrerad som allmän handling: KGA \d{4}/\d{6}$"))
    number = DIARY_NUMBER.search(await registered.inner_text())
    assert number is not None
    panel = page.get_by_role("region", name="Allmän handling")
    await expect(panel).to_contain_text(f"Meddelande: {number.group()}")
    await expect(message.get_by_role("button", name="Registrera som allmän handling")).to_have_count(0)
    await assert_accessible(page, "a case with a registered message")

    v = await visit()
    page = v.page
    await log_in(v, "supervisor")
    await page.get_by_role("button", name="In English").click()
    await page.get_by_role("link", name="Registry").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Registry: public records")
    table = page.get_by_role("region", name=re.compile("^Registered records"))
    row = table.get_by_role("row").filter(has_text=number.group())
    await expect(row).to_contain_text(form["subject"])
    await expect(row).to_contain_text("Incoming")
    await expect(row).to_contain_text(f"Maria Ek <{form['email']}>")
    await assert_accessible(page, "the registry")
    async with page.expect_download() as waiting:
        await page.get_by_role("button", name="Download CSV").click()
    saved = tmp_path / "registry.csv"
    await (await waiting.value).save_as(saved)
    exported = saved.read_text(encoding="utf-8")
    assert exported.startswith("diary_number,registered_date,registered_at,organization,case_ref,")
    assert f"{number.group()}," in exported and form["subject"] in exported
