"""The texts notify sends, from Jinja2 templates in ``templates/{sv,en,ar}/`` (plain text, no escaping).

Citizens get the language their contact was written in or they chose (Swedish, English or Arabic;
Swedish for anything else); departments get Swedish. Times are written in Swedish local time
(Europe/Stockholm), whatever the server's zone. Arabic is written right to left: what must read
left to right inside it (reference numbers, codes) is fenced with left-to-right marks (``ltr``).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

Language = Literal["sv", "en", "ar"]
RIGHT_TO_LEFT: frozenset[str] = frozenset({"ar"})
LEFT_TO_RIGHT_MARK = "\u200e"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
TEMPLATES = Path(__file__).with_name("templates")

_WEEKDAYS = {
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "ar": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
}
_MONTHS = {
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
           "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "ar": ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
           "نوفمبر", "ديسمبر"),
}  # fmt: skip


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,  # plain-text mail and Messenger messages, never HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["ltr"] = left_to_right
    return environment


def left_to_right(value: object) -> str:
    """``value`` between left-to-right marks: a reference like ``KS-2026-000123`` inside Arabic text
    keeps its order in every mail client, and stays one unbroken run of characters."""
    return f"{LEFT_TO_RIGHT_MARK}{value}{LEFT_TO_RIGHT_MARK}"


def language_of(code: str | None) -> Language:
    """English or Arabic for contacts written in (or asking for) them; Swedish for everyone else."""
    primary = (code or "").strip().lower().replace("_", "-").split("-")[0]
    if primary == "en":
        return "en"
    if primary == "ar":
        return "ar"
    return "sv"


def render(template: str, language: Language, /, **context: Any) -> str:
    return _environment().get_template(f"{language}/{template}.txt.j2").render(**context)


def local_time(at: datetime | None, language: Language) -> str | None:
    """``måndag 2 mars 2026 kl. 10:14`` / ``Monday 2 March 2026 at 10:14 (Swedish time)`` /
    ``الاثنين 2 مارس 2026 الساعة 10:14 (بتوقيت السويد)``."""
    if at is None:
        return None
    local = at.astimezone(STOCKHOLM)
    weekday, month = _WEEKDAYS[language][local.weekday()], _MONTHS[language][local.month - 1]
    day = f"{weekday} {local.day} {month} {local.year}"
    if language == "sv":
        return f"{day} kl. {local:%H:%M}"
    if language == "ar":
        return f"{day} الساعة {local:%H:%M} (بتوقيت السويد)"
    return f"{day} at {local:%H:%M} (Swedish time)"


def status_link(base: str, *, ref: str, code: str | None, language: Language = "sv") -> str:
    """The citizen's status page for the errand, the reference and access code filled in; in English
    or Arabic, the page opens in that language."""
    query = {"ref": ref, **({"code": code} if code else {})}
    if language != "sv":
        query["lang"] = language
    return f"{base}{'&' if '?' in base else '?'}{urlencode(query)}"


def hours(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
