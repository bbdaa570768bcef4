"""``POST /v1/channels/phone/events``: the telephony platform's call events (CTI) onto ``calls.events``.

Every event of a request is checked before any is published (a 422 names the event and the field).
Each (call_id, event) is published once: a platform that resends gets ``duplicates`` counted and
nothing doubled. ``call.callback_requested`` also opens a contact (channel ``phone``), so first line
gets an errand to call back. Later events of a call inherit what earlier ones said (organisation,
answer group, IVR choice, caller), so ``call.answered`` needs neither ``to`` nor ``ivr_choice``.

The IVR's connect choice (``ivr_connect_digit``, 6 in the demo: "connect to a named person") is a
transfer, not a call waiting for an answer group: a ``call.offered`` or ``call.answered`` with that
choice is published as it is, and with it, once per call, a ``call.transferred`` with
``transferred_by`` ``"ivr"``. Its ``to`` is the number the call was put through to when the
platform names one that is not the organisation's own (a person's direct number), else none; the
department and staff entry are unknown to intake, so stats counts it under ``unknown``
(docs/cases.md, "Switchboard and staff directory"). Such an event needs no answer group, and its
organisation comes from ``organization`` or the call's earlier events when ``to`` is a person's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from pydantic import TypeAdapter

from lotsen.auth import Connector
from lotsen.contracts import topics
from lotsen.contracts.calls import (
    CallAbandoned,
    CallAbandonedData,
    CallAnswered,
    CallAnsweredData,
    CallbackRequested,
    CallEnded,
    CallEndedData,
    CallEventData,
    CallOffered,
    CallTransferred,
    CallTransferredData,
    CallWrappedUp,
    CallWrappedUpData,
)
from lotsen.contracts.contacts import ContactReceived, ContactReceivedData, Sender
from lotsen.contracts.envelope import Event
from lotsen.directory import Directory, Organization
from lotsen.errors import DomainError
from lotsen.kafka.publisher import PublishFailed
from services.intake.bodies import PayloadTooLarge, inline_schema, parse_json, read_limited
from services.intake.contacts import Intake, accept, claim, confirm, contact_id_for, unavailable
from services.intake.deps import DirectoryDep, IntakeDep, SettingsDep
from services.intake.models import PhoneEvent, PhoneEventsAccepted
from services.intake.repository import CallRecords

router = APIRouter(tags=["phone"])
_ONE = TypeAdapter(PhoneEvent)
_MANY = TypeAdapter(list[PhoneEvent])
FUTURE_TOLERANCE = timedelta(minutes=10)


class InvalidCallEvent(DomainError):
    status = 422
    code = "invalid_call_event"


@dataclass(frozen=True)
class CheckedEvent:
    event: PhoneEvent
    organization: Organization
    answer_group: str | None
    ivr_choice: str | None
    caller: str | None

    @property
    def facts(self) -> dict[str, str]:
        """What later events of the call inherit."""
        facts = {
            "organization": self.organization.id,
            "answer_group": self.answer_group,
            "ivr_choice": self.ivr_choice,
            "caller": self.caller,
        }
        return {k: v for k, v in facts.items() if v is not None}


_BODY = inline_schema(PhoneEvent)


@router.post(
    "/v1/channels/phone/events",
    status_code=202,
    response_model=PhoneEventsAccepted,
    summary="Receive call events from the telephony platform",
    description=(
        "Connector key required. One event or a JSON array of events (see docs/connectors.md). "
        "Answers 202 once every event is on `calls.events`; events already received (same `call_id` "
        "and `event`) are counted as duplicates and not published again."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"oneOf": [_BODY, {"type": "array", "items": _BODY}]}}
            },
        }
    },
)
async def receive_call_events(
    request: Request, connector: Connector, intake: IntakeDep, settings: SettingsDep, directory: DirectoryDep
) -> PhoneEventsAccepted:
    raw = await read_limited(request, settings.json_max_bytes)
    events = parse_json(_MANY, raw) if raw.lstrip().startswith(b"[") else [parse_json(_ONE, raw)]
    if not events:
        raise InvalidCallEvent("the array holds no events")
    if len(events) > settings.phone_max_events:
        raise PayloadTooLarge(f"at most {settings.phone_max_events} events per request; split the batch")
    calls = CallRecords(request.app.state.runtime.db)
    checked = await check_all(events, directory, calls)
    accepted = duplicates = 0
    contact_ids: list[str] = []
    for item in checked:
        await calls.remember(item.event.call_id, item.facts)
        if item.event.event == "call.callback_requested":
            contact_ids.append(await open_callback_contact(item, intake))
        if await publish_once(item, intake):
            accepted += 1
        else:
            duplicates += 1
        if is_connect_choice(item):
            await publish_once(item, intake, transfer=True)
    return PhoneEventsAccepted(accepted=accepted, duplicates=duplicates, contact_ids=contact_ids)


async def check_all(events: list[PhoneEvent], directory: Directory, calls: CallRecords) -> list[CheckedEvent]:
    """Every event checked against the directory and what is known of its call, or a 422."""
    known: dict[str, dict[str, Any]] = {}
    checked = []
    for index, event in enumerate(events):
        if event.call_id not in known:
            known[event.call_id] = await calls.recall(event.call_id) or {}
        try:
            item = check(event, directory, known[event.call_id])
        except InvalidCallEvent as problem:
            where = f"event {index} ({event.event}, call {event.call_id})" if len(events) > 1 else event.event
            raise InvalidCallEvent(
                f"{where}: {problem.message}", details={"index": index, **(problem.details or {})}
            ) from None
        known[event.call_id] = {**known[event.call_id], **item.facts}
        checked.append(item)
    return checked


def check(event: PhoneEvent, directory: Directory, known: dict[str, Any]) -> CheckedEvent:
    if event.at > datetime.now(UTC) + FUTURE_TOLERANCE:
        raise InvalidCallEvent(f"'at' ({event.at.isoformat()}) lies in the future", details={"field": "at"})
    org = _organization(event, directory, known)
    group = event.answer_group
    if group is not None and group not in {g.id for g in org.answer_groups}:
        raise InvalidCallEvent(
            f"{org.id} has no answer group {group!r}",
            details={"field": "answer_group", "known": [g.id for g in org.answer_groups]},
        )
    digit = event.ivr_choice
    if digit is not None:
        by_digit = org.answer_group_for_digit(digit)
        if by_digit is None and digit != org.ivr_connect_digit:
            raise InvalidCallEvent(
                f"{org.id}'s IVR menu has no choice {digit!r}",
                details={"field": "ivr_choice", "known": _digits(org)},
            )
        if by_digit is not None and group is not None and by_digit.id != group:
            raise InvalidCallEvent(
                f"IVR choice {digit!r} leads to {by_digit.id!r}, not to answer group {group!r}",
                details={"field": "ivr_choice"},
            )
        group = group or (by_digit.id if by_digit else None)
    group = group or known.get("answer_group")
    digit = digit or known.get("ivr_choice")
    if group is None and digit is None:
        raise InvalidCallEvent(
            "needs 'answer_group' or 'ivr_choice' (here or on an earlier event of the call)",
            details={"field": "answer_group"},
        )
    return CheckedEvent(event, org, group, digit, event.from_ or known.get("caller"))


def _organization(event: PhoneEvent, directory: Directory, known: dict[str, Any]) -> Organization:
    if event.organization is not None:
        org = directory.organization(event.organization)
        if org is None:
            raise InvalidCallEvent(
                f"unknown organization {event.organization!r}",
                details={"field": "organization", "known": [o.id for o in directory.organizations]},
            )
        return org
    if event.to:
        org = directory.organization_for_phone_number(_digits_of(event.to))
        earlier = directory.organization(known["organization"]) if known.get("organization") else None
        digit = event.ivr_choice or known.get("ivr_choice")
        if org is None and earlier is not None and digit == earlier.ivr_connect_digit:
            return earlier  # put through to a person's own number
        if org is None:
            raise InvalidCallEvent(
                f"the number {event.to!r} belongs to no organisation served here", details={"field": "to"}
            )
        return org
    earlier = directory.organization(known["organization"]) if known.get("organization") else None
    return earlier or directory.default_organization


def _digits_of(number: str) -> str:
    return number.replace(" ", "").replace("-", "")


def is_connect_choice(item: CheckedEvent) -> bool:
    """An offered or answered call of the IVR's "connect to a named person" choice."""
    connect = item.organization.ivr_connect_digit
    return (
        connect is not None
        and item.ivr_choice == connect
        and item.event.event in ("call.offered", "call.answered")
    )


