"""The event contracts of DESIGN §3: envelope shape, round trips, refusal of bad records, schemas."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from lotsen.contracts import (
    CallAnswered,
    CaseCreated,
    CaseHandedOff,
    ContactReceived,
    InvalidEvent,
    decode_event,
    encode_event,
    event_types,
    topics,
)
from lotsen.contracts.calls import CallAnsweredData
from lotsen.contracts.cases import CaseCreatedData, CaseHandedOffData
from lotsen.contracts.contacts import ContactReceivedData, Sender
from lotsen.contracts.schemas import DEFAULT_DIR, render

DESIGN_EVENT_TYPES = {
    "contact.received",
    "contact.routed",
    "case.created",
    "case.message_added",
    "case.assigned",
    "case.status_changed",
    "case.handed_off",
    "case.returned",
    "case.resolved",
    "case.closed",
    "case.reopened",
    "case.sla_breached",
    "case.reminder_due",
    "case.survey_answered",
    "case.erased",
    "case.recategorised",
    "case.feedback_classified",
    "case.position_corrected",
    "case.registered",
    "call.offered",
    "call.answered",
    "call.abandoned",
    "call.ended",
    "call.callback_requested",
    "call.transferred",
    "call.wrapped_up",
    "outbound.requested",
    "outbound.delivered",
    "outbound.failed",
    "notice.published",
    "notice.withdrawn",
    "notice.expired",
    "kb.review_due",
    "report.ready",
}


def test_every_event_type_of_the_design_has_a_model() -> None:
    assert set(event_types()) == DESIGN_EVENT_TYPES


def test_topics_and_their_dead_letter_topics() -> None:
    assert topics.dlq(topics.CASES_EVENTS) == "cases.events.dlq"
    assert set(topics.SOURCE_TOPICS) == {
        "contacts.received",
        "contacts.routed",
        "cases.events",
        "calls.events",
        "outbound.requests",
        "outbound.results",
        "notices.events",
        "reports.events",
    }
    assert all(topics.dlq(t) in topics.ALL_TOPICS for t in topics.SOURCE_TOPICS)


def test_the_envelope_on_the_wire_matches_the_design() -> None:
    event = CaseHandedOff(
        producer="casestore",
        organization="karlskoga",
        occurred_at=datetime(2026, 3, 2, 10, 14, 5, 120000, tzinfo=timezone(timedelta(hours=1))),
        data=CaseHandedOffData(
            case_ref="KGA-2026-000123",
            department="samhallsbyggnad",
            reason="Behöver handläggare",
            due_at=datetime(2026, 3, 4, 16, 0, tzinfo=UTC),
            handed_off_by="agent",
        ),
    )
    wire = json.loads(encode_event(event))
    assert set(wire) == {
        "event_id",
        "type",
        "schema_version",
        "occurred_at",
        "producer",
        "organization",
        "data",
    }
    assert wire["type"] == "case.handed_off"
    assert wire["schema_version"] == 1
    assert wire["occurred_at"] == "2026-03-02T09:14:05.120Z"
    uuid.UUID(wire["event_id"])
    assert wire["data"]["case_ref"] == "KGA-2026-000123"
    assert wire["data"]["due_at"] == "2026-03-04T16:00:00.000Z"


def test_round_trip_keeps_an_event_equal() -> None:
    event = ContactReceived(
        producer="intake",
        organization="karlskoga",
        data=ContactReceivedData(
            contact_id="c-1",
            channel="email",
            received_at=datetime.now(UTC),
            sender=Sender(name="Åsa Lindqvist", email="asa@example.se"),
            subject="Fråga om bygglov för altan",
            text="Behöver jag bygglov?",
        ),
    )
    assert decode_event(encode_event(event)) == event


def test_call_events_say_from_on_the_wire() -> None:
    event = CallAnswered(
        producer="intake",
        organization="karlskoga",
        data=CallAnsweredData.model_validate(
            {
                "call_id": "c-0001",
                "at": "2026-03-02T07:31:47+01:00",
                "from": "+46701234567",
                "wait_seconds": 42,
            }
        ),
    )
    wire = json.loads(encode_event(event))
    assert wire["data"]["from"] == "+46701234567"
    assert "from_" not in wire["data"]
    assert decode_event(encode_event(event)).data.from_ == "+46701234567"


def test_fields_added_by_a_newer_producer_survive() -> None:
    raw = {
        "event_id": str(uuid.uuid4()),
        "type": "case.created",
        "schema_version": 1,
        "occurred_at": "2026-03-02T09:14:05.120Z",
        "producer": "casestore",
        "organization": "karlskoga",
        "data": {
            "case_ref": "KGA-2026-000001",
            "channel": "email",
            "received_at": "2026-03-02T09:14:05Z",
            "category": "bygglov",
            "handled_by": "first_line",
            "rosa_level": 2,
            "new_field": "kept",
        },
    }
    event = decode_event(json.dumps(raw))
    assert isinstance(event, CaseCreated)
    assert json.loads(encode_event(event))["data"]["new_field"] == "kept"


@pytest.mark.parametrize(
    "raw, problem",
    [
        (b"\xff\xfe not utf-8", "not JSON"),
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"type": "case.exploded"}', "unknown event type"),
        (
            b'{"type": "case.created", "producer": "x", "organization": "k", "data": {"case_ref": "K"}}',
            "does not match its contract",
        ),
        (
            json.dumps(
                {
                    "type": "case.handed_off",
                    "producer": "x",
                    "organization": "k",
                    "occurred_at": "2026-03-02T09:14:05",
                    "data": {
                        "case_ref": "K",
                        "department": "d",
                        "reason": "r",
                        "due_at": "2026-03-02T09:14:05Z",
                        "handed_off_by": "a",
                    },
                }
            ).encode(),
            "UTC offset",
        ),
    ],
)
def test_unusable_records_are_refused_with_the_reason(raw: bytes, problem: str) -> None:
    with pytest.raises(InvalidEvent, match=problem):
        decode_event(raw)


def test_created_event_requires_the_fields_stats_rely_on() -> None:
    required = set(CaseCreatedData.model_json_schema()["required"])
    assert {"case_ref", "channel", "received_at", "category", "handled_by", "rosa_level"} <= required


def test_exported_schemas_match_the_models() -> None:
    """Fails when docs/events/ drifts from the models: run `make schemas` and commit the result."""
    expected = render()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DEFAULT_DIR.glob("*.schema.json")}
    assert set(on_disk) == set(expected), "event schema files differ from the models; run `make schemas`"
    for name, content in expected.items():
        assert on_disk[name] == content, f"{name} is stale; run `make schemas`"
