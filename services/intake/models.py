"""What connectors, citizens and agents send to intake (DESIGN §4), and what intake answers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from lotsen.contracts.contacts import Location
from lotsen.email_address import EmailAddress
from services.intake.bounds import NAME_MAX_CHARS, single_line

PhoneNumber = Annotated[str, Field(max_length=40, pattern=r"^[0-9+() \-]*$")]


class _Submission(BaseModel):
    @field_validator("name", "email", "phone", "subject", "organization", mode="before", check_fields=False)
    @classmethod
    def _blank_is_absent(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class WebformSubmission(_Submission):
    """A web form post: ``kontakta-oss``, ``synpunkt``, ``felanmalan`` or another form of the directory.

    Fields the directory defines for the form beyond these are kept in the contact's ``form_fields``.
    """

    model_config = ConfigDict(
        extra="allow",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "form_id": "kontakta-oss",
                    "organization": "karlskoga",
                    "name": "Erik Nilsson",
                    "email": "erik@example.se",
                    "subject": "Fakturafråga",
                    "message": "Jag har fått en faktura för barnomsorg som verkar vara fel belopp.",
                }
            ]
        },
    )

    form_id: str = Field(min_length=1, max_length=64)
    organization: str | None = Field(None, description="organisation id; the directory's default when absent")
    name: str | None = Field(None, max_length=200)
    email: EmailAddress | None = None
    phone: PhoneNumber | None = None
    subject: str | None = Field(None, max_length=300)
    message: str = Field(min_length=1, max_length=20_000)
    category_hint: str | None = Field(None, max_length=100)
    location: Location | None = None
    address: str | None = Field(
        None, max_length=500, description="the street address or place the report is about (a felanmälan's)"
    )
    website: str | None = Field(None, description="honeypot: people leave it empty, robots fill it in")
    language: Literal["sv", "en", "ar"] | None = Field(
        None, description="the language the citizen wants the answer in; guessed from the text when absent"
    )

    @field_validator("category_hint", "address", "website", "language", mode="before")
    @classmethod
    def _blank_hint_is_absent(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class ManualRegistration(_Submission):
    """A contact an agent registers: a visit at the desk, a letter, an errand taken on the phone."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "channel": "letter",
                    "organization": "karlskoga",
                    "name": "Karl Berg",
                    "subject": "Brev om bygglov",
                    "message": "Brev inkommet 2 mars om bygglov för garage på Norra Ringvägen 4.",
                }
            ]
        },
    )

    channel: Literal["visit", "letter", "phone"]
    organization: str | None = Field(None, description="organisation id; the directory's default when absent")
    name: str | None = Field(None, max_length=200)
    email: EmailAddress | None = None
    phone: PhoneNumber | None = None
    subject: str | None = Field(None, max_length=300)
    message: str = Field(min_length=1, max_length=50_000)
    call_id: str | None = Field(None, min_length=1, max_length=128, description="only for channel 'phone'")
    category_hint: str | None = Field(None, max_length=100)
    received_at: AwareDatetime | None = Field(
        None, description="when the letter arrived or the visit took place; now when absent"
    )
    no_survey: bool = Field(False, description="the citizen does not want the satisfaction survey")

    @model_validator(mode="after")
    def _call_id_only_for_phone(self) -> ManualRegistration:
        if self.call_id is not None and self.channel != "phone":
            raise ValueError("call_id belongs only to channel 'phone'")
        return self


class Accepted(BaseModel):
    contact_id: str


CallEventType = Literal[
    "call.offered",
    "call.answered",
    "call.abandoned",
    "call.ended",
    "call.callback_requested",
    "call.wrapped_up",
]
Seconds = Annotated[float, Field(strict=True, ge=0, le=86_400, allow_inf_nan=False)]


_FIGURE_NEEDED = {
    "call.answered": "wait_seconds",
    "call.abandoned": "wait_seconds",
    "call.ended": "talk_seconds",
    "call.wrapped_up": "wrap_up_seconds",
}


class PhoneEvent(BaseModel):
    """One event of the telephony platform (CTI), as in DESIGN §3."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)

    event: CallEventType
    call_id: str = Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")
    at: AwareDatetime = Field(description="ISO 8601 with a UTC offset, e.g. 2026-03-02T07:31:05+01:00")
    organization: str | None = Field(None, max_length=64, description="else found from 'to'")
    answer_group: str | None = Field(None, max_length=64)
    ivr_choice: str | None = Field(None, max_length=8, pattern=r"^[0-9*#]+$")
    from_: PhoneNumber | None = Field(None, alias="from")
    to: PhoneNumber | None = None
    wait_seconds: Seconds | None = None
    talk_seconds: Seconds | None = None
    wrap_up_seconds: Seconds | None = None
    agent: str | None = Field(None, max_length=200)

    @field_validator("agent")
    @classmethod
    def _agent_on_one_line(cls, value: str | None) -> str | None:
        return single_line(value, NAME_MAX_CHARS)

    @model_validator(mode="after")
    def _figures_of_the_event(self) -> PhoneEvent:
        wanted = _FIGURE_NEEDED.get(self.event)
        if wanted and getattr(self, wanted) is None:
            raise ValueError(f"{self.event} needs '{wanted}'")
        return self


class PhoneEventsAccepted(BaseModel):
    accepted: int = Field(description="events published now")
    duplicates: int = Field(description="events already received earlier (same call_id and event)")
    contact_ids: list[str] = Field(description="contacts opened for callback requests")
