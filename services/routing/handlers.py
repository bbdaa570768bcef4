"""contact.received → contact.routed, decided by the ruleset version active when the contact was received."""

from __future__ import annotations

from typing import Any

from lotsen.contracts import topics
from lotsen.contracts.contacts import ContactReceived, ContactReceivedData, ContactRouted, ContactRoutedData
from lotsen.contracts.envelope import Event, InvalidEvent, derived_event_id
from lotsen.kafka.publisher import Publisher
from services.routing.decide import Router
from services.routing.rules import Ruleset
from services.routing.rulesets import RulesetBook


def routed_event(received: ContactReceived, router: Router, ruleset: Ruleset) -> ContactRouted:
    org = router.directory.organization(received.organization)
    if org is None:
        raise InvalidEvent(
            f"contact {received.data.contact_id} names unknown organisation {received.organization!r}"
        )
    decision = router.decide(received.data, org, ruleset)
    contact = received.data
    # The contact was validated when it was decoded and the decision when it was made: the routed
    # event is put together from them without validating them a second time.
    fields = {name: getattr(contact, name) for name in ContactReceivedData.model_fields}
    fields["language"] = contact.language or decision.language
    data = ContactRoutedData.model_construct(**fields, **(contact.model_extra or {}), decision=decision)
    return ContactRouted.model_construct(
        event_id=derived_event_id(received.event_id, "contact.routed"),
        # The source's time, not the clock: a redelivery must yield the identical event.
        occurred_at=received.occurred_at,
        producer="routing",
        organization=org.id,
        data=data,
    )


def make_handler(*, publisher: Publisher, router: Router, rulesets: RulesetBook):  # type: ignore[no-untyped-def]
    async def on_contact_received(event: Event[Any]) -> None:
        if not isinstance(event, ContactReceived):
            raise InvalidEvent(f"routing does not handle {event.type} on {topics.CONTACTS_RECEIVED}")
        await rulesets.refresh()
        # The version active when the contact was received, so a redelivery is decided the same way.
        ruleset = rulesets.active_at(event.data.received_at)
        routed = routed_event(event, router, ruleset)
        key = routed.data.thread.case_ref or routed.data.contact_id
        await publisher.publish(topics.CONTACTS_ROUTED, routed, key=key)

    return on_contact_received
