"""Svarsfrekvens (answer rate), servicenivå (service level) and waits, per answer group (svarsgrupp).

Each call counts once, in the Stockholm day of its ``call.offered`` time, with one outcome: answered
(whatever else happened: a call answered and then reported abandoned was answered), else a callback
requested in the queue, else abandoned with its wait, else pending. The tally keeps the waits as
exact histograms, so the short-abandon threshold and the service level can be chosen per query.

Växeln: a call connected to a person or a department (``call.transferred``) also counts as
transferred, under the department it went to last (``""`` when the IVR's connect choice put it
through to a number, department unknown). A transferred call that no agent answered (the IVR put it
through, or it was recorded in the switchboard without telephony events) counts as transferred only:
it waited in no queue, so it is neither offered, nor pending, nor abandoned. No person is counted.
"""

from __future__ import annotations

from typing import Any

from services.stats.facts import CallFacts
from services.stats.figures import Target, met, ratio
from services.stats.tally import Tally, nearest_rank
from services.stats.time_spent import call_time_tally
from services.stats.updates import stamp

CALL_DIMENSIONS = ("answer_group",)


UNKNOWN_DEPARTMENT = "unknown"


def call_tally(call: CallFacts) -> Tally:
    tally = Tally()
    if call.transferred_to is not None:
        tally.count("transferred")
        tally.mark("transferred_to", call.transferred_to or UNKNOWN_DEPARTMENT)
        if call.answered_wait is None:
            return tally
    if call.offered_at is None:
        return tally
    tally.count("offered")
    if call.answered_wait is not None:
        tally.count("answered")
        tally.observe("answer_waits", call.answered_wait)
        call_time_tally(call, tally)
    elif call.callback:
        tally.count("callbacks")
    elif call.abandoned_wait is not None:
        tally.observe("abandon_waits", call.abandoned_wait)
    else:
        tally.count("pending")
        assert call.offered_at is not None
        tally.mark("pending_since", stamp(call.offered_at))
    return tally


def answer_rate(
    tally: Tally,
    *,
    short_abandon_seconds: float,
    service_level_seconds: float,
    target: Target,
    service_level_target: Target = None,
) -> dict[str, Any]:
    abandons = tally.hist("abandon_waits")
    short = sum(n for wait, n in abandons.items() if wait < short_abandon_seconds)
    abandoned = sum(abandons.values()) - short
    answer_waits = tally.hist("answer_waits")
    answered = tally.counts["answered"]
    within = sum(n for wait, n in answer_waits.items() if wait <= service_level_seconds)
    rate = ratio(answered, answered + abandoned)
    level = ratio(within, answered + abandoned)
    return {
        "offered": tally.counts["offered"],
        "answered": answered,
        "abandoned": abandoned,
        "short_abandoned": short,
        "callbacks": tally.counts["callbacks"],
        "pending": tally.counts["pending"],
        "answer_rate": rate,
        "service_level": level,
        "answered_within_service_level": within,
        "median_wait_seconds": nearest_rank(answer_waits, 50),
        "p90_wait_seconds": nearest_rank(answer_waits, 90),
        "target": target,
        "met": met(rate, target),
        "transferred": tally.counts["transferred"],
        "transferred_by_department": dict(sorted(tally.marked("transferred_to").items())),
        "service_level_target": service_level_target,
        "service_level_met": met(level, service_level_target),
    }
