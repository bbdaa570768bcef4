"""The corpus as the tests read it: the committed .eml files, what each must give, and the check of a
received contact against it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.corpus.build import CORPUS, large_samples


@dataclass(frozen=True)
class Expected:
    name: str
    raw: bytes
    outcome: str
    to: str
    envelope_from: str
    subject: str | None = None
    sender: str | None = None
    phrase: str | None = None
    files: tuple[str, ...] = ()
    smtp: int | None = None
    why: str = ""


def corpus(directory: Path = CORPUS, *, large: bool = False) -> list[Expected]:
    described: dict[str, dict[str, Any]] = json.loads(
        (directory / "expected.json").read_text(encoding="utf-8")
    )
    found = [
        _expected(name, (directory / f"{name}.eml").read_bytes(), facts) for name, facts in described.items()
    ]
    if large:
        found += [_expected(s.name, s.raw, s.expected()) for s in large_samples()]
    return found


def _expected(name: str, raw: bytes, facts: dict[str, Any]) -> Expected:
    facts = {"envelope_from": "citizen@example.se", **facts, "files": tuple(facts.get("files", ()))}
    return Expected(name=name, raw=raw, **facts)


def problems(
    sample: Expected, *, subject: str | None, sender: str | None, text: str, files: list[str]
) -> list[str]:
    """What a person would find wrong in what intake read from ``sample``; empty when nothing is."""
    found = []
    if sample.subject is not None and subject != sample.subject:
        found.append(f"subject {subject!r}, not {sample.subject!r}")
    if sample.sender is not None and sender != sample.sender:
        found.append(f"sender {sender!r}, not {sample.sender!r}")
    if sample.phrase is not None and sample.phrase not in text:
        found.append(f"text {text[:200]!r} lacks {sample.phrase!r}")
    if sample.files and list(sample.files) != files:
        found.append(f"files {files!r}, not {list(sample.files)!r}")
    for shown in (subject or "", sender or "", text[:2000]):
        if "=?" in shown and "?=" in shown and sample.subject != subject:
            found.append(f"an encoded word shown as it came: {shown[:200]!r}")
        if "\ufffd" in shown:
            found.append(f"a replacement character: {shown[:200]!r}")
    return found
