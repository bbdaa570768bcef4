"""What each event changes in the per-call, per-case and per-message state — order-independently.

Every fact that can arrive more than once or out of order is kept as a *sortable key*: a string
``"<event time, UTC, fixed width>|<rank>|<event id>|<payload>"``. "The first answer wins" is then
``$min`` of the key and "the latest resolution wins" is ``$max``: whatever the order of arrival, and
however often an event is redelivered, the state ends up the same. The event id breaks ties, so even
two different events at the same millisecond give one answer. Facts that only ``case.created`` or
``call.offered`` carry (channel, received time, category …) are plain fields set from that event;
a ``case.recategorised`` is a sortable key beside them that, when present, says the case's category,
department, answer group and ROSA level instead (the latest correction wins).

An :class:`EntityUpdate` folds all of a poll's events for one entity, so the repository writes each
entity once per poll. Applying it to a document in Python (:meth:`EntityUpdate.apply`) gives what
MongoDB holds after the same operators, which the handler uses to find the days that changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from lotsen.contracts import calls, cases, outbound
from lotsen.contracts.envelope import Event

Kind = Literal["calls", "cases", "outbound"]
KINDS: tuple[Kind, ...] = ("calls", "cases", "outbound")
Document = dict[str, Any]


def stamp(at: datetime) -> str:
    """``2026-03-02T09:14:05.120Z``: fixed width, so strings sort as the instants do."""
    utc = at.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def parse_stamp(text: str) -> datetime:
    return datetime.fromisoformat(text)  # Python 3.11 reads the trailing Z as UTC


def sort_key(at: datetime, event: Event[Any], *payload: object, rank: int = 0) -> str:
    return "|".join([stamp(at), str(rank), str(event.event_id), *(str(p) for p in payload)])


def key_parts(key: str | None) -> tuple[datetime, list[str]] | None:
    """(time, payload fields) of a sortable key."""
    if not key:
        return None
    at, _rank, _event_id, *payload = key.split("|")
    return parse_stamp(at), payload


@dataclass
class EntityUpdate:
    kind: Kind
    id: str
    set: Document = field(default_factory=dict)
    min: Document = field(default_factory=dict)
    max: Document = field(default_factory=dict)

    def merge(self, other: EntityUpdate) -> None:
        self.set.update(other.set)
        for name, value in other.min.items():
            self.min[name] = min(self.min[name], value) if name in self.min else value
        for name, value in other.max.items():
            self.max[name] = max(self.max[name], value) if name in self.max else value

    def apply(self, doc: Document | None) -> Document:
        """The document after this update, as MongoDB's ``$set``/``$min``/``$max`` would leave it."""
        result = dict(doc or {"_id": self.id})
        result.update(self.set)
        for name, value in self.min.items():
            result[name] = value if result.get(name) is None else min(result[name], value)
        for name, value in self.max.items():
            result[name] = value if result.get(name) is None else max(result[name], value)
        return result

    def operators(self) -> Document:
        ops: Document = {}
        for op, values in (("$set", self.set), ("$min", self.min), ("$max", self.max)):
            if values:
                ops[op] = values
        return ops


