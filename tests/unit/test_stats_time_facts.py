"""The facts time spent and per-agent figures read: talk, wrap-up and who answered a call; when a
case was first taken up, by whom, and who resolved it — the same whatever the order of the events
and however often they are redelivered (services/stats/updates.py, facts.py)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from lotsen.contracts import calls, cases
from lotsen.contracts.envelope import Event
from services.stats.facts import CallFacts, CaseFacts
from services.stats.updates import Document, fold

T = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def call(cls: type[Event[Any]], seconds: int, /, **data: Any) -> Event[Any]:
    payload = {"call_id": "c1", "at": T + timedelta(seconds=seconds), "answer_group": "bygg", **data}
    return cls(producer="intake", organization="karlskoga", data=payload)  # type: ignore[call-arg]


def case(cls: type[Event[Any]], seconds: int, /, **data: Any) -> Event[Any]:
    return cls(  # type: ignore[call-arg]
        producer="casestore",
        organization="karlskoga",
        occurred_at=T + timedelta(seconds=seconds),
        data={"case_ref": "K-1", **data},
    )


def state(events: list[Event[Any]]) -> Document:
    """The state document after the events, one poll each, as the handler writes it."""
    doc: Document | None = None
    for event in events:
        for update in fold([event]).values():
            doc = update.apply(doc)
    assert doc is not None
    return doc


def every_order(events: list[Event[Any]]) -> list[Document]:
    """The state after every order of the events, and after each redelivered."""
    docs = [state(list(order)) for order in itertools.permutations(events)]
    docs.append(state(events + events[::-1]))
    return docs


def test_a_call_keeps_its_talk_its_latest_wrap_up_and_who_answered() -> None:
    events = [
        call(calls.CallOffered, 0),
        call(calls.CallAnswered, 20, wait_seconds=20.0, agent="anna"),
        call(calls.CallEnded, 200, talk_seconds=180.0),
        call(calls.CallWrappedUp, 230, wrap_up_seconds=30.0, source="telephony"),
        call(calls.CallWrappedUp, 260, wrap_up_seconds=60.0, agent="anna", source="agent"),
    ]
    for doc in every_order(events):
        facts = CallFacts.from_doc(doc)
        assert (facts.talk_seconds, facts.wrap_up_seconds, facts.agent) == (180.0, 60.0, "anna")
        assert "anna" not in str(doc.get("answered"))  # the agent is a separate fact of the state


def test_a_call_answered_without_an_agent_is_the_wrap_ups_agent() -> None:
    events = [
        call(calls.CallAnswered, 20, wait_seconds=20.0),
        call(calls.CallWrappedUp, 230, wrap_up_seconds=45.0, agent="bo", source="agent"),
    ]
    for doc in every_order(events):
        facts = CallFacts.from_doc(doc)
        assert (facts.talk_seconds, facts.wrap_up_seconds, facts.agent) == (None, 45.0, "bo")


def test_a_case_is_opened_by_its_first_assignment_or_move_to_open_and_resolved_by_the_latest() -> None:
    created = case(
        cases.CaseCreated,
        0,
        channel="email",
        received_at=T,
        category="bygglov",
        handled_by="first_line",
        rosa_level=2,
    )
    # Assigned and opened at the same instant: the assignment names who took it up.
    assigned = case(cases.CaseAssigned, 600, assignee="anna", assigned_by="anna")
    opened = case(cases.CaseStatusChanged, 600, old_status="new", new_status="open")
    unassigned = case(cases.CaseAssigned, 650, assignee=None)
    reassigned = case(cases.CaseAssigned, 700, assignee="bo", assigned_by="chef")
    resolved = case(
        cases.CaseResolved,
        900,
        resolved_at=T + timedelta(seconds=900),
        resolved_by_first_line=True,
        resolution_code="answered",
        resolved_by="bo",
    )
    for doc in every_order([created, assigned, opened, unassigned, reassigned, resolved]):
        facts = CaseFacts.from_doc(doc)
        assert facts.opened_at == T + timedelta(seconds=600)
        assert (facts.opened_by, facts.resolved_by, facts.resolved_by_first_line) == ("anna", "bo", True)


def test_a_case_first_replied_to_without_an_assignment_is_opened_by_no_one_known() -> None:
    opened = case(cases.CaseStatusChanged, 300, old_status="new", new_status="open")
    later = case(cases.CaseAssigned, 400, assignee="anna")
    for doc in every_order([opened, later]):
        facts = CaseFacts.from_doc(doc)
        assert (facts.opened_at, facts.opened_by) == (T + timedelta(seconds=300), None)
