"""Header fields as mail programs write them: encoded words split anywhere, 8-bit bytes, absurd sizes,
missing fields, bare line endings and NUL bytes."""

from __future__ import annotations

from tests.corpus.mail import DEGERFORS, KARLSKOGAHEM, Sample, b64, encoded, message, word

ASK = "Hej! Hur ansöker jag om bygglov för en altan?".encode()


def _split_word(text: str, charset: str, at: int, encoding: str = "B", codec: str | None = None) -> str:
    """``text`` as two encoded words cut at byte ``at``: inside a character, as some programs do."""
    data = text.encode(codec or charset)
    return f"{encoded(data[:at], charset, encoding)}\r\n {encoded(data[at:], charset, encoding)}"


def encoded_words() -> list[Sample]:
    samples = [
        (
            "ew-utf-8-split-in-character",
            _split_word("Fråga om bygglov för altan", "UTF-8", 3),
            "Fråga om bygglov för altan",
        ),
        (
            "ew-utf-8-q-split-in-character",
            _split_word("Snöröjning på Älvgatan", "utf-8", 4, "Q"),
            "Snöröjning på Älvgatan",
        ),
        ("ew-gb2312-split-in-character", _split_word("关于垃圾收集", "gb2312", 3), "关于垃圾收集"),
        ("ew-sjis-split-in-character", _split_word("駐車許可について", "shift_jis", 5), "駐車許可について"),
        (
            "ew-three-words-utf-8",
            " ".join(word(p, "utf-8") for p in ("Ansökan ", "om ", "färdtjänst")),
            "Ansökan om färdtjänst",
        ),
        (
            "ew-mixed-charsets",
            f"{word('Fråga ', 'iso-8859-1', 'Q')} {word('om skolskjuts', 'utf-8')}",
            "Fråga om skolskjuts",
        ),
        ("ew-lowercase-q", word("Hyra för garage", "utf-8", "q"), "Hyra för garage"),
        (
            "ew-no-padding",
            word("Äldreboende i Bofors", "utf-8").replace("=?=", "?=").replace("==?=", "?="),
            "Äldreboende i Bofors",
        ),
        ("ew-glued-to-text", "Sv:" + word("Bygglov för garage", "utf-8", "Q"), "Sv:Bygglov för garage"),
        ("ew-spaces-inside-q", "=?utf-8?Q?Fr=C3=A5ga om f=C3=A4rdtj=C3=A4nst?=", "Fråga om färdtjänst"),
        ("ew-unknown-charset", "=?x-unknown?Q?Fr=C3=A5ga_om_parkering?=", "Fråga om parkering"),
        (
            "ew-cp1252-labelled-utf-8",
            encoded("Fråga – om snöröjning".encode("cp1252"), "utf-8", "Q"),
            "Fråga – om snöröjning",
        ),
        (
            "ew-latin1-labelled-ascii",
            encoded("Fråga om elräkning".encode("latin-1"), "us-ascii", "Q"),
            "Fråga om elräkning",
        ),
        ("ew-language-tag", "=?utf-8*sv?Q?V=C3=A4gbelysning?=", "Vägbelysning"),
        (
            "ew-folded-with-tabs",
            word("Fråga om", "utf-8") + "\r\n\t" + word(" vinterväghållning", "utf-8"),
            "Fråga om vinterväghållning",
        ),
        ("ew-in-quoted-string", '"' + word("Bygglov för altan", "utf-8", "Q") + '"', '"Bygglov för altan"'),
        ("ew-broken-base64", "=?utf-8?B?RnLDpWdh!!?= om taxa", "Fråga om taxa"),
        ("ew-base64-one-letter-too-many", "=?utf-8?B?RnLDpWdhX?= om bygglov", "Fråga om bygglov"),
    ]
    return [
        Sample(
            name,
            message(name, subject=subject, body=ASK),
            subject=expected,
            phrase="Hur ansöker jag om bygglov",
        )
        for name, subject, expected in samples
    ]


