"""Contacts: what intake received and what routing decided (``contacts.received``, ``contacts.routed``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from lotsen.contracts.envelope import Event, EventData, UtcDatetime

Channel = Literal["email", "webform", "facebook", "phone", "visit", "letter", "open311"]
CHANNELS: tuple[str, ...] = ("email", "webform", "facebook", "phone", "visit", "letter", "open311")


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")


class UnusableAddress(_Part):
    """An e-mail address a contact came with that no reply can be sent to, and why."""

    address: str | None = None
    problem: str | None = None


class Sender(_Part):
    name: str | None = None
    email: str | None = Field(None, description="normalised; None when no reply can be sent to it")
    phone: str | None = None
    facebook_psid: str | None = None
    email_unusable: UnusableAddress | None = Field(
        None, description="the address as given, when it cannot be answered (the contact is kept)"
    )


class Attachment(_Part):
    name: str
    content_type: str
    size: int = Field(ge=0)
    sha256: str


class ThreadHints(_Part):
    """What intake saw that may tie the contact to an existing case."""

    case_ref: str | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = Field(default_factory=list)


class StoredText(_Part):
    """The whole text of a contact too long to travel in its event, stored by intake like an attachment."""

    sha256: str
    size: int = Field(ge=0, description="bytes, UTF-8")


class Location(_Part):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class ContactReceivedData(EventData):
    contact_id: str
    channel: Channel
    received_at: UtcDatetime
    sender: Sender = Field(default_factory=Sender)
    subject: str | None = None
    text: str = ""
    attachments: list[Attachment] = Field(default_factory=list)
    thread: ThreadHints = Field(default_factory=ThreadHints)
    ivr_choice: str | None = None
    form_id: str | None = None
    category_hint: str | None = None
    language: str | None = None
    is_auto_reply: bool = False
    location: Location | None = None
    address: str | None = Field(
        None, max_length=500, description="the street address or place the contact is about (a fault report's)"
    )
    media_url: str | None = Field(
        None, max_length=2000, description="a photo the sender links to (an Open311 request's media_url)"
    )
    answer_group: str | None = Field(
        None, description="the answer group a call queued in; a callback contact keeps it"
    )
    text_truncated: bool = Field(False, description="``text`` is the beginning; the whole is ``full_text``")
    full_text: StoredText | None = None


HandledBy = Literal["first_line", "department"]


class CategoryScore(_Part):
    """How strongly the classifier's evidence (the words found) pointed at one category."""

    category: str
    score: float
    evidence: list[str] = Field(default_factory=list)


class RoutingDecision(_Part):
    """Who handles the contact, and why (DESIGN §6).

    ``matched_rules`` names the rules of ``ruleset_version`` that matched, ``scores`` the classifier's
    best categories with the words that counted, ``agreement`` the department's agreement (and ROSA
    level) that decided first line or department, ``explanation`` all of it as one readable text.
    """

    handled_by: HandledBy
    answer_group: str | None = None
    department: str | None = None
    category: str
    rosa_level: int = Field(ge=1, le=6)
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    confidential: bool = False
    ruleset_version: int
    matched_rules: list[str] = Field(default_factory=list)
    explanation: str
    category_source: Literal["rule", "category_hint", "classifier", "fallback"] | None = None
    scores: list[CategoryScore] = Field(default_factory=list)
    agreement: str | None = None
    language: str | None = None
    out_of_hours: bool | None = None


class ContactRoutedData(ContactReceivedData):
    decision: RoutingDecision


class ContactReceived(Event[ContactReceivedData]):
    type: Literal["contact.received"] = "contact.received"


class ContactRouted(Event[ContactRoutedData]):
    type: Literal["contact.routed"] = "contact.routed"
