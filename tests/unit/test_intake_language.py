"""Intake's rough language guess: only the obvious cases, otherwise None (routing decides properly)."""

from __future__ import annotations

import pytest

from services.intake.language import guess_language


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("Öppettider", "Hej! Har återvinningscentralen öppet på lördag?"), "sv"),
        (("Fråga", "Jag undrar om bygglov för en altan."), "sv"),
        (("Question", "Hello, can you tell me when the library is open? Thanks"), "en"),
        (("سؤال", "مرحبا، متى تفتح المكتبة؟"), "ar"),
        (("Faktura", "Fakturanummer 123456"), None),
        ((None, "12345 67890 !!!"), None),
        ((None, ""), None),
        (("Hej", "Hello, I have a question about my invoice, please."), "en"),
    ],
)
def test_obvious_languages_are_recognised(texts: tuple[str | None, str], expected: str | None) -> None:
    assert guess_language(*texts) == expected


def test_a_few_arabic_words_in_a_swedish_text_do_not_make_it_arabic() -> None:
    text = "Hej! Jag behöver hjälp med min ansökan om försörjningsstöd och bostadsbidrag. شكرا"
    assert guess_language("Ansökan", text) == "sv"
