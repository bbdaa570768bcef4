"""The per-call, per-case and per-message state read back as facts the definitions use.

A state document holds sortable keys (see :mod:`services.stats.updates`); these dataclasses decode
them once. None of them holds anything that identifies a citizen: a call is its id, times, answer
group and waits; a case is its reference, channel, routing decision, times and flags. Staff user
names (``agent``, ``opened_by``, ``resolved_by``) are kept for per-agent figures; they stay in the
state documents and never reach the organisation's day and month cells.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.stats.updates import Document, key_parts, parse_stamp

OPEN_STATUSES = frozenset({"new", "open", "pending_citizen", "handed_off"})


def local_day(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


@dataclass(frozen=True)
class CallFacts:
    id: str
    organization: str
    offered_at: datetime | None
    answer_group: str | None
    answered_wait: float | None
    abandoned_wait: float | None
    callback: bool
    transferred_at: datetime | None = None
    transferred_to: str | None = None  # the department; "" when the IVR put it through to a number
    talk_seconds: float | None = None  # the latest call.ended's
    wrap_up_seconds: float | None = None  # the latest call.wrapped_up's
    agent: str | None = None  # who answered (staff; the wrap-up's agent when the answer named none)
    ivr_choice: str | None = None  # the first IVR choice (knappval) any of its events named

    @classmethod
    def from_doc(cls, doc: Document) -> CallFacts:
        offered = key_parts(doc.get("offered"))
        seen = key_parts(doc.get("group_seen"))
        answered = key_parts(doc.get("answered"))
        abandoned = key_parts(doc.get("abandoned"))
        transferred = key_parts(doc.get("transferred"))
        ended = key_parts(doc.get("ended"))
        wrapped = key_parts(doc.get("wrapped_up"))
        answered_by = key_parts(doc.get("answered_by"))
        agent = "|".join(answered_by[1]) if answered_by else ""
        if not agent and wrapped:
            agent = "|".join(wrapped[1][1:])
        group = (offered[1][0] if offered else "") or (seen[1][0] if seen else "")
        return cls(
            id=doc["_id"],
            organization=doc.get("organization", ""),
            offered_at=offered[0] if offered else None,
            answer_group=group or None,
            answered_wait=float(answered[1][0]) if answered else None,
            abandoned_wait=float(abandoned[1][0]) if abandoned else None,
            callback=bool(doc.get("callback")),
            transferred_at=transferred[0] if transferred else None,
            transferred_to=transferred[1][0] if transferred else None,
            talk_seconds=float(ended[1][0]) if ended else None,
            wrap_up_seconds=float(wrapped[1][0]) if wrapped else None,
            agent=agent or None,
            ivr_choice=doc["ivr_first"].split("|", 3)[3] if doc.get("ivr_first") else None,
        )

    def day(self, tz: ZoneInfo) -> date | None:
        """The day it was offered; a call connected with no ``call.offered`` (recorded in the
        switchboard only), the day it was connected."""
        at = self.offered_at or self.transferred_at
        return local_day(at, tz) if at else None


@dataclass(frozen=True)
class CaseFacts:
    ref: str
    organization: str
    channel: str | None
    received_at: datetime | None
    category: str | None
    department: str | None
    answer_group: str | None
    handled_by: str | None
    rosa_level: int | None
    form_id: str | None
    first_reply_at: datetime | None
    handed_off: bool
    due_at: datetime | None
    resolved: bool
    resolved_by_first_line: bool
    failure_demand: bool
    status: str | None
    survey: dict[str, Any] | None
    merged_into: str | None = None
    opened_at: datetime | None = None  # first taken up: first assignment to someone or move to open
    opened_by: str | None = None  # the first assignee (staff), when an assignment opened it
    resolved_by: str | None = None  # who resolved it last (staff)
    first_handoff_at: datetime | None = None
    feedback_kind: str | None = None  # a synpunkt's kind; see services.stats.feedback
    feedback_department: str | None = None  # the department it concerns, when someone said
    recategorised: bool = False

    @classmethod
    def from_doc(cls, doc: Document) -> CaseFacts:
        last_handoff = key_parts(doc.get("handoff_last"))
        resolution = key_parts(doc.get("resolved_last"))
        status = key_parts(doc.get("status"))
        survey = key_parts(doc.get("survey"))
        opened = key_parts(doc.get("opened"))
        first_handoff = key_parts(doc.get("handoff_first"))
        classified = _classification(doc)
        department = classified["department"]
        # A handoff moves the errand to the department that got it, a correction to the one it
        # names: whichever came last.
        if last_handoff and doc["handoff_last"] > (doc.get("recategorised_last") or ""):
            department = last_handoff[1][0]
        return cls(
            ref=doc["_id"],
            organization=doc.get("organization", ""),
            channel=doc.get("channel"),
            received_at=doc.get("received_at"),
            category=classified["category"],
            department=department,
            answer_group=classified["answer_group"],
            handled_by=doc.get("handled_by"),
            rosa_level=classified["rosa_level"],
            form_id=doc.get("form_id"),
            first_reply_at=parse_stamp(doc["first_reply"]) if doc.get("first_reply") else None,
            handed_off=bool(doc.get("handoff_first")) or doc.get("handled_by") == "department",
            due_at=parse_stamp(last_handoff[1][1]) if last_handoff else None,
            resolved=resolution is not None,
            resolved_by_first_line=bool(resolution and resolution[1][0] == "1"),
            failure_demand=bool(resolution and resolution[1][1] == "1"),
            status=status[1][0] if status else None,
            survey=json.loads("|".join(survey[1])) if survey else None,
            merged_into=doc.get("merged_into"),
            opened_at=opened[0] if opened else None,
            opened_by=("|".join(opened[1]) or None) if opened else None,
            resolved_by=("|".join(resolution[1][2:]) or None) if resolution else None,
            first_handoff_at=first_handoff[0] if first_handoff else None,
            recategorised=bool(doc.get("recategorised_last")),
            **_feedback(doc),
        )

    @property
    def created(self) -> bool:
        return self.received_at is not None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def synpunkt(self) -> bool:
        # The synpunkt form's case stops being one when a correction gives it another category.
        return self.category == "synpunkt" or (self.form_id == "synpunkt" and not self.recategorised)

    def day(self, tz: ZoneInfo) -> date | None:
        return local_day(self.received_at, tz) if self.received_at else None


def _classification(doc: Document) -> dict[str, Any]:
    """Category, department, answer group and ROSA level: the latest correction's, else routing's."""
    corrected = key_parts(doc.get("recategorised_last"))
    if corrected is None:
        return {name: doc.get(name) for name in ("category", "department", "answer_group", "rosa_level")}
    category, department, answer_group, rosa_level = corrected[1]
    return {
        "category": category,
        "department": department or None,
        "answer_group": answer_group or None,
        "rosa_level": int(rosa_level),
    }


def _feedback(doc: Document) -> dict[str, str | None]:
    """A synpunkt's kind and concerned department: the latest classification's, else the contact's."""
    classified = key_parts(doc.get("feedback_last"))
    if classified is None:
        return {
            "feedback_kind": doc.get("feedback_kind"),
            "feedback_department": doc.get("feedback_department"),
        }
    kind, department = classified[1]
    return {"feedback_kind": kind, "feedback_department": department or None}


@dataclass(frozen=True)
class OutboundFacts:
    id: str
    organization: str
    channel: str | None
    first_result_at: datetime | None
    delivered: bool

    @classmethod
    def from_doc(cls, doc: Document) -> OutboundFacts:
        return cls(
            id=doc["_id"],
            organization=doc.get("organization", ""),
            channel=doc.get("channel"),
            first_result_at=parse_stamp(doc["first_result"]) if doc.get("first_result") else None,
            delivered=bool(doc.get("delivered")),
        )

    def day(self, tz: ZoneInfo) -> date | None:
        return local_day(self.first_result_at, tz) if self.first_result_at else None
