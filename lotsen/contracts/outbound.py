"""Outbound messages: what casestore asks notify to send, and how it went (DESIGN §3)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lotsen.contracts.envelope import Event, EventData, UtcDatetime


class OutboundRequestedData(EventData):
    case_ref: str
    outbound_id: str
    channel: str = Field(description="email, facebook, webhook, …")
    kind: Literal["acknowledgement", "reply", "handoff", "reminder", "survey"] = "reply"
    automatic: bool = False
    text: str = ""
    to: dict[str, str | None] = Field(default_factory=dict)


class OutboundResultData(EventData):
    case_ref: str
    outbound_id: str
    channel: str
    at: UtcDatetime


class OutboundFailedData(OutboundResultData):
    reason: str


class OutboundRequested(Event[OutboundRequestedData]):
    type: Literal["outbound.requested"] = "outbound.requested"


class OutboundDelivered(Event[OutboundResultData]):
    type: Literal["outbound.delivered"] = "outbound.delivered"


class OutboundFailed(Event[OutboundFailedData]):
    type: Literal["outbound.failed"] = "outbound.failed"
