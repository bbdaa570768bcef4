"""Writes the e-mail corpus: ``python -m tests.corpus.build`` (re)writes tests/data/intake/corpus/.

Every message is made here, deterministically: the committed .eml files are this script's output and
``expected.json`` says what a person reads in each (subject, sender, a phrase of the text, the files)
and whether it opens a case, is an automatic message, or is refused by design and why. The 20 MB
attachment is not committed; :func:`large_samples` makes it when the test runs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.corpus.charsets import cjk_and_cyrillic, swedish_in_every_encoding
from tests.corpus.filenames import attachment_names
from tests.corpus.headers import eight_bit_headers, encoded_words, odd_headers
from tests.corpus.mail import KARLSKOGA, Sample, b64, message, multipart, part
from tests.corpus.replies import auto_replies, look_alikes
from tests.corpus.structure import PDF, PHRASE, TEXT, mime_structure

CORPUS = Path(__file__).resolve().parents[1] / "data" / "intake" / "corpus"
MB = 1024 * 1024


def refused_by_design() -> list[Sample]:
    files = [
        part(
            "application/pdf",
            b64(PDF),
            encoding="base64",
            extra=f"Content-Disposition: attachment; filename=sida-{n}.pdf\n",
        )
        for n in range(21)
    ]
    return [
        Sample(
            "too-many-attachments",
            message(
                "too-many-attachments",
                body=multipart("m", part("text/plain; charset=utf-8", TEXT), *files),
                content_type='multipart/mixed; boundary="m"',
                encoding=None,
            ),
            outcome="refused",
            smtp=552,
            why="more files than INTAKE_ATTACHMENTS_MAX_COUNT (20): the sender is told the limit",
        )
    ]


def samples() -> list[Sample]:
    return [
        *cjk_and_cyrillic(),
        *swedish_in_every_encoding(),
        *encoded_words(),
        *eight_bit_headers(),
        *odd_headers(),
        *mime_structure(),
        *attachment_names(),
        *auto_replies(),
        *look_alikes(),
        *refused_by_design(),
    ]


def _with_file(name: str, size: int) -> bytes:
    data = bytes(range(256)) * (size // 256)
    attachment = part(
        "application/octet-stream",
        b64(data),
        encoding="base64",
        extra="Content-Disposition: attachment; filename=ritning.dwg\n",
    )
    body = multipart("big", part("text/plain; charset=utf-8", TEXT), attachment)
    return message(
        name, body=body, content_type='multipart/mixed; boundary="big"', encoding=None, to=KARLSKOGA
    )


def large_samples() -> list[Sample]:
    """Made when the test runs, not committed: a 20 MB drawing (refused) and a 6 MB one (a case)."""
    return [
        Sample(
            "attachment-20-mb",
            _with_file("attachment-20-mb", 20 * MB),
            outcome="refused",
            smtp=552,
            why="over INTAKE_EMAIL_MAX_MESSAGE_BYTES (25 MB; 20 MB in base64 is 27 MB): "
            "the MTA bounces it, with the limit",
        ),
        Sample(
            "attachment-6-mb", _with_file("attachment-6-mb", 6 * MB), phrase=PHRASE, files=["ritning.dwg"]
        ),
    ]


def write(directory: Path = CORPUS) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    found = samples()
    names = [s.name for s in found]
    assert len(names) == len(set(names)), "every sample has a name of its own"
    for old in directory.glob("*.eml"):
        if old.stem not in names:
            old.unlink()
    for sample in found:
        (directory / f"{sample.name}.eml").write_bytes(sample.raw)
    expected = {s.name: s.expected() for s in found}
    (directory / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    write(Path(os.environ.get("CORPUS_DIR", CORPUS)))