def update_for(event: Event[Any]) -> EntityUpdate | None:
    """The state change one event makes, or None for events the figures do not use."""
    org = {"organization": event.organization}
    d: Any = event.data  # typed per event class below
    match event:
        case calls.CallOffered():
            return EntityUpdate(
                "calls", d.call_id, set=org, min={"offered": sort_key(d.at, event, d.answer_group or "")}
            )
        case calls.CallAnswered():
            update = _call(event, answered=sort_key(d.at, event, d.wait_seconds))
            if d.agent:  # the first answer's agent (staff, kept in the state only)
                update.min["answered_by"] = sort_key(d.at, event, d.agent)
            return update
        case calls.CallAbandoned():
            return _call(event, abandoned=sort_key(d.at, event, d.wait_seconds))
        case calls.CallbackRequested():
            return _call(event, callback=sort_key(event.data.at, event))
        case calls.CallEnded():
            update = _call(event)
            update.max["ended"] = sort_key(d.at, event, d.talk_seconds)  # the latest report of the talk wins
            return update
        case calls.CallWrappedUp():
            # The latest "done" wins: the agent's own click after the platform's, or a correction.
            update = _call(event)
            update.max["wrapped_up"] = sort_key(d.at, event, d.wrap_up_seconds, d.agent or "")
            return update
        case calls.CallTransferred():
            # Where the call went last counts (a call put through twice went to the second place).
            where = sort_key(d.at, event, d.department or "")
            return EntityUpdate("calls", d.call_id, set=org, max={"transferred": where})
        case cases.CaseCreated():
            return _case_created(event)
        case cases.CaseMessageAdded():
            if d.direction == "outbound" and not d.automatic:
                return EntityUpdate("cases", d.case_ref, set=org, min={"first_reply": stamp(d.at)})
            return None
        case cases.CaseHandedOff():
            at = event.occurred_at
            return EntityUpdate(
                "cases",
                d.case_ref,
                set=org,
                min={"handoff_first": sort_key(at, event)},
                max={
                    "handoff_last": sort_key(at, event, d.department, stamp(d.due_at)),
                    **_status(event, "handed_off"),
                },
            )
        case cases.CaseRecategorised():
            # The latest correction wins, whatever the order: the case counts under it from then on.
            correction = (d.category, d.department or "", d.answer_group or "", d.rosa_level)
            return EntityUpdate(
                "cases",
                d.case_ref,
                set=org,
                max={"recategorised_last": sort_key(event.occurred_at, event, *correction)},
            )
        case cases.CaseFeedbackClassified():
            # The latest classification of a synpunkt wins, whatever the order (docs/figures.md).
            classified = sort_key(event.occurred_at, event, d.kind, d.department or "")
            return EntityUpdate("cases", d.case_ref, set=org, max={"feedback_last": classified})
        case cases.CaseResolved():
            resolution = sort_key(
                d.resolved_at,
                event,
                int(d.resolved_by_first_line),
                int(d.failure_demand),
                d.resolved_by or "",
            )
            return EntityUpdate(
                "cases", d.case_ref, set=org, max={"resolved_last": resolution, **_status(event, "resolved")}
            )
        case cases.CaseStatusChanged():
            update = EntityUpdate(
                "cases", event.data.case_ref, set=org, max=_status(event, event.data.new_status, 1)
            )
            if d.new_status == "open":
                update.min["opened"] = sort_key(event.occurred_at, event, "", rank=1)
            return update
        case cases.CaseAssigned():
            # Taken up by an agent: the first assignment to someone, or the first move to open
            # (a first reply or assignment moves a new case to open at the same instant; the
            # assignment, ranked first, names who).
            if not d.assignee:
                return None
            return EntityUpdate(
                "cases", d.case_ref, set=org, min={"opened": sort_key(event.occurred_at, event, d.assignee)}
            )
        case cases.CaseReturned() | cases.CaseReopened():
            return EntityUpdate("cases", event.data.case_ref, set=org, max=_status(event, "open"))
        case cases.CaseClosed():
            merged = {"merged_into": d.merged_into} if d.merged_into else {}
            return EntityUpdate(
                "cases", event.data.case_ref, set={**org, **merged}, max=_status(event, "closed")
            )
        case cases.CaseSurveyAnswered():
            answers = json.dumps(d.answers, sort_keys=True, separators=(",", ":"))
            return EntityUpdate(
                "cases", d.case_ref, set=org, min={"survey": sort_key(event.occurred_at, event, answers)}
            )
        case cases.CaseErased():
            # Erasure removes personal data in casestore; stats holds none, and the case keeps counting.
            return EntityUpdate("cases", event.data.case_ref, set={**org, "erased": True})
        case outbound.OutboundDelivered() | outbound.OutboundFailed():
            outcome = "delivered" if isinstance(event, outbound.OutboundDelivered) else "failed"
            return EntityUpdate(
                "outbound",
                d.outbound_id,
                set={**org, "channel": d.channel},
                min={"first_result": stamp(d.at), outcome: sort_key(d.at, event)},
            )
    return None


def _call(event: Event[Any], **keys: str) -> EntityUpdate:
    d = event.data
    update = EntityUpdate("calls", d.call_id, set={"organization": event.organization}, min=dict(keys))
    if d.answer_group:
        update.min["group_seen"] = sort_key(d.at, event, d.answer_group)
    return update


def _status(event: Event[Any], status: str, rank: int = 0) -> Document:
    """The case's status, latest event time first; at the same instant ``case.status_changed`` wins."""
    return {"status": sort_key(event.occurred_at, event, status, rank=rank)}


FEEDBACK_FIELDS = ("feedback_kind", "feedback_department")


def _case_created(event: cases.CaseCreated) -> EntityUpdate:
    d = event.data
    facts = {
        "organization": event.organization,
        "channel": d.channel,
        "received_at": d.received_at,
        "category": d.category,
        "department": d.department,
        "answer_group": d.answer_group,
        "handled_by": d.handled_by,
        "rosa_level": d.rosa_level,
        "form_id": d.form_id,
        # a synpunkt's kind and concerned department, when the contact gave them (kept only then)
        **{name: value for name in FEEDBACK_FIELDS if (value := getattr(d, name)) is not None},
    }
    return EntityUpdate("cases", d.case_ref, set=facts, max=_status(event, "new"))


def _keep_ivr_choice(update: EntityUpdate, event: Event[Any]) -> None:
    """A call's IVR choice (knappval), from whichever of its events says it: the first by event time
    wins, so a caller who went back to the menu and pressed again counts under the first choice."""
    choice = getattr(event.data, "ivr_choice", None) if update.kind == "calls" else None
    if choice:
        update.min["ivr_first"] = sort_key(event.data.at, event, choice)


def fold(events: list[Event[Any]]) -> dict[tuple[Kind, str], EntityUpdate]:
    """One update per entity for a poll of events."""
    updates: dict[tuple[Kind, str], EntityUpdate] = {}
    for event in events:
        update = update_for(event)
        if update is None:
            continue
        _keep_ivr_choice(update, event)
        known = updates.get((update.kind, update.id))
        if known is None:
            updates[(update.kind, update.id)] = update
        else:
            known.merge(update)
    return updates