def _eight_bit(name: str, subject: str, sender: str, codec: str, label: str | None, body: str) -> Sample:
    return Sample(
        name,
        message(
            name,
            subject=subject.encode(codec),
            sender=f'"{sender}" <{name}@example.se>'.encode(codec),
            body=body.encode(codec),
            content_type=f"text/plain; charset={label}" if label else "text/plain",
        ),
        subject=subject,
        sender=sender,
        phrase=body.split(".")[0].split("。")[0],
    )


def eight_bit_headers() -> list[Sample]:
    return [
        _eight_bit(
            "8bit-utf-8", "Fråga om förskola", "Åsa Öberg", "utf-8", "utf-8", "Hej. Vi söker förskoleplats."
        ),
        _eight_bit(
            "8bit-latin1",
            "Fråga om förskola",
            "Göran Åberg",
            "latin-1",
            "iso-8859-1",
            "Hej. Vi söker förskoleplats.",
        ),
        _eight_bit(
            "8bit-cp1252-no-label",
            "Fråga – förskola",
            "Göran Åberg",
            "cp1252",
            None,
            "Hej. Vi söker förskoleplats.",
        ),
        _eight_bit(
            "8bit-gbk-body-gb2312", "关于学校的问题", "王小明", "gbk", "gb2312", "我想问学校的事情。谢谢。"
        ),
        _eight_bit(
            "8bit-sjis-body-iso-2022-jp",
            "駐車許可について",
            "佐藤花子",
            "shift_jis",
            "iso-2022-jp",
            "駐車許可証をなくしました。",
        ),
        _eight_bit(
            "8bit-koi8-r",
            "Вопрос о школе",
            "Иван Петров",
            "koi8_r",
            "koi8-r",
            "Здравствуйте. Вопрос о школе.",
        ),
        _eight_bit(
            "8bit-euc-kr", "쓰레기 수거 문의", "김민수", "euc_kr", "euc-kr", "쓰레기가 수거되지 않았습니다."
        ),
    ]


def _plain(name: str, phrase: str = "Hur ansöker jag om bygglov", **kwargs: object) -> bytes:
    return message(name, body=kwargs.pop("body", ASK), **kwargs)  # type: ignore[arg-type]


