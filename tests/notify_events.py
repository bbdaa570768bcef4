"""Case and outbound events as casestore publishes them, for notify's tests."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from lotsen.contracts.cases import (
    CaseCreated,
    CaseCreatedData,
    CaseFeedbackClassified,
    CaseFeedbackClassifiedData,
    CaseHandedOff,
    CaseHandedOffData,
    CaseRecategorised,
    CaseRecategorisedData,
    CaseReminderDue,
    CaseReminderDueData,
    CaseResolved,
    CaseResolvedData,
    CaseReturned,
    CaseReturnedData,
)
from lotsen.contracts.outbound import OutboundRequested, OutboundRequestedData

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Karlskoga

_numbers = itertools.count(random.randrange(100_000, 800_000))


def new_ref(code: str = "KGA") -> str:
    """A reference no casestore in the session hands out (year 2099)."""
    return f"{code}-2099-{next(_numbers):06d}"


def created(
    ref: str, *, category: str = "bygglov", department: str = "samhallsbyggnad", **extra: Any
) -> CaseCreated:
    return CaseCreated(
        producer="casestore",
        organization=extra.pop("organization", "karlskoga"),
        occurred_at=T0,
        data=CaseCreatedData.model_validate(
            {
                "case_ref": ref,
                "channel": "email",
                "received_at": T0,
                "category": category,
                "department": department,
                "handled_by": "department",
                "rosa_level": 5,
                **extra,
            }
        ),
    )


def handed_off(ref: str, *, department: str = "samhallsbyggnad", **extra: Any) -> CaseHandedOff:
    return CaseHandedOff(
        producer="casestore",
        organization=extra.pop("organization", "karlskoga"),
        occurred_at=T0,
        data=CaseHandedOffData.model_validate(
            {
                "case_ref": ref,
                "department": department,
                "reason": "Bygglovsfråga som kräver handläggare",
                "due_at": T0 + timedelta(days=2),
                "handed_off_by": "agent",
                **extra,
            }
        ),
    )


def reminder_due(
    ref: str, *, department: str = "samhallsbyggnad", organization: str = "karlskoga"
) -> CaseReminderDue:
    return CaseReminderDue(
        producer="casestore",
        organization=organization,
        occurred_at=T0 + timedelta(days=2),
        data=CaseReminderDueData(case_ref=ref, department=department, due_at=T0 + timedelta(days=2)),
    )


def returned(ref: str, *, department: str = "samhallsbyggnad") -> CaseReturned:
    return CaseReturned(
        producer="casestore",
        organization="karlskoga",
        data=CaseReturnedData(case_ref=ref, department=department, reason="Inte vårt", returned_by="handler"),
    )


def resolved(ref: str) -> CaseResolved:
    return CaseResolved(
        producer="casestore",
        organization="karlskoga",
        data=CaseResolvedData(
            case_ref=ref, resolved_at=T0, resolved_by_first_line=False, resolution_code="answered"
        ),
    )


def outbound(
    ref: str, *, seq: int = 3, channel: str = "email", kind: str = "reply", **extra: Any
) -> OutboundRequested:
    """An ``outbound.requested`` exactly as casestore's ``messages.outbound`` builds it."""
    key = f"{ref}.{seq}.outbound"
    citizen = {"name": "Sara Öberg", "email": "sara@example.se", "phone": None, "facebook_psid": None}
    citizen |= extra.pop("to", {})
    data: dict[str, Any] = {
        "case_ref": ref,
        "outbound_id": key,
        "channel": channel,
        "kind": kind,
        "automatic": kind == "acknowledgement",
        "text": "Du behöver bygglov för en altan över 1,8 meter.",
        "to": citizen,
        "subject": f"Bygglov för altan [{ref}]",
        "message_id": f"<{key}@karlskoga.example>",
        "in_reply_to": "<CAF-citizen-1@mail.example.se>",
        "references": ["<CAF-citizen-1@mail.example.se>"],
        "language": "sv",
        "last_inbound_at": T0.isoformat(),
    }
    if kind == "acknowledgement":
        data |= {"access_code": "K7PQ2XW9RT", "first_response_due": (T0 + timedelta(hours=48)).isoformat()}
    data |= extra
    return OutboundRequested(
        producer="casestore",
        organization="karlskoga",
        occurred_at=T0,
        data=OutboundRequestedData.model_validate(data),
    )


def recategorised(ref: str, *, category: str, department: str, confidential: bool) -> CaseRecategorised:
    """The case corrected from bygglov (samhallsbyggnad) to ``category`` of ``department``."""
    return CaseRecategorised(
        producer="casestore",
        organization="karlskoga",
        occurred_at=T0 + timedelta(hours=1),
        data=CaseRecategorisedData(
            case_ref=ref,
            category=category,
            department=department,
            handled_by="department",
            rosa_level=5,
            confidential=confidential,
            old_category="bygglov",
            old_department="samhallsbyggnad",
            reason="Fel kategori vid registreringen",
            recategorised_by="agent",
        ),
    )


def feedback_classified(ref: str, *, kind: str, department: str | None) -> CaseFeedbackClassified:
    """An agent classified the case's synpunkt as ``kind`` concerning ``department`` (None: the case's)."""
    return CaseFeedbackClassified(
        producer="casestore",
        organization="karlskoga",
        occurred_at=T0 + timedelta(minutes=30),
        data=CaseFeedbackClassifiedData.model_validate(
            {"case_ref": ref, "kind": kind, "department": department, "classified_by": "agent"}
        ),
    )
