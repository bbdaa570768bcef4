"""The consumer rules, through the in-memory bus: handle once, skip duplicates, dead-letter the hopeless."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
from pymongo.errors import AutoReconnect, ConnectionFailure, NetworkTimeout, ServerSelectionTimeoutError

from lotsen.contracts import CaseCreated, Event, InvalidEvent, topics
from lotsen.contracts.cases import CaseCreatedData
from lotsen.contracts.envelope import decode_event, encode_event
from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.processing import MemoryDeduplicator, RawRecord, RetryLater, RetryPolicy, process_record
from lotsen.kafka.publisher import PublishFailed, PublishRefused


def created(ref: str = "KGA-2026-000001") -> CaseCreated:
    return CaseCreated(
        producer="casestore",
        organization="karlskoga",
        data=CaseCreatedData(
            case_ref=ref,
            channel="webform",
            received_at=datetime.now(UTC),
            category="ovriga-arenden",
            handled_by="first_line",
            rosa_level=1,
        ),
    )


async def test_a_handler_sees_each_event_once_even_when_redelivered(bus: InMemoryBus) -> None:
    seen: list[str] = []

    async def handler(event: Event[Any]) -> None:
        seen.append(event.data.case_ref)

    event = created()
    await bus.publish(topics.CASES_EVENTS, event, key=event.data.case_ref)
    await bus.publish(topics.CASES_EVENTS, event, key=event.data.case_ref)  # a redelivery
    outcomes = await bus.deliver(topics.CASES_EVENTS, handler, dedupe=MemoryDeduplicator())
    assert outcomes == ["handled", "duplicate"]
    assert seen == ["KGA-2026-000001"]


async def test_an_undecodable_record_goes_to_the_dlq_with_its_bytes_and_the_error(bus: InMemoryBus) -> None:
    handled: list[Event[Any]] = []

    async def handler(event: Event[Any]) -> None:
        handled.append(event)

    await bus.publish_raw(topics.CASES_EVENTS, b"\x00garbage", key=b"k")
    await bus.publish(topics.CASES_EVENTS, created(), key="KGA-2026-000001")
    outcomes = await bus.deliver(topics.CASES_EVENTS, handler)
    assert outcomes == ["dead_lettered", "handled"]
    assert len(handled) == 1
    [dead] = bus.records[topics.dlq(topics.CASES_EVENTS)]
    assert dead.value == b"\x00garbage"
    assert dead.key == b"k"
    headers = dict(dead.headers)
    assert b"not JSON" in headers["lotsen-error"]
    assert headers["lotsen-source-topic"] == b"cases.events"
    assert headers["lotsen-source-offset"] == b"0"


async def test_a_handler_can_declare_an_event_invalid(bus: InMemoryBus) -> None:
    async def handler(event: Event[Any]) -> None:
        raise InvalidEvent("case names an organisation nobody knows")

    await bus.publish(topics.CASES_EVENTS, created(), key="KGA-2026-000001")
    assert await bus.deliver(topics.CASES_EVENTS, handler) == ["dead_lettered"]
    [dead] = bus.records[topics.dlq(topics.CASES_EVENTS)]
    assert b"nobody knows" in dict(dead.headers)["lotsen-error"]


async def test_retry_later_is_not_swallowed_and_the_event_is_not_remembered() -> None:
    dedupe = MemoryDeduplicator()
    event = created()
    record = RawRecord(topics.CASES_EVENTS, 0, 0, b"k", event.model_dump_json().encode())

    async def down(event: Event[Any]) -> None:
        raise RetryLater("database is down")

    with pytest.raises(RetryLater):
        await process_record(record, down, dead_letters=InMemoryBus(), dedupe=dedupe)
    assert not await dedupe.seen(str(event.event_id))


async def test_trace_context_travels_from_publisher_to_handler(bus: InMemoryBus) -> None:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider

    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    with trace.get_tracer("test").start_as_current_span("request") as span:
        await bus.publish(topics.CASES_EVENTS, created(), key="KGA-2026-000001")
        trace_id = format(span.get_span_context().trace_id, "032x")
    headers = dict(bus.records[topics.CASES_EVENTS][0].headers)
    assert trace_id in headers["traceparent"].decode()

    seen: list[str] = []

    async def handler(event: Event[Any]) -> None:
        seen.append(format(trace.get_current_span().get_span_context().trace_id, "032x"))

    await bus.deliver(topics.CASES_EVENTS, handler)
    assert seen == [trace_id]


async def test_a_refusing_bus_raises_publish_failed(bus: InMemoryBus) -> None:
    bus.fail_publishing = True
    with pytest.raises(PublishFailed):
        await bus.publish(topics.CASES_EVENTS, created(), key="k")


async def test_a_handler_that_cannot_build_valid_data_parks_the_event(bus: InMemoryBus) -> None:
    from pydantic import BaseModel

    class Strict(BaseModel):
        number: int

    async def handler(event: Event[Any]) -> None:
        Strict.model_validate({"number": "not a number"})

    await bus.publish(topics.CASES_EVENTS, created(), key="KGA-2026-000001")
    assert await bus.deliver(topics.CASES_EVENTS, handler) == ["dead_lettered"]
    [dead] = bus.records[topics.dlq(topics.CASES_EVENTS)]
    assert b"number" in dict(dead.headers)["lotsen-error"]


async def test_the_stand_in_survives_thousands_of_collections() -> None:
    from lotsen import mongo

    client = mongo.connect("mongomock://")
    db = client["many"]
    for i in range(1500):
        await db[f"c{i}"].update_one({"_id": 1}, {"$set": {"n": i}}, upsert=True)
    await db["c0"].bulk_write([__import__("pymongo").UpdateOne({"_id": 1}, {"$inc": {"n": 1}})])
    assert (await db["c0"].find_one({"_id": 1}))["n"] == 1


async def test_a_record_whose_handler_keeps_failing_is_poison_and_the_next_one_is_handled(
    bus: InMemoryBus,
) -> None:
    poison, good = created("KGA-2026-000001"), created("KGA-2026-000002")
    tries: list[str] = []

    async def handler(event: Event[Any]) -> None:
        tries.append(event.data.case_ref)
        if event.data.case_ref == poison.data.case_ref:
            raise KeyError("department")

    await bus.publish(topics.CASES_EVENTS, poison, key=poison.data.case_ref)
    await bus.publish(topics.CASES_EVENTS, good, key=good.data.case_ref)
    outcomes = await bus.deliver(topics.CASES_EVENTS, handler, policy=RetryPolicy(max_attempts=3))
    assert outcomes == ["dead_lettered", "handled"]
    assert tries == ["KGA-2026-000001"] * 3 + ["KGA-2026-000002"]
    [dead] = bus.records[topics.dlq(topics.CASES_EVENTS)]
    assert decode_event(dead.value).event_id == poison.event_id
    assert dict(dead.headers)["lotsen-error"] == b"KeyError: 'department'"


async def test_a_failure_that_passes_within_the_tries_is_no_poison(bus: InMemoryBus) -> None:
    failures = [RuntimeError("a moment of confusion")]

    async def handler(event: Event[Any]) -> None:
        if failures:
            raise failures.pop()

    await bus.publish(topics.CASES_EVENTS, created(), key="KGA-2026-000001")
    assert await bus.deliver(topics.CASES_EVENTS, handler) == ["handled"]
    assert not bus.records[topics.dlq(topics.CASES_EVENTS)]


@pytest.mark.parametrize(
    "outage",
    [
        RetryLater("the database is restarting"),
        AutoReconnect("connection reset"),
        NetworkTimeout("timed out"),
        ServerSelectionTimeoutError("no primary"),
        ConnectionFailure("refused"),
        PublishFailed("Kafka did not acknowledge"),
        KafkaConnectionError("broker away"),
        KafkaTimeoutError(),
        TimeoutError(),
    ],
    ids=lambda error: type(error).__name__,
)
async def test_an_outage_is_retried_without_limit_and_never_dead_lettered(
    bus: InMemoryBus, outage: Exception
) -> None:
    dedupe = MemoryDeduplicator()
    tries = 0

    async def handler(event: Event[Any]) -> None:
        nonlocal tries
        tries += 1
        raise outage

    event = created()
    await bus.publish(topics.CASES_EVENTS, event, key="KGA-2026-000001")
    for _ in range(5):  # more than max_attempts: an outage is never counted as tries
        with pytest.raises(RetryLater):
            await bus.deliver(topics.CASES_EVENTS, handler, dedupe=dedupe)
    assert tries == 5
    assert not bus.records[topics.dlq(topics.CASES_EVENTS)]
    assert not await dedupe.seen(str(event.event_id))


async def test_an_event_the_broker_refuses_for_good_is_dead_lettered_at_once(bus: InMemoryBus) -> None:
    tries = 0

    async def handler(event: Event[Any]) -> None:
        nonlocal tries
        tries += 1
        raise PublishRefused("Kafka refuses the record on contacts.routed for good (1300000 bytes)")

    await bus.publish(topics.CONTACTS_RECEIVED, created(), key="k")
    assert await bus.deliver(topics.CONTACTS_RECEIVED, handler) == ["dead_lettered"]
    assert tries == 1
    [dead] = bus.records[topics.dlq(topics.CONTACTS_RECEIVED)]
    assert b"PublishRefused: Kafka refuses the record" in dict(dead.headers)["lotsen-error"]


class CountingDeduplicator(MemoryDeduplicator):
    def __init__(self) -> None:
        super().__init__()
        self.look_ups = 0

    async def seen(self, event_id: str) -> bool:
        self.look_ups += 1
        return await super().seen(event_id)


async def test_a_consumer_that_wants_one_event_type_passes_the_others_without_a_look_up() -> None:
    """intake's erasure consumer reads every case event for the few ``case.erased``: the others
    must not cost a round trip to the event-id store each."""
    handled: list[str] = []
    dedupe = CountingDeduplicator()

    async def handler(event: Event[Any]) -> None:
        handled.append(event.type)

    event = created()
    record = RawRecord(topics.CASES_EVENTS, 0, 0, b"KGA-2026-000001", encode_event(event))
    outcome = await process_record(
        record, handler, dead_letters=InMemoryBus(), dedupe=dedupe, event_types=("case.erased",)
    )
    assert outcome == "ignored"
    assert handled == []
    assert dedupe.look_ups == 0
    outcome = await process_record(
        record, handler, dead_letters=InMemoryBus(), dedupe=dedupe, event_types=("case.created",)
    )
    assert (outcome, handled, dedupe.look_ups) == ("handled", ["case.created"], 1)


async def test_a_record_of_a_type_the_consumer_passes_over_is_not_its_to_dead_letter() -> None:
    """cases.events' own consumers dead-letter a case event that breaks its contract; intake's
    erasure consumer, which wants case.erased only, neither validates nor parks it."""
    bus = InMemoryBus()
    broken = b'{"type": "case.created", "event_id": "not a uuid", "data": {}}'
    record = RawRecord(topics.CASES_EVENTS, 0, 0, b"KGA-2026-000001", broken)

    async def handler(event: Event[Any]) -> None:
        raise AssertionError("not called")

    outcome = await process_record(record, handler, dead_letters=bus, event_types=("case.erased",))
    assert outcome == "ignored"
    assert bus.records[topics.dlq(topics.CASES_EVENTS)] == []
    garbage = RawRecord(topics.CASES_EVENTS, 0, 1, b"k", b"\x00garbage")
    assert await process_record(garbage, handler, dead_letters=bus, event_types=("case.erased",)) == (
        "dead_lettered"
    )
