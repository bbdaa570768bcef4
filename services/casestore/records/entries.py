"""What a registration says: drafted from the case or one of its messages, masked when confidential.

A registration marked under OSL (offentlighets- och sekretesslagen), or of a confidential case,
never shows its subject or its parties outside the case: its public form says ``[sekretess]``
instead, and names the secrecy provision. A confidential case can only be registered with the
provision named, as OSL 38 kap. 1 § asks of a secrecy marking.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from lotsen.auth import Principal
from lotsen.contracts.cases import CaseRegistered
from lotsen.directory import Organization
from lotsen.errors import DomainError, NotFound
from services.casestore.changes import Change, Entry, case_event
from services.casestore.repository import Document

MASK = "[sekretess]"
DIRECTIONS = {"inbound": "incoming", "outbound": "outgoing", "internal": "internal"}
OSL_PARAGRAPH = re.compile(r"^\s*(\d{1,2})\s*kap\.?\s*(\d{1,3})(\s*[a-z])?\s*§\s*(?:OSL)?\s*$", re.IGNORECASE)


class SecrecyRequired(DomainError):
    status = 422
    code = "secrecy_required"


class InvalidSecrecy(DomainError):
    status = 422
    code = "invalid_secrecy"


def osl_paragraph(text: str) -> str:
    """``26 kap 1 §`` → ``26 kap. 1 § OSL``: one written form, so the diary can be searched by it."""
    match = OSL_PARAGRAPH.match(text)
    if match is None:
        raise InvalidSecrecy(
            f"{text!r} is not an OSL provision; write it as chapter and section, e.g. '26 kap. 1 § OSL'",
            details={"osl": text},
        )
    chapter, section, letter = match.group(1), match.group(2), (match.group(3) or "").strip().lower()
    return f"{int(chapter)} kap. {int(section)}{' ' + letter if letter else ''} § OSL"


def key_of(case: Document, message_key: str | None) -> str:
    """What names a registration: the case and the message's key, or the case alone."""
    return f"{case['_id']}/{_message(case, message_key)['key'] if message_key else 'case'}"


def draft(
    case: Document,
    org: Organization,
    *,
    message_key: str | None,
    subject: str | None,
    parties: list[Document] | None,
    osl: str | None,
    by: Principal,
    at: datetime,
) -> Document:
    """The registration to number, from the case or the message ``message_key`` (its key or its
    e-mail Message-ID); what the caller gives (subject, parties) replaces what the case says."""
    message = _message(case, message_key) if message_key else None
    paragraph = osl_paragraph(osl) if osl else None
    if case.get("confidential") and paragraph is None:
        raise SecrecyRequired(
            f"{case['_id']} is confidential: name the OSL provision of its secrecy, e.g. '26 kap. 1 § OSL'",
            details={"field": "secrecy.osl"},
        )
    direction = DIRECTIONS[message["direction"]] if message else _case_direction(case)
    key = message["key"] if message else None
    return {
        "_id": key_of(case, key),
        "organization": case["organization"],
        "case_ref": case["_id"],
        "kind": "message" if message else "case",
        "message_id": key,
        "direction": direction,
        "subject": subject or _subject(case, message),
        "parties": parties if parties is not None else _parties(case, org, message, direction),
        "confidential": bool(case.get("confidential")) or paragraph is not None,
        "osl": paragraph,
        "department": case.get("department"),
        "registered_at": at,
        "registered_by": by.subject,
    }


def _message(case: Document, wanted: str) -> Document:
    for message in case.get("messages", []):
        if wanted in (message.get("key"), message.get("message_id")):
            return dict(message)
    raise NotFound(f"{case['_id']} has no message {wanted!r}", details={"message_id": wanted})


def _case_direction(case: Document) -> str:
    first = next(iter(case.get("messages", [])), None)
    return DIRECTIONS[first["direction"]] if first else "incoming"


def _subject(case: Document, message: Document | None) -> str:
    subject = (message or {}).get("subject") or case.get("subject")
    return str(subject)[:300] if subject else f"Ärende {case['_id']}"


def _citizen(case: Document, message: Document | None) -> Document:
    person = (message or {}).get("sender") or case.get("citizen") or {}
    address = person.get("email") or person.get("phone") or None
    return {"name": person.get("name") or None, "address": address}


def _parties(case: Document, org: Organization, message: Document | None, direction: str) -> list[Document]:
    department = org.department(case["department"]) if case.get("department") else None
    us = {
        "name": f"{org.name}, {department.name}" if department else org.name,
        "address": (department.email if department else None)
        or (org.email_addresses[0] if org.email_addresses else None),
    }
    if direction == "internal":
        return [
            {"role": "sender", "name": f"{us['name']} ({(message or {}).get('author')})", "address": None}
        ]
    citizen = _citizen(case, message if direction == "incoming" else None)
    sender, recipient = (citizen, us) if direction == "incoming" else (us, citizen)
    return [{"role": "sender", **sender}, {"role": "recipient", **recipient}]


def public(entry: Document) -> Document:
    """The registration as anyone may read it: a confidential one without subject and parties."""
    if not entry.get("confidential"):
        return entry
    masked = [{"role": p["role"], "name": MASK, "address": None} for p in entry.get("parties", [])]
    return {**entry, "subject": MASK, "parties": masked}


def on_case(case: Document, *, entry: Document, by: Principal) -> Change:
    """The timeline entry and ``case.registered`` (public fields only), once per diary number."""
    if any(
        e["type"] == "registered" and e["data"].get("diary_number") == entry["diary_number"]
        for e in case.get("timeline", [])
    ):
        return Change()
    shown = public(entry)
    change = Change()
    change.entries.append(
        Entry(
            by.subject,
            "registered",
            {
                "diary_number": entry["diary_number"],
                "kind": entry["kind"],
                "message_id": entry["message_id"],
                **({"osl": entry["osl"]} if entry.get("osl") else {}),
            },
        )
    )
    change.events.append(
        case_event(
            CaseRegistered,
            case,
            entry["registered_at"],
            **{name: shown.get(name) for name in EVENT_FIELDS},
        )
    )
    return change


EVENT_FIELDS = (
    "diary_number",
    "sequence",
    "year",
    "registered_at",
    "registered_by",
    "kind",
    "message_id",
    "direction",
    "subject",
    "parties",
    "confidential",
    "osl",
    "department",
)


def view(entry: Document, *, masked: bool) -> dict[str, Any]:
    """A registration as the API answers it; ``masked``: in its public form."""
    shown = public(entry) if masked else entry
    return {
        "organization": entry["organization"],
        "case_ref": entry["case_ref"],
        **{name: shown.get(name) for name in EVENT_FIELDS},
        "masked": masked and bool(entry.get("confidential")),
    }
