"""What one call or case puts into its day's per-agent cells, and the per-agent figures from them.

A per-agent cell is keyed by (agent, answer group): the agent's user name (``""`` for an answered
call whose telephony named nobody) and the call's or case's answer group (``""`` for none). Its
:class:`~services.stats.tally.Tally` holds, for calls answered by the agent: ``answered``, and for
those that ended ``handled`` and ``talk_ms``, for those wrapped up ``wrapped`` and ``wrap_up_ms``,
for those with both ``talked_and_wrapped`` and ``handling_ms`` (whole milliseconds, so sums are
exact in any order); for cases the
agent resolved at first line: ``resolved_first_line`` and the survey answer's scores. Everything is a
pure function of the entity's state, so a day's cells are what its entities say, however often and in
whatever order the events came.

The definitions (docs/figures.md, *Per handläggare*):

- a call counts for the agent who answered it (the first ``call.answered`` names them; the wrap-up's
  agent when the answer named none), in the local day it was offered, like every call figure;
- *answer share* (andel besvarade): the agent's answered calls / every answered call of the answer
  groups the agent answered in, in the same organisations and period — the agent's part of what
  their groups answered;
- *handling time* (hanteringstid): talk + wrap-up, over the agent's calls that have both, as the
  organisation's time spent counts it (a missing wrap-up is not taken for 0);
- a case counts for the agent who resolved it (the latest ``case.resolved`` names them) when it was
  resolved at first line by the organisation's definition (resolved, never handed off), in the day
  it was received, like every case figure; its survey answer counts for that agent.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.stats.facts import CallFacts, CaseFacts
from services.stats.figures import ratio
from services.stats.satisfaction import satisfaction, satisfaction_tally
from services.stats.tally import Tally

CellKey = tuple[str, str]  # (agent, answer group)
NOBODY = ""


def call_part(call: CallFacts) -> tuple[CellKey, Tally] | None:
    """An answered call's part: its agent's, or nobody's when the telephony named no agent."""
    if call.offered_at is None or call.answered_wait is None:
        return None  # not answered, or not offered: in no answer rate either
    tally = Tally()
    tally.count("answered")
    talk = round(call.talk_seconds * 1000) if call.talk_seconds is not None else None
    wrap = round(call.wrap_up_seconds * 1000) if call.wrap_up_seconds is not None else None
    if talk is not None:
        tally.count("handled")
        tally.count("talk_ms", talk)
    if wrap is not None:
        tally.count("wrapped")
        tally.count("wrap_up_ms", wrap)
    if talk is not None and wrap is not None:
        tally.count("talked_and_wrapped")
        tally.count("handling_ms", talk + wrap)
    return (call.agent or NOBODY, call.answer_group or ""), tally


def case_part(case: CaseFacts) -> tuple[CellKey, Tally] | None:
    """A case resolved at first line, for whoever resolved it; any other case is no agent's."""
    if case.merged_into is not None or not case.resolved_by:
        return None
    if not (case.resolved and case.resolved_by_first_line and not case.handed_off):
        return None  # it needed a department: handed off in the organisation's figure, no agent's here
    tally = Tally()
    tally.count("resolved_first_line")
    satisfaction_tally(case, tally)
    return (case.resolved_by, case.answer_group or ""), tally


@dataclass(frozen=True)
class Piece:
    """One stored per-agent day: its organisation, day and cells."""

    organization: str
    day: date
    cells: dict[CellKey, Tally]


def figures(tally: Tally, *, group_answered: int | None, targets: dict[str, float]) -> dict[str, Any]:
    """The per-agent figures of ``tally``; ``group_answered``: every answered call of the agent's
    answer groups (None: no share, as for a team's total)."""
    answered = tally.counts["answered"]
    handled = tally.counts["handled"]
    wrapped = tally.counts["wrapped"]
    both = tally.counts["talked_and_wrapped"]
    return {
        "answered_calls": answered,
        "answered_in_groups": group_answered,
        "answer_share": None if group_answered is None else ratio(answered, group_answered),
        "handled_calls": handled,
        "wrapped_up_calls": wrapped,
        "talked_and_wrapped_calls": both,
        "mean_talk_seconds": _seconds(tally.counts["talk_ms"], handled),
        "mean_wrap_up_seconds": _seconds(tally.counts["wrap_up_ms"], wrapped),
        "mean_handling_seconds": _seconds(tally.counts["handling_ms"], both),
        "resolved_first_line": tally.counts["resolved_first_line"],
        "satisfaction": satisfaction(tally, targets=targets),
    }


def _seconds(total_ms: int, n: int) -> float | None:
    return round(total_ms / n / 1000, 3) if n else None


PeriodOf = Callable[[Piece], Hashable]


def per_agent(
    pieces: Iterable[Piece],
    *,
    period_of: PeriodOf,
    targets: dict[str, float],
    answer_group: str | None = None,
) -> dict[tuple[Hashable, str], dict[str, Any]]:
    """The figures of every (period, agent) in ``pieces`` (only of ``answer_group`` when given).

    The answer share's denominator is summed per (period, organisation, answer group) over every
    answered call, the unattributed ones too, and for each agent over the groups they answered in."""
    tallies: dict[tuple[Hashable, str], Tally] = {}
    groups_of: dict[tuple[Hashable, str], set[tuple[str, str]]] = {}
    answered: dict[tuple[Hashable, str, str], int] = {}
    for piece in pieces:
        period = period_of(piece)
        for (agent, group), tally in piece.cells.items():
            if answer_group is not None and group != answer_group:
                continue
            if tally.counts["answered"]:
                place = (period, piece.organization, group)
                answered[place] = answered.get(place, 0) + tally.counts["answered"]
            if agent == NOBODY:
                continue
            mine = tallies.setdefault((period, agent), Tally())
            mine.add(tally)
            if tally.counts["answered"]:
                groups_of.setdefault((period, agent), set()).add((piece.organization, group))
    return {
        key: figures(
            tally,
            group_answered=sum(answered[(key[0], org, group)] for org, group in groups_of.get(key, ())),
            targets=targets,
        )
        for key, tally in tallies.items()
    }


def team_total(
    pieces: Iterable[Piece], *, targets: dict[str, float], answer_group: str | None
) -> dict[str, Any]:
    """The figures of every cell together, with the answered calls that named no agent."""
    total = Tally()
    unattributed = 0
    for piece in pieces:
        for (agent, group), tally in piece.cells.items():
            if answer_group is None or group == answer_group:
                total.add(tally)
                if agent == NOBODY:
                    unattributed += tally.counts["answered"]
    return {**figures(total, group_answered=None, targets=targets), "unattributed_calls": unattributed}
