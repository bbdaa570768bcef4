"""Case events on ``cases.events``, keyed by case reference (DESIGN §3)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from lotsen.contracts.contacts import Channel, HandledBy
from lotsen.contracts.envelope import Event, EventData, UtcDatetime

FeedbackKind = Literal["praise", "complaint", "suggestion", "question"]  # beröm, klagomål, förslag, fråga
CaseStatus = Literal["new", "open", "pending_citizen", "handed_off", "resolved", "closed"]


class CaseEventData(EventData):
    case_ref: str


class CaseCreatedData(CaseEventData):
    channel: Channel
    received_at: UtcDatetime
    category: str
    department: str | None = None
    answer_group: str | None = None
    handled_by: HandledBy
    rosa_level: int = Field(ge=1, le=6)
    confidential: bool = False
    form_id: str | None = Field(None, description="the web form the case came from, if any")
    contact_id: str | None = Field(None, description="the contact the case was opened from")
    feedback_kind: FeedbackKind | None = Field(
        None, description="a synpunkt's kind as the contact said it (the synpunkt form's choice)"
    )
    feedback_department: str | None = Field(
        None, description="the department a synpunkt concerns, when the contact named one"
    )
    first_response_due: UtcDatetime | None = Field(
        None, description="when the citizen is promised a first answer (the errand type's promise)"
    )


class CaseMessageAddedData(CaseEventData):
    message_id: str
    direction: Literal["inbound", "outbound", "internal"]
    channel: Channel | Literal["internal", "none"] = Field(
        description="the message's channel; `none`: an outbound message with no way to reach the citizen"
    )
    at: UtcDatetime
    automatic: bool = False


class CaseAssignedData(CaseEventData):
    assignee: str | None
    assigned_by: str | None = None


class CaseStatusChangedData(CaseEventData):
    old_status: CaseStatus | None = None
    new_status: CaseStatus


class CaseHandedOffData(CaseEventData):
    department: str
    reason: str
    due_at: UtcDatetime
    handed_off_by: str
    category: str | None = Field(None, description="the case's category, for the department's own systems")
    confidential: bool | None = Field(
        None, description="whether the case is confidential; absent from events of older producers"
    )


class CaseReturnedData(CaseEventData):
    department: str | None = None
    reason: str
    returned_by: str | None = None


class CaseResolvedData(CaseEventData):
    resolved_at: UtcDatetime
    resolved_by_first_line: bool
    failure_demand: bool = False
    resolution_code: str
    resolved_by: str | None = Field(None, description="the user name of who resolved it")


class CaseClosedData(CaseEventData):
    closed_at: UtcDatetime | None = None
    merged_into: str | None = Field(
        None, description="set when the case was closed as a duplicate merged into this case"
    )


class CaseReopenedData(CaseEventData):
    reason: str | None = None


class CaseSlaBreachedData(CaseEventData):
    clock: str = Field(description="which deadline passed, e.g. first_response or handoff")
    due_at: UtcDatetime


class CaseReminderDueData(CaseEventData):
    department: str | None = None
    due_at: UtcDatetime
    reminder_number: int = 1


class CaseSurveyAnsweredData(CaseEventData):
    answers: dict[str, int] = Field(description="question (bemotande, kunskap, tillganglighet) → score 1–5")
    channel: str | None = Field(None, description="the channel the citizen reached us on (as case.created)")
    answer_group: str | None = Field(None, description="the case's answer group when answered")
    invited_via: str | None = Field(
        None, description="the channel the survey invitation went on; absent: none was sent (receipt)"
    )


class CaseErasedData(CaseEventData):
    erased_at: UtcDatetime | None = None
    fields: list[str] = Field(default_factory=list)
    contacts: list[str] = Field(
        default_factory=list, description="contact ids of the case's messages (intake's files name them)"
    )
    attachments: list[str] = Field(
        default_factory=list, description="SHA-256 of every file attached to the case, for intake to delete"
    )


class CaseRecategorisedData(CaseEventData):
    """A case moved to another category, answer group or department to correct how it was classified.

    ``category``, ``department``, ``answer_group``, ``handled_by``, ``rosa_level`` and ``confidential``
    are the case's values after the change, as on ``case.created``; ``old_*`` those before it.
    ``first_response_due`` is the case's promise of a first answer after the change (the new
    category's or department's may differ), as on ``case.created``."""

    category: str
    department: str | None = None
    answer_group: str | None = None
    handled_by: HandledBy
    rosa_level: int = Field(ge=1, le=6)
    confidential: bool = False
    old_category: str | None = None
    old_department: str | None = None
    old_answer_group: str | None = None
    old_confidential: bool = False
    reason: str
    recategorised_by: str
    first_response_due: UtcDatetime | None = None


class CasePositionCorrectedData(CaseEventData):
    """Staff corrected where the errand is (``POST /v1/cases/{ref}/position``): the place after the
    correction, as the case keeps it. ``lat``/``lon`` are WGS 84 degrees and ``address`` one line,
    each null when the case has none now; ``parts`` names what changed (``location``, ``address``).
    The place can be someone's home: consumers that keep it clear it on ``case.erased``."""

    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    parts: list[Literal["location", "address"]] = Field(default_factory=list)
    corrected_by: str


