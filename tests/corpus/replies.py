"""Mail that no person wrote to the municipality: out-of-office replies, bounces, read receipts,
newsletters and lists — and look-alikes a citizen did write, which must open a case."""

from __future__ import annotations

from tests.corpus.mail import DEGERFORS, Sample, message, multipart, part, word

NOTE = "Jag är på semester till och med 4 januari. Vid brådskande ärenden ring växeln.".encode()
ORIGINAL = (
    b"From: Lotsen <kommun@karlskoga.example>\nSubject: Ditt arende\n"
    b"Message-ID: <KGA-2026-000001.2.outbound@karlskoga.example>\n\n"
)


def _auto(name: str, subject: str, headers: list[tuple[str, str]], why: str, **kwargs: object) -> Sample:
    return Sample(
        name,
        message(name, subject=subject, headers=headers, body=NOTE, **kwargs),  # type: ignore[arg-type]
        outcome="auto_reply",
        why=why,
    )


def _report(name: str, report_type: str, report: bytes, sender: str) -> Sample:
    body = multipart(
        "rep",
        part("text/plain; charset=utf-8", b"Meddelandet kunde inte levereras."),
        part(f"message/{report_type}", report, encoding="7bit"),
        b"Content-Type: message/rfc822\n\n" + ORIGINAL + b"Hej\n",
    )
    return Sample(
        name,
        message(
            name,
            subject="Undeliverable: Ditt ärende",
            sender=sender,
            body=body,
            content_type=f'multipart/report; report-type={report_type}; boundary="rep"',
            encoding=None,
        ),
        outcome="auto_reply",
        envelope_from="",
        why=f"multipart/report ({report_type})",
    )


def auto_replies() -> list[Sample]:
    status = (
        b"Reporting-MTA: dns; mx.example.se\n\n"
        b"Final-Recipient: rfc822; ingen@example.se\nAction: failed\nStatus: 5.1.1\n"
    )
    receipt = (
        b"Reporting-UA: Outlook\nFinal-Recipient: rfc822; asa@example.se\n"
        b"Disposition: manual-action/MDN-sent-manually; displayed\n"
    )
    list_headers = [
        ("List-Id", "<grannar.bofors.example.se>"),
        ("List-Unsubscribe", "<mailto:leave@example.se>"),
    ]
    return [
        _auto(
            "auto-submitted-swedish",
            "Automatiskt svar: Ditt ärende [KGA-2026-000001]",
            [("Auto-Submitted", "auto-replied")],
            "Auto-Submitted",
        ),
        _auto(
            "auto-submitted-generated", "Ny faktura", [("Auto-Submitted", "auto-generated")], "Auto-Submitted"
        ),
        _auto("x-autoreply-swedish", "Frånvaromeddelande", [("X-Autoreply", "yes")], "X-Autoreply"),
        _auto("x-autorespond", "Out of Office", [("X-Autorespond", "Out of Office")], "X-Autorespond"),
        _auto(
            "precedence-auto-reply",
            word("Frånvaro: Ditt ärende", "utf-8", "Q"),
            [("Precedence", "auto_reply")],
            "Precedence",
        ),
        _auto(
            "precedence-bulk-newsletter",
            "Nyhetsbrev december",
            [("Precedence", "bulk"), *list_headers],
            "Precedence: bulk",
        ),
        _auto(
            "precedence-list",
            "[Grannar] Snöröjning",
            [("Precedence", "list"), *list_headers],
            "Precedence: list",
        ),
        _auto("precedence-junk", "Vinn en resa!", [("Precedence", "junk")], "Precedence: junk"),
        _auto(
            "exchange-ooo-english",
            "Automatic reply: Your case",
            [("X-Auto-Response-Suppress", "All")],
            "subject of Exchange",
        ),
        _auto(
            "exchange-ooo-swedish",
            "Automatiskt svar: Ditt ärende",
            [("X-Auto-Response-Suppress", "All")],
            "subject of Exchange",
        ),
        _auto("out-of-office-subject", "Out of Office: Your case", [], "subject of an absence note"),
        _auto("autosvar-subject", "Autosvar: Ditt ärende", [], "subject of an absence note"),
        _auto(
            "mailer-daemon-plain",
            "Mail delivery failed",
            [],
            "sent by mailer-daemon",
            sender="Mail Delivery System <MAILER-DAEMON@mx.example.se>",
        ),
        _report("dsn-delivery-status", "delivery-status", status, "MAILER-DAEMON@mx.example.se"),
        _report(
            "exchange-ndr",
            "delivery-status",
            status,
            "Microsoft Outlook <postmaster@example.onmicrosoft.com>",
        ),
        _report("read-receipt", "disposition-notification", receipt, "Åsa <asa@example.se>"),
    ]


def look_alikes() -> list[Sample]:
    """Written by a person: a case each, whatever the words say."""
    return [
        Sample(
            "school-absence-franvaro",
            message(
                "school-absence-franvaro",
                subject=word("Frånvaro: Elsa 3B är sjuk idag", "utf-8", "Q"),
                body="Hej! Elsa i 3B är sjuk idag och stannar hemma.".encode(),
                to=DEGERFORS,
            ),
            subject="Frånvaro: Elsa 3B är sjuk idag",
            phrase="Elsa i 3B är sjuk idag",
            to=DEGERFORS,
        ),
        Sample(
            "auto-submitted-no",
            message(
                "auto-submitted-no",
                headers=[("Auto-Submitted", "no")],
                body=b"Hej! Jag vill boka tid.",
            ),
            phrase="Jag vill boka tid",
        ),
        Sample(
            "reply-to-an-absence-note",
            message(
                "reply-to-an-absence-note",
                subject=word("Sv: Automatiskt svar: Bygglov", "utf-8", "Q"),
                body="Hej! Jag väntar fortfarande på svar om bygglovet.".encode(),
            ),
            subject="Sv: Automatiskt svar: Bygglov",
            phrase="Jag väntar fortfarande på svar om bygglovet",
        ),
        Sample(
            "list-without-precedence",
            message(
                "list-without-precedence",
                subject="[Bofors vägförening] Snöröjning på Bergsvägen",
                headers=[("List-Id", "<vagforening.bofors.example.se>")],
                body="Hej! Bergsvägen har inte plogats på tre dagar.".encode(),
            ),
            phrase="Bergsvägen har inte plogats",
        ),
    ]
