"""The requests as GeoReport clients read them, kept from ``contacts.received`` and ``cases.events``
(intake's consumer group ``lotsen-intake``; each event id handled once, every write absolute).

- ``contact.received`` of channel ``open311``: the request as received (also written at once by
  ``POST requests``, so its token is known before the contact comes back from Kafka).
- ``case.created`` of such a contact: ``service_request_id`` = the case reference, ``status`` open,
  ``agency_responsible`` the department's name (the organisation's when there is none),
  ``expected_datetime`` the first-response promise, and whether the case is confidential.
- later events of the case: ``status`` open or closed, ``status_notes`` (a fixed note per step, never
  what an officer wrote), ``agency_responsible`` on a handoff or correction, ``updated_datetime``.
- ``case.position_corrected``: the corrected ``lat``, ``long`` and ``address`` (not after erasure).
- ``case.erased``: the description, address, position and photo of the request are removed.
"""

from __future__ import annotations

from typing import Any

from lotsen.contracts.cases import (
    CaseClosed,
    CaseCreated,
    CaseErased,
    CaseHandedOff,
    CasePositionCorrected,
    CaseRecategorised,
    CaseReopened,
    CaseResolved,
    CaseReturned,
    CaseStatusChanged,
)
from lotsen.contracts.contacts import ContactReceived
from lotsen.contracts.envelope import Event
from lotsen.directory import Directory
from lotsen.errors import Unavailable
from lotsen.kafka import RetryLater
from services.intake.open311.repository import Requests
from services.intake.open311.submit import received_fields

HANDLES = tuple(
    e.event_type
    for e in (
        ContactReceived,
        CaseCreated,
        CaseStatusChanged,
        CaseHandedOff,
        CaseReturned,
        CaseResolved,
        CaseClosed,
        CaseReopened,
        CaseRecategorised,
        CasePositionCorrected,
        CaseErased,
    )
)
NOTES = {  # what the citizen's app shows for each step (Swedish, the municipality's language)
    "new": "Mottagen",
    "open": "Under behandling",
    "pending_citizen": "Väntar på komplettering",
    "handed_off": "Överlämnad till {agency}",
    "resolved": "Åtgärdad",
    "closed": "Avslutad",
}
PERSONAL = ["description_text", "address", "address_id", "lat", "long", "media_url"]


def open_or_closed(status: str) -> str:
    return "closed" if status in ("resolved", "closed") else "open"


def agency(directory: Directory, organization: str, department: str | None) -> str | None:
    org = directory.organization(organization)
    if org is None:
        return None
    found = org.department(department) if department else None
    return found.name if found is not None else org.name


def make_handler(requests: Requests, directory: Directory):  # type: ignore[no-untyped-def]
    def step(status: str, event: Event[Any], **more: Any) -> dict[str, Any]:
        return {
            "case_status": status,
            "status": open_or_closed(status),
            "status_notes": NOTES[status].format(agency=more.get("agency_responsible") or ""),
            "updated_datetime": event.occurred_at,
            **more,
        }

    async def on_event(event: Event[Any]) -> None:
        try:
            await _handle(event)
        except Unavailable as exc:
            raise RetryLater("the Open311 read model waits for MongoDB") from exc

    async def _handle(event: Event[Any]) -> None:
        match event:
            case ContactReceived() if event.data.channel == "open311":
                await requests.upsert(event.data.contact_id, received_fields(event), unless_erased=True)
            case CaseCreated() if event.data.channel == "open311" and event.data.contact_id:
                data = event.data
                assert data.contact_id is not None
                responsible = agency(directory, event.organization, data.department)
                await requests.upsert(
                    data.contact_id,
                    {
                        "organization": event.organization,
                        "service_request_id": data.case_ref,
                        "service_code": data.form_id or data.category,
                        "requested_datetime": data.received_at,
                        "confidential": data.confidential,
                        "category": data.category,
                        "expected_datetime": data.first_response_due,
                        **step("new", event, agency_responsible=responsible),
                    },
                )
            case CaseStatusChanged():
                if event.data.new_status != "handed_off":  # case.handed_off names the department
                    await requests.update_case(event.data.case_ref, step(event.data.new_status, event))
            case CaseHandedOff():
                responsible = agency(directory, event.organization, event.data.department)
                await requests.update_case(
                    event.data.case_ref, step("handed_off", event, agency_responsible=responsible)
                )
            case CaseReturned() | CaseReopened():
                await requests.update_case(event.data.case_ref, step("open", event))
            case CaseResolved():
                await requests.update_case(event.data.case_ref, step("resolved", event))
            case CaseClosed():
                await requests.update_case(event.data.case_ref, step("closed", event))
            case CaseRecategorised():
                await requests.update_case(
                    event.data.case_ref,
                    {
                        "confidential": event.data.confidential,
                        "category": event.data.category,
                        "agency_responsible": agency(directory, event.organization, event.data.department),
                        "updated_datetime": event.occurred_at,
                        # the new category's promise (events from before it was carried keep the old)
                        **(
                            {"expected_datetime": event.data.first_response_due}
                            if event.data.first_response_due
                            else {}
                        ),
                    },
                )
            case CasePositionCorrected():
                place = event.data
                await requests.update_case(
                    place.case_ref,
                    {
                        "lat": place.lat,
                        "long": place.lon,
                        "address": place.address,
                        "updated_datetime": event.occurred_at,
                    },
                    unless_erased=True,
                )
            case CaseErased():
                await requests.update_case(event.data.case_ref, {"erased": True}, unset=PERSONAL)

    return on_event
