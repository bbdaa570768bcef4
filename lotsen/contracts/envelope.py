"""The event envelope every Kafka record carries (DESIGN §3).

On the wire an event is ``{"event_id", "type", "schema_version", "occurred_at", "producer",
"organization", "data": {...}}``. In Python each event type is a frozen subclass of
:class:`Event` whose ``data`` is a typed model, so a handler reads ``event.data.case_ref``.
Data models allow extra fields: producers may add fields, and an older consumer keeps them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
)


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a UTC offset (RFC 3339)")
    # The wire carries milliseconds; truncating here keeps an event equal to its decoded copy.
    return value.astimezone(UTC).replace(microsecond=value.microsecond // 1000 * 1000)


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


UtcDatetime = Annotated[
    datetime,
    AfterValidator(_as_utc),
    PlainSerializer(_rfc3339, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A timezone-aware instant, stored as UTC and written as ``2026-03-02T09:14:05.120Z``."""


def utc_now() -> datetime:
    return _as_utc(datetime.now(UTC))


class InvalidEvent(Exception):
    """A record that can never be handled: the consumer sends it to the DLQ and moves on."""


class EventData(BaseModel):
    """Base of every event's ``data``: frozen, and tolerant of fields added by newer producers."""

    model_config = ConfigDict(frozen=True, extra="allow")


D = TypeVar("D", bound=EventData)


class Event(BaseModel, Generic[D]):
    """The envelope. Subclasses pin ``type`` with a ``Literal`` and ``data`` with a model."""

    model_config = ConfigDict(frozen=True)

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    schema_version: int = 1
    occurred_at: UtcDatetime = Field(default_factory=utc_now)
    producer: str
    organization: str
    data: D

    event_type: ClassVar[str] = ""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        field = cls.model_fields.get("type")
        if field is not None and isinstance(field.default, str) and field.default:
            cls.event_type = field.default
            _REGISTRY[field.default] = cls


_REGISTRY: dict[str, type[Event[Any]]] = {}


def event_types() -> dict[str, type[Event[Any]]]:
    """Every registered event type by its ``type`` string (importing the family modules registers)."""
    import lotsen.contracts.calls
    import lotsen.contracts.cases
    import lotsen.contracts.contacts
    import lotsen.contracts.notices
    import lotsen.contracts.outbound
    import lotsen.contracts.reports  # noqa: F401

    return dict(_REGISTRY)


def encode_event(event: Event[Any]) -> bytes:
    return event.model_dump_json().encode("utf-8")


def decode_event(raw: bytes | str) -> Event[Any]:
    """Parse a record value into its event class; anything unusable raises :class:`InvalidEvent`."""
    return _validated(_payload(raw))


def decode_event_of_types(raw: bytes | str, wanted: Collection[str]) -> Event[Any] | None:
    """Like :func:`decode_event` for a consumer of some types only: ``None`` for a record of another
    type, which is parsed but not validated (that is its own consumers' part)."""
    payload = _payload(raw)
    event_type = payload.get("type")
    if not isinstance(event_type, str) or event_type not in wanted:
        return None
    return _validated(payload)


def _payload(raw: bytes | str) -> dict[str, Any]:
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"record is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise InvalidEvent("record is not a JSON object")
    return payload


def _validated(payload: dict[str, Any]) -> Event[Any]:
    event_type = payload.get("type")
    cls = event_types().get(event_type) if isinstance(event_type, str) else None
    if cls is None:
        raise InvalidEvent(f"unknown event type {event_type!r}")
    try:
        return cls.model_validate(payload)
    except ValidationError as exc:
        raise InvalidEvent(f"{event_type} does not match its contract: {exc}") from exc


_DERIVED_EVENT_NAMESPACE = uuid.UUID("6f1d6f4c-3a55-4b8e-9f49-2f1f0d1b7a01")


def derived_event_id(source_event_id: uuid.UUID | str, what: str) -> uuid.UUID:
    """A stable id for the event ``what`` caused by ``source_event_id``.

    A redelivered source event then yields an identical derived event, and downstream consumers,
    idempotent on ``event_id``, drop the repeat.
    """
    return uuid.uuid5(_DERIVED_EVENT_NAMESPACE, f"{source_event_id}:{what}")
