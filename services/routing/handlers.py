"""contact.received → contact.routed."""

from __future__ import annotations

from typing import Any

from lotsen.contracts import topics
from lotsen.contracts.contacts import ContactReceived, ContactRouted, ContactRoutedData
from lotsen.contracts.envelope import Event, InvalidEvent, derived_event_id
from lotsen.directory import Directory
from lotsen.kafka.publisher import Publisher
from services.routing.decide import decide


def routed_event(received: ContactReceived, directory: Directory) -> ContactRouted:
    org = directory.organization(received.organization)
    if org is None:
        raise InvalidEvent(
            f"contact {received.data.contact_id} names unknown organisation {received.organization!r}"
        )
    decision = decide(received.data, org)
    return ContactRouted(
        event_id=derived_event_id(received.event_id, "contact.routed"),
        # The source's time, not the clock: a redelivery must yield the identical event.
        occurred_at=received.occurred_at,
        producer="routing",
        organization=org.id,
        data=ContactRoutedData(**received.data.model_dump(), decision=decision),
    )


def make_handler(*, publisher: Publisher, directory: Directory):  # type: ignore[no-untyped-def]
    async def on_contact_received(event: Event[Any]) -> None:
        if not isinstance(event, ContactReceived):
            raise InvalidEvent(f"routing does not handle {event.type} on {topics.CONTACTS_RECEIVED}")
        routed = routed_event(event, directory)
        key = routed.data.thread.case_ref or routed.data.contact_id
        await publisher.publish(topics.CONTACTS_ROUTED, routed, key=key)

    return on_contact_received
