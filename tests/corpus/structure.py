"""MIME as it arrives: broken and unused boundaries, deep nesting, TNEF, calendar invites, signed and
HTML-only mail."""

from __future__ import annotations

import struct

from tests.corpus.mail import KARLSKOGAHEM, Sample, b64, message, multipart, part

TEXT = "Hej! Vattnet i vår lägenhet har varit avstängt sedan i morse.".encode()
PHRASE = "Vattnet i vår lägenhet har varit avstängt"
PDF = b"%PDF-1.4\n% Lotsen corpus\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 20
PLAIN = "text/plain; charset=utf-8"


def mixed_message(
    name: str, body: bytes, *, boundary: str = "==b1==", to: str = KARLSKOGAHEM, **kwargs: object
) -> bytes:
    return message(
        name,
        body=body,
        content_type=f'multipart/mixed; boundary="{boundary}"',
        encoding=None,
        to=to,
        **kwargs,  # type: ignore[arg-type]
    )


def file_part(content_type: str, disposition: str, data: bytes) -> bytes:
    return part(content_type, b64(data), encoding="base64", extra=f"Content-Disposition: {disposition}\n")


def mime_structure() -> list[Sample]:
    html = (
        "<html><head><style>p{color:red}</style><script>alert('x')</script></head><body onload=\"steal()\">"
        "<p>Hej! Vattnet i vår lägenhet har varit <b>avstängt</b> sedan i morse.</p>"
        '<img src="https://tracker.example/pixel.gif?u=123" width="1" height="1">'
        '<a href="javascript:alert(1)">Klicka</a><iframe src="https://evil.example"></iframe></body></html>'
    ).encode()
    invite = (
        "BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nSUMMARY:Möte om bygglov\n"
        "DTSTART:20261210T090000Z\nDTEND:20261210T100000Z\nEND:VEVENT\nEND:VCALENDAR\n"
    ).encode()
    garbled_tnef = b"\x78\x9f\x3e\x22" + b"\x00" * 64
    nested = multipart(
        "outer",
        b'Content-Type: multipart/alternative; boundary="alt"\n\n'
        + multipart(
            "alt",
            part(PLAIN, TEXT),
            b'Content-Type: multipart/related; boundary="rel"\n\n'
            + multipart(
                "rel",
                part("text/html; charset=utf-8", b"<p>" + TEXT + b"</p>"),
                file_part("image/png", "inline; filename=logo.png", PNG),
            ),
        ),
        file_part("application/pdf", "attachment; filename=hyresavtal.pdf", PDF),
    )
    deep = part(PLAIN, TEXT)
    for level in range(30):
        deep = f'Content-Type: multipart/mixed; boundary="level{level}"\n\n'.encode() + multipart(
            f"level{level}", deep
        )
    forwarded = (
        b"From: Bo Ek <bo@example.se>\nSubject: =?iso-8859-1?Q?Vatten_i_k=E4llaren?=\n"
        b"Content-Type: text/plain; charset=iso-8859-1\n\nDet st\xe5r vatten i k\xe4llaren.\n"
    )
    samples = [
        (
            "missing-closing-boundary",
            mixed_message("missing-closing-boundary", multipart("==b1==", part(PLAIN, TEXT), close=False)),
            [],
        ),
        ("boundary-never-used", mixed_message("boundary-never-used", TEXT + b"\n"), []),
        (
            "boundary-parameter-missing",
            message(
                "boundary-parameter-missing",
                body=TEXT,
                content_type="multipart/mixed",
                encoding=None,
                to=KARLSKOGAHEM,
            ),
            [],
        ),
        (
            "boundary-wrong-in-body",
            mixed_message("boundary-wrong-in-body", multipart("other", part(PLAIN, TEXT))),
            [],
        ),
        (
            "nested-multiparts",
            mixed_message("nested-multiparts", nested, boundary="outer"),
            ["logo.png", "hyresavtal.pdf"],
        ),
        (
            "nested-thirty-levels",
            mixed_message("nested-thirty-levels", deep, boundary="top").replace(
                b'boundary="top"', b'boundary="level29"', 1
            ),
            [],
        ),
        (
            "html-first-alternative",
            message(
                "html-first-alternative",
                body=multipart("a", part("text/html; charset=utf-8", b"<p>HTML</p>"), part(PLAIN, TEXT)),
                content_type='multipart/alternative; boundary="a"',
                encoding=None,
                to=KARLSKOGAHEM,
            ),
            [],
        ),
        (
            "html-only-scripts-and-pixel",
            message(
                "html-only-scripts-and-pixel",
                body=html,
                content_type="text/html; charset=utf-8",
                to=KARLSKOGAHEM,
            ),
            [],
        ),
        (
            "html-only-charset-in-meta",
            message(
                "html-only-charset-in-meta",
                body=b'<html><head><meta charset="windows-1252"></head><body><p>'
                + TEXT.decode().encode("cp1252")
                + b"</p></body></html>",
                content_type="text/html",
                to=KARLSKOGAHEM,
            ),
            [],
        ),
        (
            "tnef-winmail-dat",
            mixed_message(
                "tnef-winmail-dat",
                multipart(
                    "==b1==",
                    part(PLAIN, TEXT),
                    file_part("application/ms-tnef", 'attachment; filename="winmail.dat"', winmail(PDF, PNG)),
                ),
            ),
            ["ansokan.pdf", "foto.png"],
        ),
        (
            "tnef-unreadable",
            mixed_message(
                "tnef-unreadable",
                multipart(
                    "==b1==",
                    part(PLAIN, TEXT),
                    file_part("application/ms-tnef", 'attachment; filename="winmail.dat"', garbled_tnef),
                ),
            ),
            ["winmail.dat"],
        ),
        (
            "calendar-invite",
            mixed_message(
                "calendar-invite",
                multipart(
                    "==b1==",
                    b'Content-Type: multipart/alternative; boundary="alt"\n\n'
                    + multipart(
                        "alt", part(PLAIN, TEXT), part("text/calendar; method=REQUEST; charset=utf-8", invite)
                    ),
                    file_part("application/ics", "attachment; filename=invite.ics", invite),
                ),
            ),
            ["bilaga-1.ics", "invite.ics"],
        ),
        (
            "calendar-only",
            message(
                "calendar-only",
                body=invite,
                content_type="text/calendar; method=REQUEST; charset=utf-8",
                to=KARLSKOGAHEM,
            ),
            [],
        ),
        (
            "smime-signed",
            message(
                "smime-signed",
                body=multipart(
                    "sig",
                    part(PLAIN, TEXT),
                    file_part("application/pkcs7-signature", "attachment; filename=smime.p7s", b"0\x82\x01"),
                ),
                content_type='multipart/signed; protocol="application/pkcs7-signature"; '
                'micalg=sha-256; boundary="sig"',
                encoding=None,
                to=KARLSKOGAHEM,
            ),
            ["smime.p7s"],
        ),
        (
            "forwarded-rfc822",
            mixed_message(
                "forwarded-rfc822",
                multipart("==b1==", part(PLAIN, TEXT), b"Content-Type: message/rfc822\n\n" + forwarded),
            ),
            ["bifogat-meddelande-1.eml"],
        ),
        (
            "part-without-headers",
            mixed_message("part-without-headers", multipart("==b1==", b"\n" + TEXT)),
            [],
        ),
        (
            "unknown-transfer-encoding",
            message("unknown-transfer-encoding", body=TEXT, encoding="8bits", to=KARLSKOGAHEM),
            [],
        ),
        (
            "content-type-garbage",
            message("content-type-garbage", body=TEXT, content_type="text", to=KARLSKOGAHEM),
            [],
        ),
        (
            "apple-text-around-image",
            mixed_message(
                "apple-text-around-image",
                multipart(
                    "==b1==",
                    part(PLAIN, b"Hej! Vattnet i v\xc3\xa5r"),
                    file_part("image/png", "inline; filename=IMG_0001.png", PNG),
                    part(PLAIN, "lägenhet har varit avstängt sedan i morse.".encode()),
                ),
            ),
            ["IMG_0001.png"],
        ),
        (
            "attachment-only",
            mixed_message(
                "attachment-only",
                multipart("==b1==", file_part("application/pdf", "attachment; filename=ansokan.pdf", PDF)),
            ),
            ["ansokan.pdf"],
        ),
    ]
    phrase_of = {
        "html-first-alternative": PHRASE,
        "apple-text-around-image": None,
        "attachment-only": None,
        "calendar-only": "Möte om bygglov",
    }
    return [
        Sample(name, raw, phrase=phrase_of.get(name, PHRASE), files=files, to=KARLSKOGAHEM)
        for name, raw, files in samples
    ]


def winmail(pdf: bytes, png: bytes) -> bytes:
    """A TNEF stream as Outlook writes it (MS-OXTNEF): signature, key, then attributes of
    level, id, type, length, data and a checksum; each file begins with its rendering data."""

    def attribute(level: int, name: int, kind: int, data: bytes) -> bytes:
        head = struct.pack("<BHHI", level, name, kind, len(data))
        return head + data + struct.pack("<H", sum(data) % 65536)

    stream = struct.pack("<IH", 0x223E9F78, 0x0001)
    stream += attribute(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))  # TNEF version
    stream += attribute(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))  # OEM code page
    stream += attribute(1, 0x8008, 0x0007, b"IPM.Microsoft Mail.Note\x00")  # message class
    for name, data in (("ansokan.pdf", pdf), ("foto.png", png)):
        stream += attribute(2, 0x9002, 0x0006, b"\x01\x00\xff\xff\xff\xff" + b"\x00" * 8)  # rendering
        stream += attribute(2, 0x8010, 0x0001, name.encode() + b"\x00")  # title
        stream += attribute(2, 0x800F, 0x0006, data)  # data
    return stream
