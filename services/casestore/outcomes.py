"""outbound.results → the delivery status of a message on its case, and a timeline entry."""

from __future__ import annotations

from typing import Any

from lotsen.contracts.envelope import Event, InvalidEvent
from lotsen.contracts.outbound import OutboundDelivered, OutboundFailed
from lotsen.errors import NotFound
from services.casestore.changes import Cases, Change, Entry
from services.casestore.repository import Document


def delivery(case: Document, event: OutboundDelivered | OutboundFailed) -> Change:
    data = event.data
    index = next(
        (i for i, m in enumerate(case.get("messages", [])) if m.get("key") == data.outbound_id), None
    )
    status = "delivered" if isinstance(event, OutboundDelivered) else "failed"
    reason = getattr(data, "reason", None)
    current = case["messages"][index].get("delivery") if index is not None else None
    if current and current.get("event_id") == str(event.event_id):
        return Change()
    change = Change()
    if index is not None:
        change.updates[f"messages.{index}.delivery"] = {
            "status": status,
            "at": data.at,
            "reason": reason,
            "event_id": str(event.event_id),
        }
    change.entries.append(
        Entry(
            "notify",
            f"outbound_{status}",
            {"key": data.outbound_id, "channel": data.channel, "reason": reason},
        )
    )
    return change


def make_handler(*, cases: Cases):  # type: ignore[no-untyped-def]
    async def on_outbound_result(event: Event[Any]) -> None:
        if not isinstance(event, OutboundDelivered | OutboundFailed):
            raise InvalidEvent(f"casestore does not handle {event.type} on outbound.results")
        try:
            await cases.apply(event.data.case_ref, lambda case: delivery(case, event))
        except NotFound:
            raise InvalidEvent(f"outbound result for unknown case {event.data.case_ref}") from None

    return on_outbound_result
