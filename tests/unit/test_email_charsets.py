"""E-mail text in the charset its sender meant, whatever the label says (services/intake/email/charsets)."""

from __future__ import annotations

import pytest

from services.intake.email.charsets import decode

SWEDISH = "Hej! Gatlampan utanför vårt hus på Ängsvägen är trasig – sedan en vecka. Hälsningar Åsa"
RUSSIAN = "Здравствуйте, как получить разрешение на парковку возле нашего дома на улице Кунгсгатан?"
GREEK = "Γεια σας, πώς παίρνω άδεια στάθμευσης για το σπίτι μας στην οδό Κουνγκσγκάταν;"
CHINESE = "我家门前的垃圾已经三天没有收了。请帮忙。我们住在卡尔斯库加市中心的公寓楼里，垃圾桶已经满了。"


@pytest.mark.parametrize(
    "text, codec, label",
    [
        ("李喆的停车许可申请，朱镕基路", "gbk", "GB2312"),
        ("駐車許可証をなくしました", "shift_jis", "ISO-2022-JP"),
        ("①番の書類について㈱", "cp932", "Shift_JIS"),
        ("똠방각하 주차 문의", "cp949", "EUC-KR"),
        ("圍碁社團活動場地", "cp950", "big5"),
        ("Avgiften – 500 € – “snabbt”", "cp1252", "ISO-8859-1"),
        ("Avgiften – 500 € – “snabbt”", "cp1252", "utf-8"),
        ("Fråga om förskola", "utf-8", "us-ascii"),
        ("Fråga om förskola", "utf-8", "x-unknown"),
        ("Fråga om förskola", "cp1252", "utf-8lol"),
        ("Fråga om förskola", "utf-8", "base64"),  # a codec that is no charset is no label
        ("Okul hakkında soru: oğlum", "cp1254", "ISO-8859-9"),
    ],
)
def test_a_label_is_read_as_the_programs_that_write_it_mean_it(text: str, codec: str, label: str) -> None:
    assert decode(text.encode(codec), label) == text


@pytest.mark.parametrize("text, codec", [(RUSSIAN, "koi8_r"), (GREEK, "iso8859_7"), (CHINESE, "gbk")])
def test_text_under_an_unknown_label_that_is_no_western_text_is_guessed(text: str, codec: str) -> None:
    assert decode(text.encode(codec), "x-bogus") == text


def test_western_text_under_an_unknown_label_is_windows_1252_and_never_a_guess() -> None:
    assert decode(SWEDISH.encode("cp1252"), "x-bogus") == SWEDISH
    assert decode("Fråga om bygglov".encode("latin-1"), None) == "Fråga om bygglov"


def test_the_charsets_a_message_declares_read_its_8_bit_header_bytes() -> None:
    assert decode("Вопрос о школе".encode("koi8_r"), None, ["koi8-r"]) == "Вопрос о школе"
    assert decode("駐車許可について".encode("shift_jis"), None, ["iso-2022-jp"]) == "駐車許可について"
