"""A poison record on any consumed topic goes to ``<topic>.dlq`` and the good record behind it is handled.

Against the running system (the ``stack``): each test publishes straight to Kafka a record that
decodes fine but makes the real handler fail, then a good record with the same key (so it sits
behind the poison in the same partition), and checks what an operator would: the good record had
its effect, the poison record is in the DLQ with its error, and the service counts it as
``dead_lettered``. The poison records are ones the handlers cannot take today (a routed contact
larger than Kafka's record limit, a date at the end of the calendar, an organisation id with the
separator stats keys its days by); should a handler learn to refuse one as invalid, it still lands
in the DLQ, and this test still holds.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from lotsen.contracts import topics
from lotsen.contracts.calls import CallEventData, CallOffered
from lotsen.contracts.contacts import ContactReceived, ContactReceivedData
from lotsen.contracts.envelope import Event, derived_event_id, encode_event
from lotsen.contracts.outbound import (
    OutboundDelivered,
    OutboundRequested,
    OutboundRequestedData,
    OutboundResultData,
)
from lotsen.devserver.stack import Stack
from tests.casestore_support import routed
from tests.helpers import eventually
from tests.notify_events import created, handed_off, new_ref, reminder_due

pytestmark = pytest.mark.integration

END_OF_CALENDAR = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)


@pytest.fixture
async def producer(stack: Stack) -> AsyncIterator[AIOKafkaProducer]:
    # A producer that takes larger records than the services' do, as an older intake might have.
    kafka = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, max_request_size=4 * 1024 * 1024)
    await kafka.start()
    yield kafka
    await kafka.stop()


@pytest.fixture
async def client(token_for: Callable[..., str]) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {token_for('admin')}"}
    async with httpx.AsyncClient(timeout=20, headers=headers) as http:
        yield http


async def publish(producer: AIOKafkaProducer, topic: str, *records: bytes | Event[Any], key: str) -> None:
    for record in records:
        value = record if isinstance(record, bytes) else encode_event(record)
        await producer.send_and_wait(topic, value, key=key.encode())


async def dead_letter_of(stack: Stack, topic: str, event_id: uuid.UUID | str) -> dict[str, bytes]:
    """The headers of the DLQ record that holds ``event_id`` (read from the start of ``<topic>.dlq``)."""
    reader = AIOKafkaConsumer(
        topics.dlq(topic),
        bootstrap_servers=stack.bootstrap_servers,
        group_id=f"dlq-reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await reader.start()
    try:

        async def found() -> dict[str, bytes] | None:
            for messages in (await reader.getmany(timeout_ms=500)).values():
                for message in messages:
                    headers = dict(message.headers)
                    if headers.get("lotsen-event-id") == str(event_id).encode():
                        return headers
            return None

        return await eventually(found, timeout=60)
    finally:
        await reader.stop()


async def dead_lettered(client: httpx.AsyncClient, stack: Stack, service: str, topic: str) -> float:
    text = (await client.get(f"{stack.url(service)}/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "lotsen_consumer_records_total"
        and sample.labels.get("topic") == topic
        and sample.labels.get("outcome") == "dead_lettered"
    )


def contact(text: str) -> ContactReceived:
    return ContactReceived(
        producer="intake",
        organization="karlskoga",
        data=ContactReceivedData.model_validate(
            {
                "contact_id": str(uuid.uuid4()),
                "channel": "webform",
                "received_at": datetime.now(UTC),
                "sender": {"name": "Erik Nilsson", "email": "erik@example.se"},
                "subject": "Fråga om bygglov",
                "text": text,
            }
        ),
    )


async def test_routing_parks_a_contact_whose_routed_event_kafka_refuses(
    stack: Stack, producer: AIOKafkaProducer, client: httpx.AsyncClient
) -> None:
    poison = contact("Behöver jag bygglov för en altan? " * 36_000)  # ~1.2 MB: over Kafka's 1 MB
    good = contact("Behöver jag bygglov för en altan på 25 kvm?")
    await publish(producer, topics.CONTACTS_RECEIVED, poison, good, key=f"thread-{uuid.uuid4()}")

    routed_id = str(derived_event_id(good.event_id, "contact.routed")).encode()
    reader = AIOKafkaConsumer(
        topics.CONTACTS_ROUTED,
        bootstrap_servers=stack.bootstrap_servers,
        group_id=f"routed-reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
    )
    await reader.start()
    try:

        async def good_one_routed() -> bool:
            batches = await reader.getmany(timeout_ms=500)
            return any(routed_id in m.value for ms in batches.values() for m in ms)

        await eventually(good_one_routed, timeout=60)
    finally:
        await reader.stop()
    headers = await dead_letter_of(stack, topics.CONTACTS_RECEIVED, poison.event_id)
    assert headers["lotsen-error"].startswith(b"PublishRefused: Kafka refuses the record on contacts.routed")
    # The contact itself is as large as what Kafka refused: the DLQ says where to read it.
    assert b"read it at the source offset" in headers["lotsen-value-omitted"]
    assert headers["lotsen-source-topic"] == b"contacts.received"
    assert await dead_lettered(client, stack, "routing", topics.CONTACTS_RECEIVED) >= 1


async def test_casestore_parks_a_contact_it_cannot_date_and_opens_the_next(
    stack: Stack, producer: AIOKafkaProducer, client: httpx.AsyncClient
) -> None:
    marker = uuid.uuid4().hex[:10]
    poison = routed(f"poison-{marker}", received_at=END_OF_CALENDAR)
    good = routed(f"good-{marker}", subject=f"Fråga {marker}")
    await publish(producer, topics.CONTACTS_ROUTED, poison, good, key=f"thread-{marker}")

    await case_with_subject(client, stack, marker)
    headers = await dead_letter_of(stack, topics.CONTACTS_ROUTED, poison.event_id)
    assert headers["lotsen-error"]
    assert await dead_lettered(client, stack, "casestore", topics.CONTACTS_ROUTED) >= 1


async def case_with_subject(client: httpx.AsyncClient, stack: Stack, marker: str) -> dict[str, Any]:
    async def found() -> dict[str, Any] | None:
        page = await client.get(f"{stack.url('casestore')}/v1/cases", params={"q": marker})
        return next((c for c in page.json()["items"] if marker in (c["subject"] or "")), None)

    return await eventually(found, timeout=60)


async def test_casestore_parks_a_delivery_result_it_cannot_record_and_records_the_next(
    stack: Stack, producer: AIOKafkaProducer, client: httpx.AsyncClient
) -> None:
    marker = uuid.uuid4().hex[:10]
    await publish(producer, topics.CONTACTS_ROUTED, routed(marker, subject=f"Fråga {marker}"), key=marker)
    ref = (await case_with_subject(client, stack, marker))["ref"]

    def result(outbound_id: str) -> OutboundDelivered:
        data = OutboundResultData(
            case_ref=ref, outbound_id=outbound_id, channel="email", at=datetime.now(UTC)
        )
        return OutboundDelivered(producer="notify", organization="karlskoga", data=data)

    poison = result("placeholder")
    # A lone surrogate: valid JSON, decodes to a string that cannot be written as UTF-8.
    poison_bytes = encode_event(poison).replace(b'"placeholder"', b'"\\ud800"')
    good = result(f"reply-{marker}")
    await publish(producer, topics.OUTBOUND_RESULTS, poison_bytes, good, key=ref)

    async def delivery_on_timeline() -> bool:
        timeline = (await client.get(f"{stack.url('casestore')}/v1/cases/{ref}/timeline")).json()
        entries = timeline["entries"] if isinstance(timeline, dict) else timeline
        return any(
            e["type"] == "outbound_delivered" and e["data"]["key"] == f"reply-{marker}" for e in entries
        )

    await eventually(delivery_on_timeline, timeout=60)
    headers = await dead_letter_of(stack, topics.OUTBOUND_RESULTS, poison.event_id)
    assert headers["lotsen-error"]
    assert await dead_lettered(client, stack, "casestore", topics.OUTBOUND_RESULTS) >= 1


async def deliveries_for(client: httpx.AsyncClient, stack: Stack, ref: str) -> list[dict[str, Any]]:
    async def found() -> list[dict[str, Any]] | None:
        page = (await client.get(f"{stack.url('notify')}/v1/deliveries", params={"case_ref": ref})).json()
        items = page["items"] if isinstance(page, dict) else page
        return items or None

    return await eventually(found, timeout=60)


async def test_notify_parks_a_case_event_it_cannot_render_and_announces_the_next(
    stack: Stack, producer: AIOKafkaProducer, client: httpx.AsyncClient
) -> None:
    poison_ref, good_ref = new_ref(), new_ref()
    late = reminder_due(poison_ref)
    poison = late.model_copy(update={"data": late.data.model_copy(update={"due_at": END_OF_CALENDAR})})
    good = handed_off(good_ref)
    await publish(producer, topics.CASES_EVENTS, created(poison_ref), poison, good, key=poison_ref)

    assert await deliveries_for(client, stack, good_ref)
    headers = await dead_letter_of(stack, topics.CASES_EVENTS, poison.event_id)
    assert headers["lotsen-error"]
    assert await dead_lettered(client, stack, "notify", topics.CASES_EVENTS) >= 1


async def test_notify_parks_an_outbound_request_it_cannot_read_and_records_the_next(
    stack: Stack, producer: AIOKafkaProducer, client: httpx.AsyncClient
) -> None:
    poison_ref, good_ref = new_ref(), new_ref()

    def request(ref: str, **extra: Any) -> OutboundRequested:
        data = OutboundRequestedData.model_validate(
            {
                "case_ref": ref,
                "outbound_id": f"ack-{ref}",
                "channel": "email",
                "kind": "acknowledgement",
                "automatic": True,
                "to": {"email": "erik@example.se", "name": "Erik Nilsson"},
                **extra,
            }
        )
        return OutboundRequested(producer="casestore", organization="karlskoga", data=data)

    poison = request(poison_ref, first_response_due="i morgon")  # no RFC 3339 time
    good = request(good_ref)
    await publish(producer, topics.OUTBOUND_REQUESTS, poison, good, key=good_ref)

    assert await deliveries_for(client, stack, good_ref)
    headers = await dead_letter_of(stack, topics.OUTBOUND_REQUESTS, poison.event_id)
    assert headers["lotsen-error"]
    assert await dead_lettered(client, stack, "notify", topics.OUTBOUND_REQUESTS) >= 1


def a_quiet_day() -> date:
    """A day in the past no other test writes figures for."""
    return date(2016, 1, 4) + timedelta(days=random.randrange(0, 1400))


def noon_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)


async def test_stats_parks_a_record_it_cannot_file_and_counts_the_rest_of_the_poll(
    stack: Stack, producer: AIOKafkaProducer, client: httpx.AsyncClient
) -> None:
    day = a_quiet_day()

    def call(organization: str) -> CallOffered:
        # A call of its own each: stats folds the events of one call id in a poll into one update.
        data = CallEventData(call_id=f"call-{uuid.uuid4().hex[:10]}", at=noon_of(day), answer_group="ovrigt")
        return CallOffered(producer="intake", organization=organization, occurred_at=noon_of(day), data=data)

    def result(organization: str, ref: str) -> OutboundDelivered:
        data = OutboundResultData(case_ref=ref, outbound_id=f"o-{ref}", channel="email", at=noon_of(day))
        return OutboundDelivered(producer="notify", organization=organization, data=data)

    # Stats files every figure under "<organisation>|<day>": an organisation id with a "|" in it.
    stray = "karlskoga|degerfors"
    poisons: dict[str, Event[Any]] = {
        topics.CALLS_EVENTS: call(stray),
        topics.CASES_EVENTS: created(new_ref(), organization=stray, received_at=noon_of(day)),
        topics.OUTBOUND_RESULTS: result(stray, new_ref()),
    }
    good_case = created(new_ref(), received_at=noon_of(day))
    goods: dict[str, Event[Any]] = {
        topics.CALLS_EVENTS: call("karlskoga"),
        topics.CASES_EVENTS: good_case,
        topics.OUTBOUND_RESULTS: result("karlskoga", good_case.data.case_ref),
    }
    for topic in poisons:
        await publish(producer, topic, poisons[topic], goods[topic], key=f"stats-{uuid.uuid4().hex[:6]}")

    period = {"from": day.isoformat(), "to": day.isoformat(), "organization": "karlskoga"}

    async def figures_counted() -> bool:
        calls = (await client.get(f"{stack.url('stats')}/v1/stats/answer-rate", params=period)).json()
        cases = (await client.get(f"{stack.url('stats')}/v1/stats/volumes", params=period)).json()
        return calls.get("offered") == 1 and cases.get("total") == 1

    await eventually(figures_counted, timeout=60)
    for topic, poison in poisons.items():
        headers = await dead_letter_of(stack, topic, poison.event_id)
        assert headers["lotsen-error"]
        assert await dead_lettered(client, stack, "stats", topic) >= 1