def transfer_event(item: CheckedEvent) -> CallTransferred:
    e = item.event
    own = e.to is not None and _digits_of(e.to) in {_digits_of(n) for n in item.organization.phone_numbers}
    return CallTransferred(
        event_id=uuid.UUID(contact_id_for(f"call:{e.call_id}:call.transferred")),
        producer="intake",
        organization=item.organization.id,
        occurred_at=e.at,
        data=CallTransferredData(
            call_id=e.call_id,
            at=e.at,
            ivr_choice=item.ivr_choice,
            from_=e.from_,
            to=None if own else e.to,
            transferred_by="ivr",
        ),
    )


def _digits(org: Organization) -> list[str]:
    digits = [g.ivr_digit for g in org.answer_groups if g.ivr_digit]
    return sorted(digits + ([org.ivr_connect_digit] if org.ivr_connect_digit else []))


_EVENTS: dict[str, tuple[type[Event[Any]], type[CallEventData]]] = {
    "call.offered": (CallOffered, CallEventData),
    "call.answered": (CallAnswered, CallAnsweredData),
    "call.abandoned": (CallAbandoned, CallAbandonedData),
    "call.ended": (CallEnded, CallEndedData),
    "call.callback_requested": (CallbackRequested, CallEventData),
    "call.wrapped_up": (CallWrappedUp, CallWrappedUpData),
}


