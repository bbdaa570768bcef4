"""A synthetic month for two organisations, as the event stream stats consumes (seeded, reproducible).

Calls: answered (some exactly at the service level), short abandons (some exactly at the 5 s
threshold, which makes them ordinary abandons), long abandons, callbacks, a call answered and then
reported abandoned, calls still waiting at *now*, calls whose ``call.offered`` never arrives (never
counted), calls around midnight and the night of the DST change. Cases: e-mails answered at many
delays — exactly 48 h, one millisecond late, exactly at the working-day deadline, over weekends and
Easter — or never; resolved at first line, handed off, returned, routed straight to a department,
reopened, closed, erased; corrected to another category (once, or twice with a handoff between);
survey answers (a second answer for the same case changes nothing); synpunkter by category and by
web form. Events carry personal data where the real ones do (the
caller's number, the agent) so a test can check that stats keeps none of it.

The plan is made of plain records (:class:`Call`, :class:`Case`); :mod:`tests.stats_expected`
computes the figures from those records with its own code, never importing ``services.stats``.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from lotsen.contracts import calls as call_events
from lotsen.contracts import cases as case_events
from lotsen.contracts import outbound as outbound_events
from lotsen.contracts import topics
from lotsen.contracts.envelope import Event

STHLM = ZoneInfo("Europe/Stockholm")
START = datetime(2026, 3, 16, tzinfo=STHLM)  # two weeks before the DST change, three before Easter
NOW = datetime(2026, 4, 15, 15, 0, tzinfo=STHLM)

# department → [(category, ROSA level, handled_by)], and the department's answer group
CATALOGUE: dict[str | None, list[tuple[str, int, str]]] = {
    "samhallsbyggnad": [
        ("bygglov", 4, "first_line"),
        ("snorojning", 2, "first_line"),
        ("miljotillsyn", 5, "department"),
    ],
    "skola": [("skolplacering", 3, "first_line"), ("elevhalsa", 6, "department")],
    "social": [("trygghetslarm", 3, "first_line"), ("ekonomiskt-bistand", 5, "department")],
    "ledningskontoret": [("synpunkt", 1, "first_line")],
    None: [("ovriga-arenden", 1, "first_line")],
}
GROUPS = {
    "samhallsbyggnad": "bygg-miljo",
    "skola": "barn-skola",
    "social": "socialtjanst",
    "ledningskontoret": "ovrigt",
    None: "ovrigt",
}
IVR_DIGITS = {
    "aldre-funktionsstod": "1",
    "barn-skola": "2",
    "socialtjanst": "3",
    "bygg-miljo": "4",
    "ovrigt": "5",
}
CHANNELS = [("email", 40), ("webform", 20), ("phone", 18), ("facebook", 10), ("visit", 7), ("letter", 5)]
ACKNOWLEDGED = {"email", "webform", "facebook"}


def ms(at: datetime) -> datetime:
    """UTC with millisecond precision, as the wire carries it."""
    utc = at.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


@dataclass
class Call:
    id: str
    organization: str
    group: str
    offered_at: datetime
    outcome: str  # answered | abandoned | callback | pending | answered_and_abandoned | no_offered
    wait: float = 0.0
    ivr_choice: str | None = None  # the digit pressed; None: a direct number
    ivr_later: str | None = None  # a second digit the later events name (the first one counts)

    @property
    def wrap_up(self) -> float | None:
        """The after-call work the platform reports for an answered call: half the wait (so some
        end in .5 and round up), for two calls in three."""
        return self.wait / 2 if int(self.wait) % 3 else None


@dataclass
class Step:
    at: datetime
    kind: str  # created ack assign reply note citizen handoff return resolve close survey erase recategorise
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Case:
    ref: str
    organization: str
    channel: str
    received_at: datetime
    category: str
    department: str | None
    answer_group: str
    handled_by: str
    rosa_level: int
    form_id: str | None
    steps: list[Step] = field(default_factory=list)
    outbound: list[tuple[str, str, list[tuple[datetime, str]]]] = field(default_factory=list)


@dataclass
class Month:
    organizations: tuple[str, str]
    now: datetime
    calls: list[Call]
    cases: list[Case]
    events: list[tuple[str, str, Event[Any]]]  # (topic, key, event) in "live" order, with repeats


def event_time(rng: random.Random, day: datetime) -> datetime:
    """Mostly opening hours; some nights, some a millisecond before midnight."""
    roll = rng.random()
    if roll < 0.03:
        local = datetime.combine(day.date(), datetime.max.time(), STHLM)
    elif roll < 0.08:
        local = datetime.combine(day.date(), datetime.min.time(), STHLM) + timedelta(
            seconds=rng.uniform(0, 6 * 3600)
        )
    else:
        local = datetime.combine(day.date(), datetime.min.time(), STHLM) + timedelta(
            seconds=rng.uniform(7.5 * 3600, 17 * 3600)
        )
    return ms(local)


def days(now: datetime) -> list[datetime]:
    result, day = [], START
    while day < now:
        result.append(day)
        day = datetime.combine(day.date() + timedelta(days=1), datetime.min.time(), STHLM)
    return result


def plan_calls(rng: random.Random, org: str, count: int, now: datetime) -> list[Call]:
    result = []
    all_days = days(now)
    for i in range(count):
        day = rng.choice(all_days)
        offered = event_time(rng, day)
        if day.date() == datetime(2026, 3, 29).date() and rng.random() < 0.3:
            offered = ms(datetime(2026, 3, 29, 0, 30, tzinfo=UTC) + timedelta(seconds=rng.uniform(0, 3600)))
        group = rng.choice(sorted(set(GROUPS.values())))
        roll = rng.random()
        wait = float(rng.choice([rng.randint(0, 240), rng.randint(0, 60) + 0.5, 60.0, 60.5, 5.0, 4.999]))
        if offered > now - timedelta(minutes=20) or offered > now:
            offered = ms(now - timedelta(minutes=rng.uniform(1, 15)))
            outcome = "pending" if rng.random() < 0.6 else "answered"
        elif roll < 0.72:
            outcome = "answered"
        elif roll < 0.84:
            outcome = "abandoned"
        elif roll < 0.87:
            outcome = "callback"
        elif roll < 0.9:
            outcome = "answered_and_abandoned"
        elif roll < 0.91:
            outcome = "no_offered"
        elif roll < 0.93:
            outcome = "pending"  # the CTI never reported an outcome: pending for ever
        else:
            outcome = "answered"
        if outcome in ("abandoned",) and rng.random() < 0.4:
            wait = rng.choice([0.0, 1.2, 3.0, 4.999, 5.0, 5.001])
        if offered + timedelta(seconds=wait) > now:
            wait = 0.0
        call = Call(f"{org}-call-{i:05d}", org, group, offered, outcome, wait)
        # Knappval without drawing from ``rng`` (the rest of the month stays as it was): every fifth
        # call came on a direct number; some pressed again later (only when later: equal times
        # would leave the order to the event ids; a pending call has no later event).
        call.ivr_choice = None if i % 5 == 0 else IVR_DIGITS[group]
        call.ivr_later = "1" if i % 7 == 3 and wait > 0 and outcome != "pending" else None
        result.append(call)
    return result


def call_events_of(call: Call, rng: random.Random) -> list[tuple[str, str, Event[Any]]]:
    base = {"call_id": call.id, "answer_group": call.group, "from": f"+4670{rng.randint(1000000, 9999999)}"}
    org, out = call.organization, []
    end = ms(call.offered_at + timedelta(seconds=call.wait))
    if call.outcome != "no_offered":
        first = {**base, "at": call.offered_at, "ivr_choice": call.ivr_choice}
        out.append(call_events.CallOffered(producer="intake", organization=org, data=first))
    base["ivr_choice"] = call.ivr_later or call.ivr_choice
    if call.outcome in ("answered", "answered_and_abandoned", "no_offered"):
        answered = {**base, "at": end, "wait_seconds": call.wait, "agent": "anna.agent"}
        out.append(call_events.CallAnswered(producer="intake", organization=org, data=answered))
        talk = {**base, "at": ms(end + timedelta(seconds=90)), "talk_seconds": 90}
        out.append(call_events.CallEnded(producer="intake", organization=org, data=talk))
        if call.wrap_up is not None:
            done = {
                **base,
                "at": ms(end + timedelta(seconds=120)),
                "wrap_up_seconds": call.wrap_up,
                "source": "telephony",
            }
            out.append(call_events.CallWrappedUp(producer="intake", organization=org, data=done))
    if call.outcome == "answered_and_abandoned":
        later = {**base, "at": ms(end + timedelta(seconds=30)), "wait_seconds": call.wait + 30}
        out.append(call_events.CallAbandoned(producer="intake", organization=org, data=later))
    if call.outcome == "abandoned":
        out.append(
            call_events.CallAbandoned(
                producer="intake", organization=org, data={**base, "at": end, "wait_seconds": call.wait}
            )
        )
    if call.outcome == "callback":
        out.append(
            call_events.CallbackRequested(producer="intake", organization=org, data={**base, "at": end})
        )
    return [(topics.CALLS_EVENTS, call.id, e) for e in out]


def weighted(rng: random.Random, options: list[tuple[str, int]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def reply_delay(rng: random.Random, received: datetime) -> timedelta | None:
    from lotsen.calendar import (
        add_working_days,
    )  # only to aim at the boundary; the expectation is computed apart

    roll = rng.random()
    working = add_working_days(received, 2) - received
    if roll < 0.25:
        return timedelta(minutes=rng.uniform(5, 20 * 60))
    if roll < 0.45:
        return timedelta(hours=rng.uniform(20, 47.99))
    if roll < 0.50:
        return timedelta(hours=48)
    if roll < 0.53:
        return timedelta(hours=48, milliseconds=1)
    if roll < 0.58:
        return working
    if roll < 0.61:
        return working + timedelta(milliseconds=1)
    if roll < 0.85:
        return timedelta(days=rng.uniform(2, 9))
    return None


def plan_case(rng: random.Random, org: str, ref: str, now: datetime) -> Case:
    received = event_time(rng, rng.choice(days(now)))
    if received > now - timedelta(minutes=5):
        received = ms(now - timedelta(minutes=rng.uniform(5, 120)))
    department = rng.choice(list(CATALOGUE))
    category, rosa, handled_by = rng.choice(CATALOGUE[department])
    channel = weighted(rng, CHANNELS)
    form_id = "synpunkt" if channel == "webform" and rng.random() < 0.1 else None
    case = Case(
        ref, org, channel, received, category, department, GROUPS[department], handled_by, rosa, form_id
    )
    t = received + timedelta(seconds=1)
    steps = [Step(t, "created")]
    if channel in ACKNOWLEDGED:
        steps.append(Step(t + timedelta(seconds=30), "ack"))
    steps.append(Step(t + timedelta(minutes=2), "assign"))
    delay = reply_delay(rng, received) if channel == "email" else timedelta(minutes=rng.uniform(10, 4000))
    if channel != "email" and rng.random() < 0.3:
        delay = None
    if rng.random() < 0.2:
        steps.append(Step(t + timedelta(minutes=3), "note"))
    if delay is not None:
        steps.append(Step(received + delay, "reply"))
    work = (received + delay if delay is not None else t) + timedelta(minutes=rng.uniform(10, 3000))
    steps += outcome_steps(rng, case, work)
    steps += corrections(case, t, work)
    steps.sort(key=lambda s: s.at)
    case.steps = [s for s in steps if s.at <= now]
    return case


def corrections(case: Case, created: datetime, work: datetime) -> list[Step]:
    """Every sixth case is corrected to the next department's first category soon after it came in;
    every twelfth once more an hour after it was worked (after a handoff, if it had one). Chosen by
    reference, not by the random stream, so the rest of the month stays as it was."""
    number = int(case.ref[-6:])
    if number % 6:
        return []
    departments = list(CATALOGUE)
    first = departments[(departments.index(case.department) + 1) % len(departments)]
    steps = [_correction(created + timedelta(minutes=5), first)]
    if number % 12 == 0:
        second = departments[(departments.index(first) + 1) % len(departments)]
        steps.append(_correction(work + timedelta(hours=1), second))
    return steps


def _correction(at: datetime, department: str | None) -> Step:
    category, rosa, _ = CATALOGUE[department][0]
    data = {"category": category, "department": department, "answer_group": GROUPS[department], "rosa": rosa}
    return Step(at, "recategorise", data)


def outcome_steps(rng: random.Random, case: Case, at: datetime) -> list[Step]:
    def resolve(when: datetime, first_line: bool) -> Step:
        return Step(when, "resolve", {"first_line": first_line, "failure_demand": rng.random() < 0.15})

    def handoff(when: datetime) -> Step:
        return Step(
            when,
            "handoff",
            {
                "department": case.department or "ledningskontoret",
                "due_at": ms(when + timedelta(days=rng.uniform(1, 6))),
            },
        )

    day = timedelta(days=1)
    roll = rng.random()
    steps: list[Step] = []
    if case.handled_by == "department":
        if roll < 0.7:
            steps.append(resolve(at + day * rng.uniform(0.5, 10), True))
    elif roll < 0.5:
        steps.append(resolve(at, True))
    elif roll < 0.75:
        steps.append(handoff(at))
        sub = rng.random()
        if sub < 0.6:
            steps.append(resolve(at + day * rng.uniform(1, 6), False))
        elif sub < 0.8:
            steps.append(Step(at + day, "return"))
            steps.append(resolve(at + day + timedelta(hours=1), False))
    elif roll < 0.9:
        if rng.random() < 0.5:
            steps.append(Step(at, "pending"))
    else:
        steps.append(resolve(at, True))
        steps.append(Step(at + day, "citizen"))
        if rng.random() < 0.5:
            steps.append(resolve(at + day + timedelta(hours=2), True))
        else:
            steps.append(handoff(at + day + timedelta(hours=1)))
            if rng.random() < 0.6:
                steps.append(resolve(at + 2 * day, False))
    resolved = [s for s in steps if s.kind == "resolve"]
    if resolved:
        last = resolved[-1].at
        if rng.random() < 0.5:
            steps.append(Step(last + 5 * day, "close"))
            if rng.random() < 0.1:
                steps.append(Step(last + 5 * day + timedelta(minutes=1), "erase"))
        if rng.random() < 0.35:
            steps.append(Step(last + timedelta(hours=2), "survey", {"answers": survey_answers(rng)}))
            if rng.random() < 0.3:
                steps.append(Step(last + day, "survey", {"answers": survey_answers(rng)}))
    return steps


def survey_answers(rng: random.Random) -> dict[str, int]:
    answers = {
        q: rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 3, 8, 10])[0]
        for q in ("bemotande", "kunskap", "tillganglighet")
    }
    if rng.random() < 0.05:
        del answers["tillganglighet"]
    return answers


NEXT_STATUS = {
    "created": "new",
    "pending": "pending_citizen",
    "handoff": "handed_off",
    "return": "open",
    "resolve": "resolved",
    "close": "closed",
}


def case_events_of(case: Case, rng: random.Random) -> tuple[list[tuple[str, str, Event[Any]]], list[Any]]:
    """The case's events on cases.events and outbound.results, and its outbound messages
    ``(outbound_id, channel, [(at, outcome)])`` for the expectation."""
    org, ref, out, messages = case.organization, case.ref, [], []
    status = None

    def emit(cls: type[Event[Any]], when: datetime, /, **data: Any) -> None:
        event = cls(producer="casestore", organization=org, occurred_at=when, data={"case_ref": ref, **data})
        out.append((topics.CASES_EVENTS, ref, event))

    def message(at: datetime, key: str, direction: str, channel: str, automatic: bool) -> None:
        emit(
            case_events.CaseMessageAdded,
            at,
            message_id=key,
            direction=direction,
            channel=channel,
            at=at,
            automatic=automatic,
        )
        if direction == "outbound":
            results = [(ms(at + timedelta(seconds=5)), "delivered")]
            roll = rng.random()
            if roll < 0.1:
                results = [
                    (ms(at + timedelta(seconds=5)), "failed"),
                    (ms(at + timedelta(minutes=5)), "delivered"),
                ]
            elif roll < 0.15:
                results = [(ms(at + timedelta(seconds=5)), "failed")]
            messages.append((key, channel, results))
            for when, outcome in results:
                cls = (
                    outbound_events.OutboundDelivered
                    if outcome == "delivered"
                    else outbound_events.OutboundFailed
                )
                extra = {"reason": "mailbox full"} if outcome == "failed" else {}
                event = cls(
                    producer="notify",
                    organization=org,
                    occurred_at=when,
                    data={"case_ref": ref, "outbound_id": key, "channel": channel, "at": when, **extra},
                )
                out.append((topics.OUTBOUND_RESULTS, ref, event))

    reply_channel = case.channel if case.channel in ACKNOWLEDGED else "email"
    for n, step in enumerate(case.steps):
        at, new_status = ms(step.at), NEXT_STATUS.get(step.kind)
        if step.kind == "created":
            data = {
                "channel": case.channel,
                "received_at": case.received_at,
                "category": case.category,
                "department": case.department,
                "answer_group": case.answer_group,
                "handled_by": case.handled_by,
                "rosa_level": case.rosa_level,
            }
            if case.form_id:
                data["form_id"] = case.form_id
            emit(case_events.CaseCreated, at, **data)
            message(case.received_at, f"{ref}.in", "inbound", case.channel, False)
        elif step.kind == "ack":
            message(at, f"{ref}.{n}.ack", "outbound", reply_channel, True)
        elif step.kind == "assign":
            emit(case_events.CaseAssigned, at, assignee="anna.agent", assigned_by="bo.supervisor")
            new_status = "open"
        elif step.kind == "reply":
            message(at, f"{ref}.{n}.reply", "outbound", reply_channel, False)
            new_status = "open" if status == "new" else None
        elif step.kind == "note":
            message(at, f"{ref}.{n}.note", "internal", "internal", False)
        elif step.kind == "citizen":
            message(at, f"{ref}.{n}.in", "inbound", case.channel, False)
            if status == "resolved":
                emit(case_events.CaseReopened, at, reason="the citizen wrote again")
            new_status = "open" if status in ("resolved", "pending_citizen") else None
        elif step.kind == "handoff":
            emit(
                case_events.CaseHandedOff,
                at,
                department=step.data["department"],
                reason="needs the department",
                due_at=step.data["due_at"],
                handed_off_by="anna.agent",
            )
        elif step.kind == "return":
            emit(
                case_events.CaseReturned,
                at,
                department=case.department,
                reason="first line can answer",
                returned_by="handler.hans",
            )
        elif step.kind == "resolve":
            emit(
                case_events.CaseResolved,
                at,
                resolved_at=at,
                resolved_by_first_line=step.data["first_line"],
                failure_demand=step.data["failure_demand"],
                resolution_code="answered",
            )
        elif step.kind == "recategorise":
            emit(
                case_events.CaseRecategorised,
                at,
                category=step.data["category"],
                department=step.data["department"],
                answer_group=step.data["answer_group"],
                handled_by=case.handled_by,
                rosa_level=step.data["rosa"],
                reason="misclassified",
                recategorised_by="bo.supervisor",
            )
        elif step.kind == "close":
            emit(case_events.CaseClosed, at, closed_at=at)
        elif step.kind == "survey":
            emit(case_events.CaseSurveyAnswered, at, answers=step.data["answers"])
        elif step.kind == "erase":
            emit(case_events.CaseErased, at, erased_at=at, fields=["citizen", "messages.text"])
        if new_status and new_status != status and step.kind != "created":
            emit(case_events.CaseStatusChanged, at, old_status=status, new_status=new_status)
        status = new_status or status
    return out, messages


def build_month(
    *, seed: int, organizations: tuple[str, str], calls_per_org: int, cases_per_org: int, now: datetime = NOW
) -> Month:
    rng = random.Random(seed)
    calls: list[Call] = []
    cases: list[Case] = []
    events: list[tuple[str, str, Event[Any]]] = []
    for org, code in zip(organizations, ("PRA", "PRB"), strict=True):
        org_calls = plan_calls(rng, org, calls_per_org, ms(now))
        calls += org_calls
        for call in org_calls:
            events += call_events_of(call, rng)
        for i in range(1, cases_per_org + 1):
            case = plan_case(rng, org, f"{code}-2026-{i:06d}", ms(now))
            out, messages = case_events_of(case, rng)
            case.outbound = messages
            cases.append(case)
            events += out
    return Month(organizations, ms(now), calls, cases, live_order(rng, events))


def live_order(
    rng: random.Random, events: list[tuple[str, str, Event[Any]]]
) -> list[tuple[str, str, Event[Any]]]:
    """By event time, but some arrive late, some answers before their offer, some twice."""
    answered_at = {
        e.data.call_id: e.occurred_at for _, _, e in events if isinstance(e, call_events.CallAnswered)
    }
    answer_first = {call for call in answered_at if rng.random() < 0.1}
    far = datetime.max.replace(tzinfo=UTC)

    def arrival(item: tuple[str, str, Event[Any]]) -> datetime:
        event = item[2]
        if rng.random() < 0.03:
            return far  # arrives after everything else
        if isinstance(event, call_events.CallOffered) and event.data.call_id in answer_first:
            return answered_at[event.data.call_id] + timedelta(milliseconds=1)
        return event.occurred_at

    live = [item for _, item in sorted(((arrival(item), n), item) for n, item in enumerate(events))]
    repeated = []
    for item in live:
        repeated.append(item)
        roll = rng.random()
        if roll < 0.02:
            repeated.append(item)  # redelivered: the same event id
        elif roll < 0.03:
            topic, key, event = item
            repeated.append((topic, key, event.model_copy(update={"event_id": uuid.uuid4()})))
    return repeated
