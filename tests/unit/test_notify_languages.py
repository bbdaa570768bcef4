"""The citizen's texts in Swedish, English and Arabic: chosen from the contact's language, Arabic
mail right to left in its HTML part, and the reference unbroken in every plain text."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from types import SimpleNamespace
from typing import Any

import pytest

from lotsen.directory import directory_from
from services.intake.email.parse import CASE_REF
from services.notify import rendering
from services.notify.citizen import delivery_for
from services.notify.mail_message import compose
from tests.notify_events import T0, new_ref, outbound

NOTIFIER: Any = SimpleNamespace(
    settings=SimpleNamespace(status_page_url="https://karlskoga.example/folj-arende"),
    clock=lambda: T0,
    organization=directory_from().organization,
)
GREETING = {"sv": "Tack för att du kontaktade", "en": "Thank you for contacting", "ar": "شكرًا لتواصلك مع"}


def mail_of(language: str | None, kind: str = "acknowledgement", **extra: Any) -> dict[str, Any]:
    ref = new_ref()
    event = outbound(ref, kind=kind, language=language, **extra)
    delivery = delivery_for(event, NOTIFIER, confidential=False)
    return {"ref": ref, **delivery["email"]}


def parsed(mail: dict[str, Any]) -> EmailMessage:
    message = email.message_from_bytes(compose(mail, clock=lambda: T0).data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.parametrize(
    ("stated", "language"),
    [("sv", "sv"), ("en", "en"), ("en-GB", "en"), ("ar", "ar"), ("AR", "ar"), ("other", "sv"), (None, "sv")],
)
def test_the_acknowledgement_is_in_the_contacts_language_and_swedish_otherwise(
    stated: str | None, language: str
) -> None:
    mail = mail_of(stated)
    assert mail["language"] == language
    assert GREETING[language] in mail["body"]
    assert mail["ref"] in mail["body"]
    assert "K7PQ2XW9RT" in mail["body"]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_swedish_and_english_mail_stays_one_plain_text_part(language: str) -> None:
    message = parsed(mail_of(language))
    assert message.get_content_type() == "text/plain"
    assert message["Content-Language"] == language
    assert GREETING[language] in message.get_content()


def test_arabic_mail_has_a_right_to_left_html_part_and_a_readable_plain_text() -> None:
    mail = mail_of("ar")
    message = parsed(mail)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Content-Language"] == "ar"
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    text, markup = plain.get_content(), html.get_content()
    # The reference stays one run of characters, fenced by left-to-right marks inside Arabic lines.
    assert f"رقم المرجع: \u200e{mail['ref']}\u200e" in text
    assert "مع أطيب التحيات" in text
    assert '<html lang="ar" dir="rtl">' in markup
    assert 'dir="rtl"' in markup.split("<body", 1)[1]
    assert GREETING["ar"] in markup and mail["ref"] in markup
    # The status page opens in Arabic, and the link in the HTML part is a link.
    link = f"ref={mail['ref']}&amp;code=K7PQ2XW9RT&amp;lang=ar"
    assert f'<a href="https://karlskoga.example/folj-arende?{link}" dir="ltr">' in markup


def test_html_part_escapes_what_the_citizen_wrote() -> None:
    mail = mail_of("ar", kind="reply", text="<script>alert(1)</script> شكرًا")
    markup = parsed(mail).get_body(("html",))
    assert markup is not None
    assert "<script>" not in markup.get_content()
    assert "&lt;script&gt;" in markup.get_content()


def test_an_arabic_reply_keeps_the_agents_text_and_frames_it_in_arabic() -> None:
    mail = mail_of("ar", kind="reply", text="نعم، تحتاج إلى ترخيص بناء.")
    assert mail["body"].startswith("نعم، تحتاج إلى ترخيص بناء.")
    assert f"رقم الطلب: \u200e{mail['ref']}\u200e" in mail["body"]


def test_messenger_text_in_arabic_is_plain_with_the_reference() -> None:
    ref = new_ref()
    event = outbound(
        ref,
        channel="facebook",
        kind="acknowledgement",
        language="ar",
        to={"email": None, "facebook_psid": "psid-1"},
    )
    text = delivery_for(event, NOTIFIER, confidential=False)["messenger"]["text"]
    assert GREETING["ar"] in text and ref in text and "<" not in text


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("sv", "tisdag 3 mars 2026 kl. 10:00"),
        ("en", "Tuesday 3 March 2026 at 10:00 (Swedish time)"),
        ("ar", "الثلاثاء 3 مارس 2026 الساعة 10:00 (بتوقيت السويد)"),
    ],
)
def test_times_are_swedish_time_in_each_language(language: rendering.Language, written: str) -> None:
    assert rendering.local_time(datetime(2026, 3, 3, 9, 0, tzinfo=UTC), language) == written


@pytest.mark.parametrize("language", ["sv", "en", "ar"])
def test_the_survey_subject_keeps_the_reference_tag_intake_threads_on(language: rendering.Language) -> None:
    # A citizen answering the invitation lands on the same case only if "[ref]" is intact.
    subject = rendering.render("survey.subject", language, ref="KGA-2026-000123", organization="Karlskoga")
    assert CASE_REF.search(subject) is not None


def test_the_arabic_acknowledgement_says_when_a_closed_contact_centre_opens_again() -> None:
    context = {"organization": "Karlskoga kommun", "name": None, "ref": "KGA-2026-000123", "due": None}
    context |= {"access_code": None, "status_link": "", "channel": "email"}
    opens = rendering.local_time(datetime(2026, 3, 9, 7, 0, tzinfo=UTC), "ar")
    closed = rendering.render("acknowledgement", "ar", opens=opens, **context)
    assert "مركز الاتصال مغلق الآن، ويفتح مرة أخرى يوم الاثنين 9 مارس 2026 الساعة 08:00" in closed
    assert "مغلق" not in rendering.render("acknowledgement", "ar", opens=None, **context)
    assert "مغلق" not in rendering.render("acknowledgement", "ar", **context)
