"""Arabic for citizens: the contact form and the status page right to left (``<html dir="rtl">``),
the language switch between Swedish, English and Arabic, axe on both pages, and an errand sent in
Arabic acknowledged in Arabic with a link that opens the status page in Arabic."""

from __future__ import annotations

import re
import uuid
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible
from tests.helpers import eventually
from tests.notify_support import Outbox

pytestmark = [pytest.mark.browser, pytest.mark.integration]

LINK = re.compile(r"https?://\S+")
STARTS_AT_THE_RIGHT = """(selector) => {
  const element = document.querySelector(selector);
  const words = document.createRange();
  words.selectNodeContents(element);
  const text = words.getBoundingClientRect(), box = element.getBoundingClientRect();
  return text.left - box.left > box.right - text.right;
}"""


async def acknowledgement_to(outbox: Outbox, address: str) -> EmailMessage:
    async def caught() -> EmailMessage | None:
        return next((m for m in outbox.messages() if address in str(m["To"])), None)

    return await eventually(caught, timeout=60, every=0.5)  # type: ignore[no-any-return]


async def test_the_arabic_contact_form_is_right_to_left_and_answered_in_arabic(
    visit: Any, stack_outbox: Outbox
) -> None:
    marker = uuid.uuid4().hex[:8]
    address = f"amal.{marker}@example.se"
    v = await visit()
    page, html = v.page, v.page.locator("html")
    await v.goto("/kontakta-oss")
    await expect(html).to_have_attribute("dir", "ltr")
    await page.get_by_role("button", name="العربية").click()
    await expect(page.get_by_role("heading", level=1, name="تواصل معنا")).to_be_visible()
    await expect(html).to_have_attribute("lang", "ar")
    await expect(html).to_have_attribute("dir", "rtl")
    assert await page.evaluate("document.documentElement.dir") == "rtl"
    # The layout mirrors: the heading's words sit at the right edge of the page.
    assert await page.evaluate(STARTS_AT_THE_RIGHT, "main h1")
    await expect(page.get_by_role("radio", name="العربية")).to_be_checked()
    await assert_accessible(page, "the contact form in Arabic")

    await page.get_by_label("سؤالك").fill(f"مرحبًا، متى تفتح المكتبة يوم السبت؟ {marker}")
    await page.get_by_label("البريد الإلكتروني").fill(address)
    await page.get_by_role("button", name="إرسال").click()
    await expect(page.get_by_role("heading", name="شكرًا لك! لقد استلمنا رسالتك")).to_be_focused()

    mail = await acknowledgement_to(stack_outbox, address)
    assert mail["Content-Language"] == "ar"
    plain, rich = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and rich is not None
    assert "شكرًا لتواصلك مع" in plain.get_content()
    assert '<html lang="ar" dir="rtl">' in rich.get_content()

    # Back in Swedish, the page is laid out left to right again.
    await page.get_by_role("button", name="På svenska").click()
    await expect(page.get_by_role("heading", level=1, name="Kontakta oss")).to_be_visible()
    await expect(html).to_have_attribute("dir", "ltr")


async def test_the_status_page_opens_in_arabic_from_the_mail_and_switches_language(
    visit: Any, api: Any, stack_outbox: Outbox
) -> None:
    address = f"huda.{uuid.uuid4().hex[:8]}@example.se"
    form = {
        "form_id": "kontakta-oss",
        "organization": "karlskoga",
        "email": address,
        "message": "Hej, jag vill veta när biblioteket öppnar på lördag.",
        "language": "ar",
    }
    async with api() as client:
        assert (await client.post("/v1/contacts/webform", json=form)).status_code == 202
    mail = await acknowledgement_to(stack_outbox, address)
    plain = mail.get_body(("plain",))
    assert plain is not None
    link = next(m.group(0) for m in LINK.finditer(plain.get_content()) if "lang=ar" in m.group(0))
    query = parse_qs(urlsplit(link).query)
    ref = query["ref"][0]
    assert ref in plain.get_content()  # unbroken, between left-to-right marks

    v = await visit()
    page, html = v.page, v.page.locator("html")
    await v.goto(f"/folj-arende?{urlsplit(link).query}")
    result = page.get_by_role("heading", level=2, name=re.compile(re.escape(ref)))
    await expect(result).to_contain_text("الطلب")
    await expect(html).to_have_attribute("dir", "rtl")
    await expect(page.get_by_role("heading", level=1, name="تابع طلبك")).to_be_visible()
    assert await page.evaluate(STARTS_AT_THE_RIGHT, "main h1")
    await expect(page.locator(".status-line")).to_contain_text(re.compile("تم الاستلام|قيد المعالجة"))
    await assert_accessible(page, "the status page in Arabic")

    await page.get_by_role("button", name="In English").click()
    await expect(page.get_by_role("heading", level=1, name="Follow your errand")).to_be_visible()
    await expect(html).to_have_attribute("dir", "ltr")
    await page.get_by_role("button", name="العربية").click()
    await expect(html).to_have_attribute("dir", "rtl")
    await expect(page.get_by_role("heading", level=1, name="تابع طلبك")).to_be_visible()
