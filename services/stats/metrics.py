"""Live metrics for the municipality's Grafana, on every service's ``GET /metrics`` (Prometheus).

Counters grow when stats first sees a new case (contacts by channel), a new offered call, or an
outbound message's first result; a redelivered event does not count again. The gauges — open cases
and calls waiting — are set from the aggregates after every aggregation round, so they survive a
restart. Consumer lag per topic and partition is ``lotsen_consumer_lag`` from the consumer runner.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from prometheus_client import Counter, Gauge

from services.stats.facts import local_day
from services.stats.query import Period, read_slices
from services.stats.repository import StatsRepository
from services.stats.updates import Document, Kind, key_parts, stamp

CONTACTS = Counter(
    "lotsen_stats_contacts_total",
    "New cases seen by stats, by channel of first contact",
    ["organization", "channel"],
)
CALLS_OFFERED = Counter(
    "lotsen_stats_calls_offered_total", "Calls offered to an answer group", ["organization", "answer_group"]
)
OUTBOUND_RESULTS = Counter(
    "lotsen_stats_outbound_results_total",
    "Outbound messages by first result",
    ["organization", "channel", "outcome"],
)
OPEN_CASES = Gauge("lotsen_stats_open_cases", "Cases not resolved or closed", ["organization", "status"])
CALLS_WAITING = Gauge(
    "lotsen_stats_calls_waiting",
    "Calls offered and not yet answered or abandoned",
    ["organization", "answer_group"],
)


def count_new(kind: Kind, old: Document | None, new: Document) -> None:
    old = old or {}
    organization = new.get("organization", "")
    if kind == "cases" and new.get("received_at") and not old.get("received_at"):
        CONTACTS.labels(organization, new.get("channel") or "").inc()
    elif kind == "calls" and new.get("offered") and not old.get("offered"):
        offered = key_parts(new["offered"])
        group = offered[1][0] if offered else ""
        CALLS_OFFERED.labels(organization, group).inc()
    elif kind == "outbound":
        for outcome in ("delivered", "failed"):
            if new.get(outcome) and not old.get(outcome):
                OUTBOUND_RESULTS.labels(organization, new.get("channel") or "", outcome).inc()


async def refresh_gauges(
    stats: StatsRepository, *, now: datetime, tz: ZoneInfo, waiting_window: float
) -> None:
    open_by: dict[tuple[str, str], int] = {}
    for piece in await read_slices(stats, "cases", Period(), days_only=False):
        for tally in piece.cells.values():
            for key, n in tally.marked("open").items():
                status = key.split("|")[1]
                open_by[(piece.organization, status)] = open_by.get((piece.organization, status), 0) + n
    OPEN_CASES.clear()
    for (organization, status), n in open_by.items():
        OPEN_CASES.labels(organization, status).set(n)

    since = now - timedelta(seconds=waiting_window)
    recent = Period(lower=local_day(since, tz), upper=local_day(now, tz))
    waiting: dict[tuple[str, str], int] = {}
    for piece in await read_slices(stats, "calls", recent, days_only=True):
        for (group,), tally in piece.cells.items():
            n = sum(c for at, c in tally.marked("pending_since").items() if at >= stamp(since))
            if n:
                where = (piece.organization, str(group or ""))
                waiting[where] = waiting.get(where, 0) + n
    CALLS_WAITING.clear()
    for (organization, group), n in waiting.items():
        CALLS_WAITING.labels(organization, group).set(n)
