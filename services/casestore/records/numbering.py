"""Diary numbers for public records (allmänna handlingar): one series per organisation and year.

A registration is one document in ``registrations`` whose ``_id`` names what was registered
(``KGA-2026-000123/case`` or ``KGA-2026-000123/<message key>``), so the same message is registered
once however often, or however concurrently, it is asked for. Its diary number comes from a counter
document per organisation and year (``counters``, ``_id`` ``diary:KGA-2026``) incremented with one
``find_one_and_update($inc)``, as case references are; the number is taken only by the request that
inserted the claim, so concurrent requests never take two numbers for one registration, and numbers
follow each other without gaps. Only a casestore that stops between taking a number and storing it
(a few milliseconds) leaves a number unused; the next request for that registration takes a new one.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timedelta
from typing import Any

from lotsen.calendar import STOCKHOLM
from lotsen.errors import Conflict
from services.casestore.records.repository import RegistryStore
from services.casestore.repository import Document

# A claim not numbered within this long belongs to a casestore that stopped: another request takes it over.
ABANDONED_AFTER = timedelta(seconds=30)
WAIT_FOR_NUMBER = (0.05, 0.1, 0.2, 0.4, 0.8)  # seconds, while another request numbers the same claim


def series_year(at: datetime) -> int:
    """The diary's year is the Swedish local year: a message registered at 00:30 on New Year's Day
    belongs to the new year's series even though it is still the old year in UTC."""
    return at.astimezone(STOCKHOLM).year


def diary_number(org_code: str, year: int, sequence: int) -> str:
    """``KGA 2026/000123``: organisation code, year, six-digit sequence per organisation and year."""
    return f"{org_code} {year}/{sequence:06d}"


class RegistrationInProgress(Conflict):
    code = "registration_in_progress"


async def numbered(
    store: RegistryStore, draft: Document, *, org_code: str, now: Any
) -> tuple[Document, bool]:
    """The registration of ``draft``'s ``_id`` with its diary number, and whether this call made it.

    ``now`` is the clock; the number's year is that of the first claim's ``registered_at``.
    """
    token = secrets.token_hex(8)
    existing = await store.claim({**draft, "diary_number": None, "claim_token": token, "claimed_at": now()})
    if existing is None:
        return await _number(store, draft["_id"], token, draft["registered_at"], org_code), True
    for pause in WAIT_FOR_NUMBER:
        if existing.get("diary_number"):
            return existing, False
        await asyncio.sleep(pause)
        existing = await store.get(draft["_id"]) or existing
    if existing.get("diary_number"):
        return existing, False
    at = now()
    if await store.take_over(draft["_id"], claimed_before=at - ABANDONED_AFTER, token=token, at=at):
        return await _number(store, draft["_id"], token, existing["registered_at"], org_code), True
    raise RegistrationInProgress(
        "this is being registered right now; ask again in a moment for its diary number",
        details={"registration": draft["_id"]},
    )


async def _number(
    store: RegistryStore, key: str, token: str, registered_at: datetime, org_code: str
) -> Document:
    year = series_year(registered_at)
    sequence = await store.next_sequence(org_code, year)
    numbering = {
        "diary_number": diary_number(org_code, year, sequence),
        "series": f"{org_code}-{year}",
        "year": year,
        "sequence": sequence,
    }
    entry = await store.set_number(key, token, numbering)
    if entry is None:  # taken over meanwhile: whoever took it over numbers it
        raise RegistrationInProgress(
            "this is being registered right now; ask again in a moment for its diary number",
            details={"registration": key},
        )
    return entry