class CaseFeedbackClassifiedData(CaseEventData):
    """A synpunkt's kind and the department it concerns, as an agent set or corrected them.

    ``department`` is the department the synpunkt is credited to; ``None`` means the case's own
    department (whichever that is when the figures are read). ``old_*`` are the values before."""

    kind: FeedbackKind
    department: str | None = None
    old_kind: FeedbackKind | None = None
    old_department: str | None = None
    classified_by: str


class RegistrationParty(EventData):
    role: Literal["sender", "recipient"]
    name: str | None = Field(None, description="`[sekretess]` when the registration is confidential")
    address: str | None = Field(
        None, description="e-mail, phone or postal address; never in a confidential registration"
    )


class CaseRegisteredData(CaseEventData):
    """A message or a whole case registered as a public record (allmän handling) in the diary."""

    diary_number: str = Field(description="e.g. `KGA 2026/000123`: organisation code, local year, sequence")
    sequence: int = Field(ge=1, description="the number within the organisation's series of the year")
    year: int = Field(description="the year of the series (Swedish local date of the registration)")
    registered_at: UtcDatetime
    registered_by: str
    kind: Literal["case", "message"]
    message_id: str | None = Field(None, description="the registered message's key on the case, if one")
    direction: Literal["incoming", "outgoing", "internal"] = Field(
        description="inkommande (from the citizen), utgående (from us), upprättad (drawn up here)"
    )
    subject: str = Field(description="`[sekretess]` when the registration is confidential")
    parties: list[RegistrationParty] = Field(default_factory=list)
    confidential: bool = Field(description="marked under OSL: subject and parties are not shown")
    osl: str | None = Field(None, description="the secrecy provision of the marking, e.g. `26 kap. 1 § OSL`")
    department: str | None = None


class CaseCreated(Event[CaseCreatedData]):
    type: Literal["case.created"] = "case.created"


class CaseMessageAdded(Event[CaseMessageAddedData]):
    type: Literal["case.message_added"] = "case.message_added"


class CaseAssigned(Event[CaseAssignedData]):
    type: Literal["case.assigned"] = "case.assigned"


class CaseStatusChanged(Event[CaseStatusChangedData]):
    type: Literal["case.status_changed"] = "case.status_changed"


class CaseHandedOff(Event[CaseHandedOffData]):
    type: Literal["case.handed_off"] = "case.handed_off"


class CaseReturned(Event[CaseReturnedData]):
    type: Literal["case.returned"] = "case.returned"


class CaseResolved(Event[CaseResolvedData]):
    type: Literal["case.resolved"] = "case.resolved"


class CaseClosed(Event[CaseClosedData]):
    type: Literal["case.closed"] = "case.closed"


class CaseReopened(Event[CaseReopenedData]):
    type: Literal["case.reopened"] = "case.reopened"


class CaseSlaBreached(Event[CaseSlaBreachedData]):
    type: Literal["case.sla_breached"] = "case.sla_breached"


class CaseReminderDue(Event[CaseReminderDueData]):
    type: Literal["case.reminder_due"] = "case.reminder_due"


class CaseSurveyAnswered(Event[CaseSurveyAnsweredData]):
    type: Literal["case.survey_answered"] = "case.survey_answered"


class CaseErased(Event[CaseErasedData]):
    type: Literal["case.erased"] = "case.erased"


class CaseRecategorised(Event[CaseRecategorisedData]):
    type: Literal["case.recategorised"] = "case.recategorised"


class CaseRegistered(Event[CaseRegisteredData]):
    type: Literal["case.registered"] = "case.registered"


class CasePositionCorrected(Event[CasePositionCorrectedData]):
    type: Literal["case.position_corrected"] = "case.position_corrected"


class CaseFeedbackClassified(Event[CaseFeedbackClassifiedData]):
    type: Literal["case.feedback_classified"] = "case.feedback_classified"


def case_key(event: Event[Any]) -> str:
    """The record key of a case event: its case reference."""
    return str(event.data.case_ref)
