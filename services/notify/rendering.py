"""The texts notify sends, from Jinja2 templates in ``templates/{sv,en}/`` (plain text, no escaping).

Citizens get Swedish unless their contact was recognised as English; departments get Swedish.
Times are written in Swedish local time (Europe/Stockholm), whatever the server's zone.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

Language = Literal["sv", "en"]
STOCKHOLM = ZoneInfo("Europe/Stockholm")
TEMPLATES = Path(__file__).with_name("templates")

_WEEKDAYS = {
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
           "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}  # fmt: skip


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,  # plain-text mail and Messenger messages, never HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def language_of(code: str | None) -> Language:
    """English for contacts recognised as English; Swedish for everyone else (the default)."""
    return "en" if (code or "").lower().startswith("en") else "sv"


def render(template: str, language: Language, /, **context: Any) -> str:
    return _environment().get_template(f"{language}/{template}.txt.j2").render(**context)


def local_time(at: datetime | None, language: Language) -> str | None:
    """``måndag 2 mars 2026 kl. 10:14`` / ``Monday 2 March 2026 at 10:14 (Swedish time)``."""
    if at is None:
        return None
    local = at.astimezone(STOCKHOLM)
    weekday, month = _WEEKDAYS[language][local.weekday()], _MONTHS[language][local.month - 1]
    day = f"{weekday} {local.day} {month} {local.year}"
    if language == "sv":
        return f"{day} kl. {local:%H:%M}"
    return f"{day} at {local:%H:%M} (Swedish time)"


def status_link(base: str, *, ref: str, code: str | None) -> str:
    """The citizen's status page for the errand, the reference and access code filled in."""
    query = {"ref": ref, **({"code": code} if code else {})}
    return f"{base}{'&' if '?' in base else '?'}{urlencode(query)}"


def hours(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
