"""Knappval (phone menu choices): the calls per IVR choice, per local hour of day and weekday, with
the abandon rate per choice (docs/figures.md, "Knappval").

A call's choice is the first any of its events named (:func:`services.stats.updates.fold` keeps it
as a sortable key), ``"none"`` when no event named one (a direct number, say). Each call counts once
under its choice with the outcome the answer rate gives it (:func:`services.stats.calls.call_tally`):
offered to a queue and answered, abandoned (short or not), a callback or pending; or transferred —
the IVR's connect choice puts a call through without a queue, and such a call is transferred only.
Its hour and weekday are those, in Stockholm, of the moment it was offered (or put through, when
it was never offered).

The numbers live in the call's own tally, inside its answer-group cell, not in cells of their own,
so the number of cells does not grow: marks ``ivr`` (``"<choice>|<outcome>"``) and ``ivr_calls``
(``"<choice>|<ISO weekday>|<hour>"``), and the abandon waits per choice as a histogram
(``ivr_abandon_waits|<choice>``) so the short-abandon threshold can still be chosen per query.
A tally sums these like any other, so a day, a month or a tertial adds up the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from services.stats.facts import CallFacts
from services.stats.figures import ratio
from services.stats.tally import Tally

NO_CHOICE = "none"
OUTCOMES = ("offered", "answered", "callbacks", "pending", "transferred")
WAITS = "ivr_abandon_waits|"
HOURS = range(24)
WEEKDAYS = range(1, 8)  # ISO: 1 is Monday
COUNTS = ("calls", *OUTCOMES, "abandoned", "short_abandoned")
# What the tertial report gives per choice (and its CSV rows, in this order).
REPORT_MEASURES = (
    "calls",
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "transferred",
    "abandon_rate",
)


def ivr_tally(call: CallFacts, tally: Tally, tz: ZoneInfo) -> None:
    """Add the call's choice to ``tally``, the call's own answer-rate tally (``call_tally``)."""
    at = call.offered_at or call.transferred_at
    if at is None or (not tally.counts and not tally.hists):
        return  # not counted in the telephony figures (no offer, not put through): nor here
    choice = call.ivr_choice or NO_CHOICE
    local = at.astimezone(tz)
    tally.mark("ivr_calls", f"{choice}|{local.isoweekday()}|{local.hour}")
    for outcome in OUTCOMES:
        if tally.counts[outcome]:
            tally.mark("ivr", f"{choice}|{outcome}")
    for wait in tally.hist("abandon_waits"):
        tally.observe(WAITS + choice, wait)


def _choices(tally: Tally) -> list[str]:
    seen = {value.split("|", 1)[0] for value in tally.marked("ivr_calls")}
    return sorted(seen, key=lambda c: (c == NO_CHOICE, len(c), c))


def choice_figure(tally: Tally, choice: str, *, short_abandon_seconds: float) -> dict[str, Any]:
    """The numbers of one choice in ``tally`` (an organisation's calls: digits are per menu)."""
    outcomes = tally.marked("ivr")
    waits = tally.hist(WAITS + choice)
    short = sum(n for wait, n in waits.items() if wait < short_abandon_seconds)
    hours: Counter[int] = Counter()
    weekdays: Counter[int] = Counter()
    for value, n in tally.marked("ivr_calls").items():
        mine, weekday, hour = value.split("|")
        if mine == choice:
            hours[int(hour)] += n
            weekdays[int(weekday)] += n
    body: dict[str, Any] = {"choice": choice, "calls": sum(hours.values())}
    body.update({outcome: outcomes[f"{choice}|{outcome}"] for outcome in OUTCOMES})
    body.update(abandoned=sum(waits.values()) - short, short_abandoned=short)
    return _finish(body, hours, weekdays)


def _finish(body: dict[str, Any], hours: Counter[int], weekdays: Counter[int]) -> dict[str, Any]:
    body["abandon_rate"] = ratio(body["abandoned"], body["answered"] + body["abandoned"])
    body["by_hour"] = [{"hour": h, "calls": hours[h]} for h in HOURS]
    body["by_weekday"] = [{"weekday": d, "calls": weekdays[d]} for d in WEEKDAYS]
    return body


def choice_figures(tally: Tally, *, short_abandon_seconds: float) -> list[dict[str, Any]]:
    return [
        choice_figure(tally, choice, short_abandon_seconds=short_abandon_seconds)
        for choice in _choices(tally)
    ]


def total_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The rows added up: every call once (each has one choice)."""
    body: dict[str, Any] = {name: sum(row[name] for row in rows) for name in COUNTS}
    hours: Counter[int] = Counter()
    weekdays: Counter[int] = Counter()
    for row in rows:
        hours.update({entry["hour"]: entry["calls"] for entry in row["by_hour"]})
        weekdays.update({entry["weekday"]: entry["calls"] for entry in row["by_weekday"]})
    return _finish(body, hours, weekdays)


def report_choices(tally: Tally, *, short_abandon_seconds: float) -> list[dict[str, Any]]:
    """The tertial report's part: per choice its calls, outcomes and abandon rate (no hours)."""
    return [
        {"choice": row["choice"], **{name: row[name] for name in REPORT_MEASURES}}
        for row in choice_figures(tally, short_abandon_seconds=short_abandon_seconds)
    ]


def report_csv_rows(org: str, entry: dict[str, Any]) -> Iterator[tuple[str, str, str, str, str, str]]:
    """CSV rows ``org, "", ivr_choices, <choice>, <measure>, <value>`` (docs/figures.md)."""
    for row in entry.get("ivr_choices", []):
        for measure in REPORT_MEASURES:
            value = row[measure]
            yield org, "", "ivr_choices", row["choice"], measure, "" if value is None else str(value)