def odd_headers() -> list[Sample]:
    received = "".join(
        f"Received: from relay{i}.example.net (relay{i}.example.net [192.0.2.{i % 250}])"
        f" by mx.example.net; {i}\r\n"
        for i in range(10_000)
    ).encode()
    long_name = "Anna " + "Maria " * 17_000 + "Svensson"
    return [
        Sample(
            "missing-from",
            _plain("missing-from", sender=None),
            subject="Fråga till kommunen",
            phrase="Hur ansöker jag",
        ),
        Sample(
            "missing-date",
            _plain("missing-date", date=None),
            subject="Fråga till kommunen",
            phrase="Hur ansöker jag",
        ),
        Sample(
            "missing-message-id",
            _plain("missing-message-id", message_id=None),
            subject="Fråga till kommunen",
            phrase="Hur ansöker jag",
        ),
        Sample(
            "missing-from-date-message-id-subject",
            _plain(
                "missing-from-date-message-id-subject", sender=None, date=None, message_id=None, subject=None
            ),
            phrase="Hur ansöker jag",
        ),
        Sample(
            "duplicate-message-id-a",
            _plain(
                "duplicate-message-id-a",
                message_id="<1@localhost>",
                body="Hej! Min soptunna är trasig.".encode(),
            ),
            phrase="Min soptunna är trasig",
        ),
        Sample(
            "duplicate-message-id-b",
            _plain(
                "duplicate-message-id-b",
                message_id="<1@localhost>",
                sender="Per Ek <per.ek@example.se>",
                body="Hej! Kan jag boka tid för bygglovsrådgivning?".encode(),
            ),
            phrase="Kan jag boka tid för bygglovsrådgivning",
        ),
        Sample("garbage-date", _plain("garbage-date", date="igår vid lunch"), phrase="Hur ansöker jag"),
        Sample(
            "from-without-address",
            _plain("from-without-address", sender="Åsa Öberg"),
            sender="Åsa Öberg",
            phrase="Hur ansöker jag",
        ),
        Sample(
            "from-undisclosed",
            _plain("from-undisclosed", sender="undisclosed-recipients:;"),
            phrase="Hur ansöker jag",
        ),
        Sample(
            "from-two-addresses",
            _plain("from-two-addresses", sender="Åsa <asa@example.se>, Per <per@example.se>"),
            sender="Åsa",
            phrase="Hur ansöker jag",
        ),
        Sample(
            "from-name-with-encoded-comma",
            _plain(
                "from-name-with-encoded-comma",
                sender=f"{word('Lindqvist, Åsa', 'utf-8', 'Q')} <asa.l@example.se>",
            ),
            sender="Lindqvist, Åsa",
            phrase="Hur ansöker jag",
        ),
        Sample(
            "garbage-header-line",
            _plain(
                "garbage-header-line", headers=[("X-Mailer", "Brevprogram 1.0\r\nthis line is no header")]
            ),
            subject="Fråga till kommunen",
            phrase="Hur ansöker jag",
        ),
        Sample(
            "escape-sequences-in-subject",
            _plain("escape-sequences-in-subject", subject="Fråga\x1b[31m om \x1b]0;hej\x07bygglov"),
            subject="Fråga[31m om ]0;hejbygglov",
            phrase="Hur ansöker jag",
        ),
        Sample(
            "nul-in-body-and-subject",
            _plain(
                "nul-in-body-and-subject",
                subject="Fråga\x00 om bygglov",
                body=b"Hej! Hur\x00 ans\xc3\xb6ker jag om bygglov?",
            ),
            subject="Fråga om bygglov",
            phrase="Hur ansöker jag om bygglov",
        ),
        Sample(
            "bare-lf", _plain("bare-lf", eol=b"\n"), subject="Fråga till kommunen", phrase="Hur ansöker jag"
        ),
        Sample(
            "bare-cr", _plain("bare-cr", eol=b"\r"), subject="Fråga till kommunen", phrase="Hur ansöker jag"
        ),
        Sample(
            "mixed-line-endings",
            message("mixed-line-endings", body=b"Hej!\rHur ans\xc3\xb6ker jag\r\nom bygglov?\n"),
            phrase="Hur ansöker jag",
        ),
        Sample(
            "subject-one-megabyte",
            _plain("subject-one-megabyte", subject="Bygglov " + "altan " * 174_000, to=DEGERFORS),
            phrase="Hur ansöker jag",
            to=DEGERFORS,
        ),
        Sample(
            "ten-thousand-received",
            _plain("ten-thousand-received", headers=[]).replace(b"From:", received + b"From:", 1),
            subject="Fråga till kommunen",
            phrase="Hur ansöker jag",
        ),
        Sample(
            "display-name-100-kb",
            _plain(
                "display-name-100-kb", sender=f'"{long_name}" <anna.svensson@example.se>', to=KARLSKOGAHEM
            ),
            phrase="Hur ansöker jag",
            to=KARLSKOGAHEM,
        ),
        Sample(
            "message-id-10-kb",
            _plain("message-id-10-kb", message_id="<" + "x" * 10_000 + "@example.se>"),
            phrase="Hur ansöker jag",
        ),
        Sample(
            "thousand-recipients",
            _plain(
                "thousand-recipients",
                to=", ".join(f"person{i}@example.se" for i in range(1000)) + ", " + DEGERFORS,
            ),
            phrase="Hur ansöker jag",
            to=DEGERFORS,
        ),
        Sample(
            "body-line-one-megabyte",
            _plain(
                "body-line-one-megabyte", body=b"Hej! Hur ans\xc3\xb6ker jag om bygglov? " + b"bla " * 260_000
            ),
            phrase="Hur ansöker jag",
        ),
        Sample(
            "header-starts-with-space",
            b" folded: nothing\r\n" + _plain("header-starts-with-space"),
            phrase="Hur ansöker jag",
        ),
        Sample(
            "base64-subject-of-nul",
            _plain("base64-subject-of-nul", subject=encoded("Fråga".encode() + b"\x00\x00", "utf-8")),
            subject="Fråga",
            phrase="Hur ansöker jag",
        ),
        Sample(
            "right-to-left-override",
            _plain(
                "right-to-left-override",
                subject="Faktura\u202efdp.exe",
                body=b64("Hej! Hur ansöker jag?".encode()),
                encoding="base64",
            ),
            phrase="Hur ansöker jag",
        ),
    ]