def call_event(item: CheckedEvent) -> Event[Any]:
    e = item.event
    event_class, data_class = _EVENTS[e.event]
    figures = {
        "wait_seconds": e.wait_seconds,
        "talk_seconds": e.talk_seconds,
        "wrap_up_seconds": e.wrap_up_seconds,
        "agent": e.agent,
        "source": "telephony",
    }
    data = data_class(
        call_id=e.call_id,
        at=e.at,
        answer_group=item.answer_group,
        ivr_choice=item.ivr_choice,
        from_=e.from_,
        to=e.to,
        **{k: v for k, v in figures.items() if k in data_class.model_fields and v is not None},
    )
    return event_class(  # type: ignore[call-arg]  # each class pins its own 'type'
        event_id=uuid.UUID(contact_id_for(f"call:{e.call_id}:{e.event}")),
        producer="intake",
        organization=item.organization.id,
        occurred_at=e.at,
        data=data,
    )


async def publish_once(item: CheckedEvent, intake: Intake, *, transfer: bool = False) -> bool:
    """Publish the call event (or the call's IVR transfer) unless it was published before; True if
    published now."""
    event = transfer_event(item) if transfer else call_event(item)
    key = f"{item.event.call_id}:{event.type}"
    _, done = await claim(intake, "phone", key, str(event.event_id), None)
    if done:
        return False
    try:
        await intake.publisher.publish(topics.CALLS_EVENTS, event, key=item.event.call_id)
    except PublishFailed as exc:
        await intake.records.abandon("phone", key)
        raise unavailable(exc) from exc
    await confirm(intake, "phone", key)
    return True


async def open_callback_contact(item: CheckedEvent, intake: Intake) -> str:
    """A callback request becomes an errand for first line: call this number back."""
    e = item.event
    group_name = next((g.name for g in item.organization.answer_groups if g.id == item.answer_group), None)
    lines = [
        f"Uppringaren bad om att bli uppringd ({e.at.astimezone(UTC).isoformat(timespec='minutes')} UTC).",
        f"Nummer: {item.caller or 'okänt (dolt nummer)'}",
        f"Svarsgrupp: {group_name or item.answer_group or '—'}; IVR-val: {item.ivr_choice or '—'}",
        f"Samtal: {e.call_id}",
    ]
    event = ContactReceived(
        producer="intake",
        organization=item.organization.id,
        data=ContactReceivedData(
            contact_id=contact_id_for(f"callback:{e.call_id}"),
            channel="phone",
            received_at=e.at,
            sender=Sender(phone=item.caller),
            subject="Återuppringning begärd",
            text="\n".join(lines),
            ivr_choice=item.ivr_choice,
            call_id=e.call_id,
            answer_group=item.answer_group,
            callback_requested=True,
        ),
    )
    return await accept(event=event, intake=intake, scope="phone-callback", idempotency_key=e.call_id)
