"""Data for ``bench.stats``: an event stream for ingestion, and ready-made pre-aggregates for a tertial.

The stream is a plain simulation of a contact centre's day (calls offered, answered or abandoned and
ended; cases created, acknowledged, replied to, resolved or handed off, surveyed), encoded as Kafka
record values. The pre-aggregates are what stats would hold after ingesting a tertial of 1M cases
and 3M call events: per organisation, local day and month, the cells and tallies of
``services.stats.aggregates``, synthesised here cell by cell because ingesting 4M events into the
in-memory MongoDB stand-in would take hours (every stand-in update scans its collection).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from lotsen.calendar import STOCKHOLM, add_working_days
from lotsen.contracts import calls, cases, topics
from lotsen.contracts.envelope import Event, encode_event
from services.stats.aggregates import cells_to_docs
from services.stats.tally import Tally
from services.stats.time_spent import keep_time
from services.stats.updates import stamp

ORGANIZATIONS = (("karlskoga", "KGA", 80), ("degerfors", "DEG", 12), ("karlskogahem", "KHEM", 8))
CHANNELS = (("email", 40), ("phone", 25), ("webform", 20), ("facebook", 8), ("visit", 4), ("letter", 3))
# department → answer group, [(category, ROSA level, handled_by, weight)]
CATALOGUE: dict[str | None, tuple[str, list[tuple[str, int, str, int]]]] = {
    "samhallsbyggnad": (
        "bygg-miljo",
        [
            ("bygglov", 4, "first_line", 8),
            ("detaljplan", 2, "first_line", 2),
            ("miljotillsyn", 5, "department", 3),
            ("snorojning", 2, "first_line", 5),
            ("avfall", 1, "first_line", 6),
            ("parkering", 3, "first_line", 3),
            ("vatten-avlopp", 2, "first_line", 4),
            ("trafik", 2, "first_line", 2),
            ("livsmedel", 5, "department", 1),
            ("bostadsanpassning", 5, "department", 1),
        ],
    ),
    "skola": (
        "barn-skola",
        [
            ("forskoleplacering", 3, "first_line", 5),
            ("skolskjuts", 3, "first_line", 2),
            ("skolplacering", 3, "first_line", 3),
            ("elevhalsa", 6, "department", 1),
            ("vuxenutbildning", 2, "first_line", 2),
            ("barnomsorgsavgift", 4, "first_line", 2),
        ],
    ),
    "social": (
        "socialtjanst",
        [
            ("trygghetslarm", 3, "first_line", 2),
            ("fardtjanst", 3, "first_line", 3),
            ("ekonomiskt-bistand", 5, "department", 2),
            ("hemtjanst", 5, "department", 2),
            ("hjalpmedel", 3, "first_line", 1),
        ],
    ),
    "kultur": (
        "ovrigt",
        [
            ("bibliotek", 1, "first_line", 3),
            ("fritidsaktiviteter", 1, "first_line", 2),
            ("lokalbokning", 3, "first_line", 2),
        ],
    ),
    "ledningskontoret": (
        "ovrigt",
        [
            ("synpunkt", 1, "first_line", 2),
            ("allmanna-handlingar", 2, "first_line", 1),
            ("fakturor", 2, "first_line", 2),
        ],
    ),
    None: ("ovrigt", [("ovriga-arenden", 1, "first_line", 6)]),
}
CATEGORIES = [(dept, group, *c) for dept, (group, cats) in CATALOGUE.items() for c in cats]
GROUPS = sorted({group for group, _ in CATALOGUE.values()})
IVR_CHOICES = ("1", "2", "3", "4", "5", "6", "none")


def _choose(rng: random.Random, options: Any, weights: list[int]) -> Any:
    return rng.choices(options, weights=weights)[0]


def stream(*, cases_count: int, calls_count: int, day: date, seed: int = 1) -> list[tuple[str, bytes, bytes]]:
    """(topic, key, value) of one busy day, in event-time order: ~3 events per call, ~7 per case."""
    rng = random.Random(seed)
    opening = datetime.combine(day, time(7, 30), STOCKHOLM)
    events: list[tuple[datetime, str, str, Event[Any]]] = []
    org_weights = [w for _, _, w in ORGANIZATIONS]
    for n in range(calls_count):
        org = _choose(rng, ORGANIZATIONS, org_weights)[0]
        at = opening + timedelta(seconds=rng.uniform(0, 9.5 * 3600))
        base = {"call_id": f"bench-{n}", "answer_group": rng.choice(GROUPS), "from": "+46700000000"}
        wait = float(int(rng.expovariate(1 / 40)))
        events.append(
            (
                at,
                topics.CALLS_EVENTS,
                base["call_id"],
                calls.CallOffered(
                    producer="intake", organization=org, occurred_at=at, data={**base, "at": at}
                ),
            )
        )
        end = at + timedelta(seconds=wait)
        if rng.random() < 0.9:
            events.append(
                (
                    end,
                    topics.CALLS_EVENTS,
                    base["call_id"],
                    calls.CallAnswered(
                        producer="intake",
                        organization=org,
                        occurred_at=end,
                        data={**base, "at": end, "wait_seconds": wait},
                    ),
                )
            )
        else:
            events.append(
                (
                    end,
                    topics.CALLS_EVENTS,
                    base["call_id"],
                    calls.CallAbandoned(
                        producer="intake",
                        organization=org,
                        occurred_at=end,
                        data={**base, "at": end, "wait_seconds": wait},
                    ),
                )
            )
        hangup = end + timedelta(seconds=rng.uniform(30, 400))
        events.append(
            (
                hangup,
                topics.CALLS_EVENTS,
                base["call_id"],
                calls.CallEnded(
                    producer="intake",
                    organization=org,
                    occurred_at=hangup,
                    data={**base, "at": hangup, "talk_seconds": 60},
                ),
            )
        )
    for n in range(cases_count):
        org, code, _ = _choose(rng, ORGANIZATIONS, org_weights)
        ref = f"{code}-2026-B{n:06d}"
        dept, group, category, rosa, handled_by, _ = _choose(rng, CATEGORIES, [c[-1] for c in CATEGORIES])
        channel = _choose(rng, [c for c, _ in CHANNELS], [w for _, w in CHANNELS])
        received = opening + timedelta(seconds=rng.uniform(0, 9.5 * 3600))

        def add(at: datetime, cls: type[Event[Any]], /, **data: Any) -> None:
            events.append(_case_event(org, ref, at, cls, data))  # noqa: B023 - called at once, in this iteration

        add(
            received,
            cases.CaseCreated,
            channel=channel,
            received_at=received,
            category=category,
            department=dept,
            answer_group=group,
            handled_by=handled_by,
            rosa_level=rosa,
        )
        add(
            received,
            cases.CaseMessageAdded,
            message_id=f"{ref}.1",
            direction="inbound",
            channel=channel,
            at=received,
        )
        if channel in ("email", "webform", "facebook"):
            ack = received + timedelta(seconds=20)
            add(
                ack,
                cases.CaseMessageAdded,
                message_id=f"{ref}.2",
                direction="outbound",
                channel=channel,
                at=ack,
                automatic=True,
            )
        later = received + timedelta(minutes=rng.uniform(5, 240))
        add(later, cases.CaseStatusChanged, old_status="new", new_status="open")
        add(
            later,
            cases.CaseMessageAdded,
            message_id=f"{ref}.3",
            direction="outbound",
            channel="email",
            at=later,
        )
        done = later + timedelta(minutes=5)
        if rng.random() < 0.3:
            add(
                done,
                cases.CaseHandedOff,
                department=dept or "ledningskontoret",
                reason="…",
                due_at=done + timedelta(days=2),
                handed_off_by="agent",
            )
        else:
            add(
                done,
                cases.CaseResolved,
                resolved_at=done,
                resolved_by_first_line=True,
                resolution_code="answered",
            )
        add(done, cases.CaseStatusChanged, old_status="open", new_status="resolved")
    events.sort(key=lambda e: e[0])
    return [(topic, key.encode(), encode_event(event)) for _, topic, key, event in events]


def _case_event(
    org: str, ref: str, at: datetime, cls: Any, data: dict[str, Any]
) -> tuple[datetime, str, str, Event[Any]]:
    event = cls(producer="casestore", organization=org, occurred_at=at, data={"case_ref": ref, **data})
    return at, topics.CASES_EVENTS, ref, event


def tertial_aggregates(
    *, cases_total: int, calls_total: int, seed: int = 1
) -> dict[str, list[dict[str, Any]]]:
    """Day and month aggregate documents of 2026-T1 for ``cases_total`` cases and ``calls_total`` calls."""
    rng = random.Random(seed)
    first, days = date(2026, 1, 1), 120
    now = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    weights = [1.0 if (first + timedelta(d)).weekday() < 5 else 0.15 for d in range(days)]
    scale = sum(weights)
    docs: dict[str, list[dict[str, Any]]] = {"day": [], "month": []}
    months: dict[tuple[str, str, str], dict[Any, Tally]] = defaultdict(dict)
    sequence = 0
    for org, code, share in ORGANIZATIONS:
        for d in range(days):
            day = first + timedelta(d)
            n_cases = round(cases_total * share / 100 * weights[d] / scale)
            n_calls = round(calls_total * share / 100 * weights[d] / scale)
            case_cells: dict[Any, Tally] = {}
            for _ in range(n_cases):
                sequence += 1
                _case(rng, case_cells, day, f"{code}-2026-{sequence:07d}", now)
            call_cells: dict[Any, Tally] = {}
            for _ in range(n_calls):
                _call(rng, call_cells, day)
            for kind, cells in (("cases", case_cells), ("calls", call_cells)):
                docs["day"].append(
                    {
                        "_id": f"{kind}|{org}|{day}",
                        "kind": kind,
                        "organization": org,
                        "day": day.isoformat(),
                        "month": f"{day:%Y-%m}",
                        "gen": 1,
                        "cells": cells_to_docs(cells),
                    }
                )
                month = months[(kind, org, f"{day:%Y-%m}")]
                for key, tally in cells.items():
                    month.setdefault(key, Tally()).add(tally)
    for (kind, org, month_key), cells in months.items():
        docs["month"].append(
            {
                "_id": f"{kind}|{org}|{month_key}",
                "kind": kind,
                "organization": org,
                "month": month_key,
                "gen": 1,
                "cells": cells_to_docs(cells),
            }
        )
    return docs


def _case(rng: random.Random, cells: dict[Any, Tally], day: date, ref: str, now: datetime) -> None:
    dept, group, category, rosa, handled_by, _ = _choose(rng, CATEGORIES, [c[-1] for c in CATEGORIES])
    channel = _choose(rng, [c for c, _ in CHANNELS], [w for _, w in CHANNELS])
    key = (channel, dept, category, rosa, group, handled_by)
    tally = cells.get(key)
    if tally is None:
        tally = cells[key] = Tally()
    tally.count("cases")
    roll = rng.random()
    if handled_by == "first_line" and roll < 0.6:
        tally.count("resolved_first_line")
    elif roll < 0.97:
        tally.count("handed_off")
    else:
        tally.count("resolution_pending")
        tally.mark("open", f"{day}|open")
    if roll < 0.93:
        tally.count("resolved")
        if rng.random() < 0.12:
            tally.count("failure_demand")
    elif 0.93 <= roll < 0.97:
        tally.mark("open", f"{day}|handed_off")
        tally.mark("handed_off_due", stamp(datetime.combine(day, time(12), UTC) + timedelta(days=5)))
    if channel == "email":
        tally.count("emails")
        received = datetime.combine(day, time(8), STOCKHOLM) + timedelta(seconds=rng.uniform(0, 36000))
        if rng.random() < 0.03:
            calendar, working = received + timedelta(hours=48), add_working_days(received, 2)
            tally.mark("email_unanswered", f"{stamp(calendar)}|{stamp(working)}")
        else:
            late = rng.random() < 0.07
            tally.count("email_late_calendar" if late else "email_in_time_calendar")
            tally.count(
                "email_late_working_days" if late and rng.random() < 0.6 else "email_in_time_working_days"
            )
    if rng.random() < 0.08:
        tally.count("survey_responses")
        for question in ("bemotande", "kunskap", "tillganglighet"):
            tally.count(f"survey_{question}_sum", rng.choice((3, 4, 4, 5, 5)))
            tally.count(f"survey_{question}_count")
    if rng.random() < 0.8:  # replied: opened → first reply, as services.stats.time_spent keeps it
        if rng.random() < 0.05:
            tally.count("written_untimed")
        else:
            seconds = int(rng.expovariate(1 / 7200)) + 1
            who = "department" if handled_by == "department" else "first_line"
            keep_time(tally, f"written_handling_seconds.{who}", seconds)
    if category == "synpunkt":  # as services.stats.feedback names them: under the concerned department
        tally.count("synpunkter")
        tally.count(f"synpunkter@{dept or ''}")
        tally.count(f"synpunkter@{dept or ''}|{rng.choice(('praise', 'complaint', 'unclassified'))}")
        tally.ref(f"synpunkter@{dept or ''}", ref)


def _call(rng: random.Random, cells: dict[Any, Tally], day: date) -> None:
    key = (rng.choice(GROUPS),)
    tally = cells.get(key)
    if tally is None:
        tally = cells[key] = Tally()
    choice = rng.choice(IVR_CHOICES)
    hour = min(16, 8 + int(rng.expovariate(1 / 2.5)))
    tally.mark("ivr_calls", f"{choice}|{day.isoweekday()}|{hour}")  # as services.stats.ivr keeps them
    tally.count("offered")
    tally.mark("ivr", f"{choice}|offered")
    roll = rng.random()
    if roll < 0.9:
        tally.count("answered")
        tally.mark("ivr", f"{choice}|answered")
        tally.observe("answer_waits", float(int(rng.expovariate(1 / 40))))
        talk = int(rng.expovariate(1 / 180)) + 5  # as services.stats.time_spent keeps them
        keep_time(tally, "talk_seconds", talk)
        if rng.random() < 0.7:
            wrap_up = int(rng.expovariate(1 / 60))
            keep_time(tally, "wrap_up_seconds", wrap_up)
            keep_time(tally, "call_handling_seconds", talk + wrap_up)
    elif roll < 0.91:
        tally.count("callbacks")
        tally.mark("ivr", f"{choice}|callbacks")
    else:
        wait = float(int(rng.expovariate(1 / 50)))
        tally.observe("abandon_waits", wait)
        tally.observe(f"ivr_abandon_waits|{choice}", wait)
    if rng.random() < 0.03:  # put through by the switchboard
        tally.count("transferred")
        tally.mark("transferred_to", rng.choice(("samhallsbyggnad", "skola", "social", "unknown")))
        tally.mark("ivr", f"{choice}|transferred")
