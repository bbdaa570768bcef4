"""Event contracts (DESIGN §3): the envelope, one module per event family, and topic names."""

from lotsen.contracts.calls import (
    CallAbandoned,
    CallAnswered,
    CallbackRequested,
    CallEnded,
    CallOffered,
    CallTransferred,
)
from lotsen.contracts.cases import (
    CaseAssigned,
    CaseClosed,
    CaseCreated,
    CaseErased,
    CaseHandedOff,
    CaseMessageAdded,
    CaseRecategorised,
    CaseReminderDue,
    CaseReopened,
    CaseResolved,
    CaseReturned,
    CaseSlaBreached,
    CaseStatusChanged,
    CaseSurveyAnswered,
)
from lotsen.contracts.contacts import ContactReceived, ContactRouted
from lotsen.contracts.envelope import Event, EventData, InvalidEvent, decode_event, encode_event, event_types
from lotsen.contracts.outbound import OutboundDelivered, OutboundFailed, OutboundRequested

__all__ = [
    "CallAbandoned",
    "CallAnswered",
    "CallEnded",
    "CallOffered",
    "CallTransferred",
    "CallbackRequested",
    "CaseAssigned",
    "CaseClosed",
    "CaseCreated",
    "CaseErased",
    "CaseHandedOff",
    "CaseMessageAdded",
    "CaseRecategorised",
    "CaseReminderDue",
    "CaseReopened",
    "CaseResolved",
    "CaseReturned",
    "CaseSlaBreached",
    "CaseStatusChanged",
    "CaseSurveyAnswered",
    "ContactReceived",
    "ContactRouted",
    "Event",
    "EventData",
    "InvalidEvent",
    "OutboundDelivered",
    "OutboundFailed",
    "OutboundRequested",
    "decode_event",
    "encode_event",
    "event_types",
]
