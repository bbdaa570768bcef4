"""The HTML alternative of a right-to-left mail: the plain text, escaped, in paragraphs, marked
``lang``/``dir`` so that mail clients lay Arabic out right to left.

A plain-text part has no way to say its direction; most clients guess left to right from the
message and put punctuation and Latin runs on the wrong side. The HTML part carries the same words,
nothing more: lines that are a link become links, written left to right inside the paragraph.
"""

from __future__ import annotations

import re
from html import escape

LINK = re.compile(r"https?://\S+")


def html_alternative(text: str, *, language: str, title: str) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join(f"<p>{'<br>'.join(_line(line) for line in p.splitlines())}</p>" for p in paragraphs)
    lang = escape(language, quote=True)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}" dir="rtl">\n'
        f'<head><meta charset="utf-8"><title>{escape(title)}</title></head>\n'
        f'<body dir="rtl" style="direction: rtl; text-align: right">\n{body}\n</body>\n'
        "</html>\n"
    )


def _line(line: str) -> str:
    stripped = line.strip()
    if LINK.fullmatch(stripped):
        href = escape(stripped, quote=True)
        return f'<a href="{href}" dir="ltr">{escape(stripped)}</a>'
    return escape(line)
