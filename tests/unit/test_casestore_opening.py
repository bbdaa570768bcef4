"""A new case is written once, with its opening; redeliveries and cases an earlier version left half
opened still end with one case, its opening and its events; a change answers the case as stored."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.directory import directory_from
from lotsen.kafka.memory import InMemoryBus
from services.casestore import timeline
from services.casestore.changes import Change, Entry
from services.casestore.intake import make_reference, open_case, skeleton
from services.casestore.repository import StaleCase
from tests.casestore_support import app, client, handle, routed

__all__ = ["app", "client", "handle"]  # fixtures

# Microseconds, which MongoDB does not keep: what a write answers must be what a read gives.
RECEIVED = datetime(2026, 3, 2, 8, 41, 12, 345678, tzinfo=UTC)


def but_outbox(case: dict[str, Any]) -> dict[str, Any]:
    """The case without its outbox: a change answers the case as committed, before its events went."""
    return {field: value for field, value in case.items() if field != "outbox"}


def created_events(bus: InMemoryBus) -> list[Any]:
    return [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.created"]


async def test_a_new_case_is_stored_opened_and_as_open_case_answered(app: FastAPI, bus: InMemoryBus) -> None:
    cases = app.state.cases
    org = directory_from().organization("karlskoga")
    assert org is not None
    event = routed("webform-1", received_at=RECEIVED)

    answered = await open_case(event, org, cases=cases, settings=app.state.settings, follows=None)

    stored = await cases.repo.get("KGA-2026-000001")
    assert but_outbox(answered) == but_outbox(stored)
    published = [*bus.published(topics.CASES_EVENTS), *bus.published(topics.OUTBOUND_REQUESTS)]
    assert sorted(item["event_id"] for item in answered["outbox"]) == sorted(
        str(e.event_id) for e in published
    )
    assert stored["version"] == 1
    assert [e["type"] for e in stored["timeline"]] == ["created", "message", "message"]
    assert timeline.verify(stored["timeline"]).ok
    assert [m["direction"] for m in stored["messages"]] == ["inbound", "outbound"]
    assert stored["people"] == ["email:erik@example.se"]
    assert stored["outbox"] == []
    [created] = created_events(bus)
    assert created.data.received_at == stored["received_at"] == RECEIVED.replace(microsecond=345000)
    assert len(bus.published(topics.OUTBOUND_REQUESTS)) == 1


async def test_a_case_an_earlier_version_left_without_its_opening_gets_it(
    app: FastAPI, handle: Any, bus: InMemoryBus
) -> None:
    """Earlier versions inserted the case at version 0 and opened it with a second write; a crash
    between the two left it so, and the redelivered contact opens it."""
    cases = app.state.cases
    org = directory_from().organization("karlskoga")
    assert org is not None
    event = routed("webform-1")
    ref = make_reference(org.code, 2026, await cases.repo.next_sequence(org.code, 2026))
    await cases.repo.insert_case(skeleton(event, org, ref, app.state.settings, None))

    await handle(event)
    await handle(routed("webform-2"))

    opened = await cases.repo.get("KGA-2026-000001")
    assert opened["version"] == 1
    assert [e["type"] for e in opened["timeline"]] == ["created", "message", "message"]
    assert [e.data.case_ref for e in created_events(bus)] == ["KGA-2026-000001", "KGA-2026-000002"]


async def test_a_redelivered_contact_publishes_what_its_case_could_not_and_takes_no_number(
    app: FastAPI, handle: Any, bus: InMemoryBus
) -> None:
    event = routed("webform-1")
    bus.fail_publishing = True  # Kafka away: the case is stored, its events wait in its outbox
    await handle(event)
    assert len((await app.state.cases.repo.get("KGA-2026-000001"))["outbox"]) == 4
    bus.fail_publishing = False

    await handle(event)
    await handle(routed("webform-2"))

    assert (await app.state.cases.repo.get("KGA-2026-000001"))["outbox"] == []
    assert [e.data.case_ref for e in created_events(bus)] == ["KGA-2026-000001", "KGA-2026-000002"]
    assert len(bus.published(topics.OUTBOUND_REQUESTS)) == 2
    assert await app.state.runtime.db["cases"].count_documents({}) == 2


async def test_the_same_contact_handled_twice_at_once_makes_one_case(
    app: FastAPI, handle: Any, bus: InMemoryBus
) -> None:
    """Both find no case and insert one; the unique contact id refuses the second, which goes on
    with the first's case."""
    event = routed("webform-1")
    await asyncio.gather(handle(event), handle(event))

    assert await app.state.runtime.db["cases"].count_documents({}) == 1
    assert len({e.event_id for e in created_events(bus)}) == 1
    assert len({e.event_id for e in bus.published(topics.OUTBOUND_REQUESTS)}) == 1


async def test_a_change_answers_the_case_exactly_as_stored(app: FastAPI, handle: Any) -> None:
    cases = app.state.cases
    await handle(routed("webform-1"))

    def delivered(case: dict[str, Any]) -> Change:
        at = datetime(2026, 3, 2, 9, 0, 0, 999999, tzinfo=UTC)
        return Change(
            updates={"messages.1.delivery": {"status": "delivered", "at": at}, "priority": "high"},
            entries=[Entry("notify", "outbound_delivered", {"key": case["messages"][1]["key"]})],
        )

    answered = await cases.apply("KGA-2026-000001", delivered)

    stored = await cases.repo.get("KGA-2026-000001")
    assert but_outbox(answered) == but_outbox(stored)
    assert stored["version"] == 2
    assert stored["messages"][1]["delivery"]["at"] == datetime(2026, 3, 2, 9, 0, 0, 999000, tzinfo=UTC)
    assert timeline.verify(stored["timeline"]).ok


async def test_a_change_planned_before_the_outbox_was_emptied_is_planned_again(
    app: FastAPI, handle: Any, bus: InMemoryBus
) -> None:
    """Emptying the outbox leaves the version alone; a commit on the case as read before must not
    answer (and publish again) an outbox that is no longer there."""
    cases = app.state.cases
    bus.fail_publishing = True
    await handle(routed("webform-1"))
    bus.fail_publishing = False
    read_before = await cases.repo.get("KGA-2026-000001")
    await cases.flush(read_before)

    with pytest.raises(StaleCase):
        await cases.commit(read_before, Change(updates={"priority": "high"}))

    answered = await cases.apply("KGA-2026-000001", lambda case: Change(updates={"priority": "high"}))
    assert answered["outbox"] == [] and answered["priority"] == "high"
    assert answered == await cases.repo.get("KGA-2026-000001")
