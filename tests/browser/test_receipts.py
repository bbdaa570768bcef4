"""A phone errand registered in the workspace: the agent sees the reference and access code to read
out, and prints a receipt for the citizen, in Swedish or English."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration]


async def test_an_agent_registers_a_phone_errand_and_prints_the_receipt(visit: Any, api: Any) -> None:
    marker = uuid.uuid4().hex[:8]
    v = await visit()
    page = v.page
    await log_in(v, "agent")
    await v.goto("/arbetsyta/registrera")
    await page.get_by_role("radio", name="Telefon").check()
    await page.get_by_label("Organisation").select_option("karlskoga")
    await page.get_by_label("Vad gäller ärendet?").fill(
        f"Ringde om tömning av sopkärl på Skolgatan 7 ({marker})."
    )
    await page.get_by_role("textbox", name="Namn").fill("Kim Berg")
    await page.get_by_role("textbox", name="Telefon").fill("070-123 45 67")
    await page.get_by_role("checkbox", name="Vill inte ha enkäten").check()  # the citizen said no
    await page.get_by_role("button", name="Registrera").click()

    panel = page.get_by_role("region", name="Kvitto till medborgaren")
    await expect(panel).to_be_visible()
    facts = panel.locator("dd")
    await expect(facts.nth(0)).to_have_text(re.compile(r"^KGA-\d{4}-\d{6}$"))
    await expect(facts.nth(1)).to_have_text(re.compile(r"^[A-Z2-9]{5} [A-Z2-9]{5}$"))
    ref, code = await facts.nth(0).inner_text(), await facts.nth(1).inner_text()
    await assert_accessible(page, "the registration with its receipt")

    # What the agent reads out is what the citizen types on the status page, spaces and all.
    async with api() as client:
        public = await client.get(f"/v1/public/cases/{ref}", params={"code": code})
        assert public.status_code == 200, public.text

    await panel.get_by_role("link", name="Skriv ut kvitto").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Kvitto för ärende {ref}")
    receipt = page.get_by_role("region", name="Kvitto på ditt ärende")
    await expect(receipt).to_contain_text("Karlskoga kommun")
    await expect(receipt).to_contain_text(ref)
    await expect(receipt).to_contain_text(code)
    await expect(receipt).to_contain_text("/folj-arende")
    await assert_accessible(page, "the printable receipt")

    # For a citizen who reads English, the receipt is printed in English; the workspace stays Swedish.
    await page.get_by_role("radio", name="English").check()
    receipt = page.get_by_role("region", name="Receipt for your errand")
    await expect(receipt).to_contain_text(
        "Follow your errand on the web with the reference number and the code"
    )
    await expect(page.get_by_role("button", name="Skriv ut")).to_be_enabled()

    # On paper: the receipt alone, without the workspace around it.
    await page.emulate_media(media="print")
    await expect(receipt).to_be_visible()
    await expect(page.get_by_role("navigation", name=re.compile("."))).to_be_hidden()
    await expect(page.get_by_role("button", name="Skriv ut")).to_be_hidden()

    # Later, from the errand itself: the receipt can be printed again.
    await page.emulate_media(media="screen")
    await visit_case(page, ref)
    await page.get_by_role("link", name="Skriv ut kvitto").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Kvitto för ärende {ref}")


async def visit_case(page: Any, ref: str) -> None:
    await page.goto(f"/arbetsyta/arenden/{ref}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text(ref)
