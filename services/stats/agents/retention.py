"""How long per-agent figures are kept, and erasing one agent's.

Retention (``STATS_AGENT_FIGURES_RETENTION_DAYS``, default 396 days ≈ 13 months: a year compared with
the same weeks of the year before): every ``STATS_AGENT_RETENTION_CHECK_SECONDS`` one replica (the
holder of the lease ``stats-agent-retention``, :mod:`lotsen.leases`) deletes the per-agent days
older than that and removes the staff names from the state of the calls and cases of those days.
The organisation's figures are untouched: their day and month cells never name anyone, and the
state keeps every time, wait, duration and flag, only without the name. Idempotent: a second pass,
or two replicas overlapping during a lease hand-over, finds nothing more to delete.

Erasure of one agent (``DELETE /v1/stats/agents/{agent}``, an administrator): the agent's name is
removed from the state of every call and case of the administrator's organisations, and the days
concerned are derived again, so the agent is in no per-agent figure any more. What the agent did
still counts in the organisation's figures and, unnamed, in the team's total.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.stats.agents.aggregate import AGENT_KINDS, SCOPE, AgentAggregator, oldest_kept
from services.stats.agents.repository import AgentRepository
from services.stats.repository import Mark, StatsRepository

log = logging.getLogger(__name__)
RECENT_DAYS = 31  # the hourly pass looks for names this many days before the limit


@dataclass(frozen=True)
class Removed:
    days: int  # per-agent day documents deleted
    states: int  # call and case states whose staff names were removed


async def apply_retention(
    agents: AgentRepository, aggregator: AgentAggregator, now: datetime, *, whole: bool = True
) -> Removed:
    """Delete what is older than the retention, as of ``now``. ``whole=False`` looks for staff names
    only in the ``RECENT_DAYS`` that last passed the limit (the hourly pass: older states were
    cleared before; a rebuild or a redelivery that wrote names into them is cleared by the whole
    pass each replica makes when it takes the lease)."""
    first_kept = oldest_kept(now, aggregator.tz, aggregator.settings.agent_figures_retention_days)
    kept_from = first_kept.isoformat()
    since = None if whole else (first_kept - timedelta(days=RECENT_DAYS)).isoformat()
    days = await agents.delete_days_before(kept_from)
    states = 0
    for kind in AGENT_KINDS:
        for organization in await agents.organizations(kind):
            for doc in await agents.named_before(kind, organization, kept_from, since):
                states += await agents.forget_names(kind, doc)
    if days or states:
        log.info("per-agent figures before %s removed: %d days, %d names in states", kept_from, days, states)
    return Removed(days, states)


async def erase_agent(
    agents: AgentRepository,
    stats: StatsRepository,
    aggregator: AgentAggregator,
    agent: str,
    organizations: tuple[str, ...] | None,
) -> int:
    """Remove ``agent`` from the state and the per-agent days (of ``organizations`` only; None: all);
    returns how many calls and cases named them."""
    touched: set[Mark] = set()
    named = 0
    for kind in AGENT_KINDS:
        for doc in await agents.naming(kind, agent, organizations):
            named += 1
            await agents.forget_names(kind, doc, only=agent)
            if doc.get("bucket"):
                organization, day = doc["bucket"].split("|")
                touched.add(Mark(SCOPE, kind, organization, day))
    if touched:
        await stats.mark_dirty(touched)
    await aggregator.flush()
    return named


async def run_retention(
    agents: AgentRepository,
    aggregator: AgentAggregator,
    clock: Callable[[], datetime],
    *,
    every_seconds: float,
    stop: asyncio.Event,
) -> None:
    """The leased job: apply the retention now (looking through every old state) and every
    ``every_seconds`` (through the days that passed the limit lately) until ``stop``."""
    whole = True
    while not stop.is_set():
        await apply_retention(agents, aggregator, clock(), whole=whole)
        whole = False
        try:
            await asyncio.wait_for(stop.wait(), timeout=every_seconds)
        except TimeoutError:
            pass
