"""The e-mail corpus (tests/data/intake/corpus, written by tests/corpus/build.py) through intake's SMTP
listener in-process: every message accepted or refused by design, and read as a person reads it."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from lotsen.kafka.memory import InMemoryBus
from services.intake.email.parse import parse_email
from services.intake.email.refusals import Limits
from services.intake.email.tnef import files_in
from tests.corpus.build import CORPUS, samples, write
from tests.corpus.delivery import contact_id_of, deliver
from tests.corpus.expectations import Expected, corpus, problems
from tests.corpus.structure import PDF, PNG, winmail
from tests.intake_support import Intake, intake_on

MB = 1024 * 1024


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[Intake]:
    async with intake_on(bus) as running:
        yield running


def test_the_committed_corpus_is_what_the_script_writes(tmp_path: Path) -> None:
    write(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in CORPUS.iterdir())
    for name in written:
        assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes(), name
    assert len(samples()) >= 100


async def test_every_corpus_message_over_smtp_is_accepted_or_refused_by_design(intake: Intake) -> None:
    messages = corpus(large=True)
    replies = await deliver(intake.smtp_port, messages)
    events = {e.data.contact_id: e for e in intake.contacts()}
    found: dict[str, list[str]] = {}
    for sample in messages:
        code, reply = replies[sample.name]
        if sample.outcome == "refused":
            found[sample.name] = [] if code == sample.smtp else [f"{code} {reply}, not {sample.smtp}"]
            continue
        if code != 250:
            found[sample.name] = [f"refused: {code} {reply}"]
            continue
        event = events[contact_id_of(reply)]
        data = event.data
        found[sample.name] = problems(
            sample,
            subject=data.subject,
            sender=data.sender.name,
            text=data.text,
            files=[a.name for a in data.attachments if a.name != "meddelande.txt"],
        )
        if data.is_auto_reply != (sample.outcome == "auto_reply"):
            found[sample.name].append(f"is_auto_reply {data.is_auto_reply} ({data.auto_reply_reason})")
    assert {name: p for name, p in found.items() if p} == {}


def _read(sample: Expected) -> tuple[str | None, str | None, str]:
    parsed = parse_email(sample.raw, Limits(25 * MB, 10 * MB, 20), header_recipients=False)
    return parsed.subject, parsed.sender.name, parsed.text


def _one(name: str) -> Expected:
    return next(s for s in corpus() if s.name == name)


@pytest.mark.parametrize(
    "name, subject, sender, phrase",
    [
        ("gbk-labelled-gb2312", "李喆的停车许可申请", "李喆", "我叫李喆，朱镕基路的停车许可证丢了"),
        ("sjis-labelled-iso-2022-jp", "駐車許可の申請", "佐藤花子", "駐車許可証をなくしました"),
        ("cp932-labelled-shift-jis", "①の件について㈱", "鈴木一郎", "①番の書類について質問があります"),
        ("cp949-labelled-euc-kr", "똠방각하 주차 문의", "이똠", "똠방각하 주차장 이용에 대해 문의합니다"),
        ("cp950-labelled-big5", "圍碁社團活動場地", "林碁", "我們的圍碁社團需要活動場地"),
        (
            "sv-iso-8859-1-qp",
            "Trasig gatlampa på Ängsvägen – snälla åtgärda",
            "Åsa Öberg",
            "Ängsvägen är trasig",
        ),
        (
            "sv-cp1252-labelled-utf-8",
            "Trasig gatlampa på Ängsvägen – snälla åtgärda",
            "Åsa Öberg",
            "på Ängsvägen",
        ),
        (
            "sv-us-ascii-with-utf-8",
            "Trasig gatlampa på Ängsvägen – snälla åtgärda",
            "Åsa Öberg",
            "utanför vårt hus",
        ),
        ("ew-utf-8-split-in-character", "Fråga om bygglov för altan", None, "Hur ansöker jag"),
        ("ew-sjis-split-in-character", "駐車許可について", None, "Hur ansöker jag"),
        ("ew-spaces-inside-q", "Fråga om färdtjänst", None, "Hur ansöker jag"),
        ("ew-latin1-labelled-ascii", "Fråga om elräkning", None, "Hur ansöker jag"),
        ("ew-base64-one-letter-too-many", "Fråga om bygglov", None, "Hur ansöker jag"),
        ("8bit-gbk-body-gb2312", "关于学校的问题", "王小明", "我想问学校的事情"),
        ("8bit-sjis-body-iso-2022-jp", "駐車許可について", "佐藤花子", "駐車許可証をなくしました"),
        ("8bit-koi8-r", "Вопрос о школе", "Иван Петров", "Вопрос о школе"),
        ("boundary-never-used", "Fråga till kommunen", None, "Vattnet i vår lägenhet har varit avstängt"),
        ("garbage-header-line", "Fråga till kommunen", None, "Hur ansöker jag"),
        ("from-without-address", "Fråga till kommunen", "Åsa Öberg", "Hur ansöker jag"),
    ],
)
def test_what_mail_programs_mislabel_reads_as_a_person_reads_it(
    name: str, subject: str, sender: str | None, phrase: str
) -> None:
    read_subject, read_sender, text = _read(_one(name))
    assert (read_subject, read_sender if sender else None) == (subject, sender)
    assert phrase in text


def test_html_only_mail_keeps_no_script_no_tracking_pixel_and_no_event_handler() -> None:
    parsed = parse_email(_one("html-only-scripts-and-pixel").raw, Limits(MB, MB, 20))
    assert parsed.html is not None and "<b>avstängt</b>" in parsed.html
    for dangerous in ("<script", "alert(", "tracker.example", "onload", "javascript:", "<iframe", "<img"):
        assert dangerous not in parsed.html
        assert dangerous not in parsed.text


def test_a_multipart_written_with_another_boundary_than_declared_is_read_as_its_parts() -> None:
    parsed = parse_email(_one("boundary-wrong-in-body").raw, Limits(MB, MB, 20))
    assert parsed.text.startswith("Hej! Vattnet i vår lägenhet har varit avstängt")
    assert "Content-Type" not in parsed.text and parsed.files == []


def test_the_files_inside_winmail_dat_are_the_contacts_files_and_an_unreadable_one_is_kept() -> None:
    limits = Limits(MB, MB, 20)
    unwrapped = parse_email(_one("tnef-winmail-dat").raw, limits).files
    kept = parse_email(_one("tnef-unreadable").raw, limits).files
    assert [(f.name, f.content_type, f.data) for f in unwrapped] == [
        ("ansokan.pdf", "application/pdf", PDF),
        ("foto.png", "image/png", PNG),
    ]
    assert [(f.name, f.content_type) for f in kept] == [("winmail.dat", "application/ms-tnef")]


def test_a_winmail_dat_of_countless_tiny_objects_is_kept_as_it_came() -> None:
    """tnefparse copies the rest of the stream for every object it reads: such a file is not read."""
    tiny = struct.pack("<BHHI", 1, 0x9999, 6, 1) + b"x" + struct.pack("<H", ord("x"))
    hostile = struct.pack("<IH", 0x223E9F78, 1) + tiny * 3_000 + winmail(PDF, PNG)[6:]
    assert files_in(hostile) == []
    assert [name for name, _ in files_in(hostile[:6] + tiny * 50 + winmail(PDF, PNG)[6:])] == [
        "ansokan.pdf",
        "foto.png",
    ]


def test_a_message_without_from_is_from_its_envelope_sender() -> None:
    parsed = parse_email(
        _one("missing-from").raw,
        Limits(MB, MB, 20),
        envelope_from="<asa@example.se>",
        header_recipients=False,
    )
    assert (parsed.sender.email, parsed.sender.name) == ("asa@example.se", None)


def test_two_messages_given_one_message_id_are_two_contacts_and_a_retry_is_one() -> None:
    first, second = _one("duplicate-message-id-a"), _one("duplicate-message-id-b")
    limits = Limits(MB, MB, 20)
    key_of = {s.name: parse_email(s.raw, limits).dedupe_key for s in (first, second)}
    retried = parse_email(first.raw.replace(b"\r\n", b"\n") + b"\n", limits).dedupe_key
    bare_cr = parse_email(first.raw.replace(b"\r\n", b"\r"), limits).dedupe_key
    assert key_of[first.name] != key_of[second.name]
    assert retried == bare_cr == key_of[first.name]


@pytest.mark.parametrize(
    "name, automatic",
    [
        ("exchange-ooo-swedish", True),
        ("out-of-office-subject", True),
        ("autosvar-subject", True),
        ("school-absence-franvaro", False),
        ("reply-to-an-absence-note", False),
    ],
)
def test_absence_notes_are_known_by_their_subject_and_a_school_absence_is_not_one(
    name: str, automatic: bool
) -> None:
    parsed = parse_email(_one(name).raw, Limits(MB, MB, 20), header_recipients=False)
    assert (parsed.auto_reply is not None) is automatic
