"""Per-agent days: re-derived from the state of every call and case of a dirty day, like the
organisation's days (:mod:`services.stats.aggregates`), into a collection of their own.

The handler marks a changed day twice: for the organisation's aggregator (scope ``day``) and for
this one (scope ``agentday``, :func:`agent_marks`). Each flush reads the state of every call or case
of each dirty day and stores that day's per-agent cells under the mark's generation — a pure
function of the state, so a redelivered or reordered event, or two replicas flushing at once, cannot
count anything twice, and a write never replaces a newer generation. A day older than the retention
is not derived again: its document is deleted instead, so a late event cannot bring back what the
retention removed.

Re-deriving a day reads all of it (the organisation's aggregator keeps days in memory to avoid
that); per-agent figures are read weekly, not by a wallboard, so this aggregator runs every
``STATS_AGENT_FLUSH_INTERVAL_SECONDS`` (default 30) and before every per-agent query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.stats.agents.cells import CellKey, call_part, case_part
from services.stats.agents.repository import AgentRepository
from services.stats.facts import CallFacts, CaseFacts
from services.stats.repository import Mark, StatsRepository
from services.stats.settings import StatsSettings
from services.stats.tally import Tally
from services.stats.updates import Document, Kind

SCOPE = "agentday"
AGENT_KINDS: tuple[Kind, ...] = ("calls", "cases")


def agent_marks(changed: Iterable[Mark]) -> list[Mark]:
    """The per-agent marks of the organisation's changed days (calls and cases only)."""
    return [Mark(SCOPE, m.kind, m.organization, m.period) for m in changed if m.kind in AGENT_KINDS]


def oldest_kept(now: datetime, tz: ZoneInfo, retention_days: int) -> date:
    """The first local day whose per-agent figures are still kept."""
    return now.astimezone(tz).date() - timedelta(days=retention_days)


def part(kind: Kind, doc: Document, tz: ZoneInfo) -> tuple[str, CellKey, Tally] | None:
    """(its day's bucket, its cell, its tally) for one call or case, or None: it is no agent's."""
    if kind == "calls":
        call = CallFacts.from_doc(doc)
        day, found = call.day(tz), call_part(call)
        organization = call.organization
    else:
        case = CaseFacts.from_doc(doc)
        day, found = case.day(tz), case_part(case)
        organization = case.organization
    if day is None or found is None:
        return None
    return f"{organization}|{day.isoformat()}", found[0], found[1]


class AgentAggregator:
    def __init__(
        self,
        stats: StatsRepository,
        agents: AgentRepository,
        settings: StatsSettings,
        clock: Callable[[], datetime],
    ) -> None:
        self.stats = stats
        self.agents = agents
        self.settings = settings
        self.clock = clock
        self.tz = ZoneInfo(settings.timezone)
        self._lock = asyncio.Lock()

    async def flush(self) -> int:
        """Bring every dirty per-agent day up to date; returns how many were written or deleted."""
        async with self._lock:
            marks = await self.stats.dirty_marks(SCOPE)
            kept_from = oldest_kept(self.clock(), self.tz, self.settings.agent_figures_retention_days)
            done = 0
            for kind in AGENT_KINDS:
                mine = [m for m in marks if m.kind == kind]
                for mark in mine:
                    if date.fromisoformat(mark.period) < kept_from:
                        await self.agents.delete_day(mark)
                        await self.stats.clear_mark(mark)
                        done += 1
                fresh = {f"{m.organization}|{m.period}": m for m in mine if m.period >= kept_from.isoformat()}
                if not fresh:
                    continue
                cells: dict[str, dict[CellKey, Tally]] = {bucket: {} for bucket in fresh}
                for doc in await self.stats.states_in_buckets(kind, list(fresh)):
                    found = part(kind, doc, self.tz)
                    if found is None or found[0] not in cells:
                        continue
                    bucket, key, tally = found
                    cells[bucket].setdefault(key, Tally()).add(tally)
                for bucket, mark in fresh.items():
                    stored = [{"k": list(key), "t": t.to_doc()} for key, t in sorted(cells[bucket].items())]
                    if await self.agents.write_day(mark, stored):
                        done += 1
                    await self.stats.clear_mark(mark)
            return done

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.flush()
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.settings.agent_flush_interval_seconds)
            except TimeoutError:
                pass
