"""``POST /v1/cases/{ref}/position``: staff correct where the errand is.

The citizen's pin or address may be wrong (a pin dropped at home, "utanför ICA" for a street of two
shops). An agent, a supervisor or a handler of the case's department corrects the point, the address
or both; the photo link stays as sent. A closed case is the record as it was and is not corrected.

The timeline's ``position_corrected`` entry says which parts changed and why, not the place itself:
the place can be someone's home, and an entry that named it would have to be rewritten by erasure.
``case.position_corrected`` on ``cases.events`` carries the corrected place, so that what shows the
place outside the case (Open311's read model in intake) follows; such a consumer clears it on erasure.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lotsen.auth import Principal, Staff
from lotsen.contracts.cases import CasePositionCorrected
from lotsen.contracts.contacts import Location
from services.casestore import lifecycle, permissions
from services.casestore.changes import Change, Entry, case_event
from services.casestore.deps import CasesDep
from services.casestore.models import CaseDetail
from services.casestore.position import position
from services.casestore.repository import Document

router = APIRouter(tags=["case actions"])

ADDRESS_MAX_CHARS = 500


class PositionCorrection(BaseModel):
    """What to correct: ``location``, ``address`` or both; a part sent as null is removed."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "location": {"lat": 59.3267, "lon": 14.5236},
                    "address": "Kyrkbacken 9, Karlskoga",
                    "reason": "Nålen stod vid anmälarens bostad",
                }
            ]
        },
    )

    location: Location | None = Field(None, description="WGS 84 `lat`, `lon` in degrees; null removes it")
    address: str | None = Field(None, max_length=ADDRESS_MAX_CHARS, description="one line; null removes it")
    reason: str | None = Field(None, max_length=2000, description="why; shown in the timeline")

    @field_validator("address")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is not None and not value.isprintable():
            raise ValueError("an address is one line, without control characters")
        return value or None

    @model_validator(mode="after")
    def _something_to_correct(self) -> PositionCorrection:
        if not {"location", "address"} & self.model_fields_set:
            raise ValueError("give the corrected 'location', 'address' or both")
        return self


def correct(case: Document, *, body: PositionCorrection, by: Principal, at: datetime) -> Change:
    lifecycle.check("position", case["status"])
    old = case.get("position") or {}
    location = (
        body.location
        if "location" in body.model_fields_set
        else (Location(lat=old["lat"], lon=old["lon"]) if old.get("lat") is not None else None)
    )
    address = body.address if "address" in body.model_fields_set else old.get("address")
    new = position(
        lat=location.lat if location else None,
        lon=location.lon if location else None,
        address=address,
        media_url=old.get("media_url"),
    )
    if all(new[key] == old.get(key) for key in new):
        return Change()  # the same place again: nothing to write
    empty = new["lat"] is None and not new["address"] and not new["media_url"]
    change = Change(updates={"position": None if empty else new})
    changed = [part for part in ("location", "address") if _part(new, part) != _part(old, part)]
    change.entries.append(Entry(by.subject, "position_corrected", {"parts": changed, "reason": body.reason}))
    # Those who show the place elsewhere (Open311's read model) follow the correction.
    change.events.append(
        case_event(
            CasePositionCorrected,
            case,
            at,
            lat=new["lat"],
            lon=new["lon"],
            address=new["address"],
            parts=changed,
            corrected_by=by.subject,
        )
    )
    return change


def _part(place: Document, part: str) -> object:
    return (place.get("lat"), place.get("lon")) if part == "location" else place.get("address")


@router.post(
    "/v1/cases/{ref}/position",
    response_model=CaseDetail,
    summary="Correct where the errand is",
    description=(
        "The WGS 84 point (converted again to SWEREF 99 TM), the address, or both; a part sent as null "
        "is removed, a part not sent is kept. Agents, supervisors and handlers of the case's "
        "department; not on a closed case (409)."
    ),
)
async def correct_position(
    ref: str, body: PositionCorrection, principal: Staff, cases: CasesDep
) -> CaseDetail:
    case = permissions.ensure_visible(await cases.repo.get(ref), ref, principal)
    permissions.ensure_may("position", case, principal)
    at = cases.clock()
    return CaseDetail.model_validate(
        await cases.apply(ref, lambda current: correct(current, body=body, by=principal, at=at))
    )
