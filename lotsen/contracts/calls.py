"""Telephony events on ``calls.events``, keyed by call id (DESIGN §3)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from lotsen.contracts.envelope import Event, EventData, UtcDatetime


class CallEventData(EventData):
    model_config = ConfigDict(frozen=True, extra="allow", validate_by_name=True, serialize_by_alias=True)

    call_id: str
    at: UtcDatetime
    answer_group: str | None = None
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    ivr_choice: str | None = None


class CallAnsweredData(CallEventData):
    wait_seconds: float = Field(ge=0)
    agent: str | None = None


class CallAbandonedData(CallEventData):
    wait_seconds: float = Field(ge=0)


class CallEndedData(CallEventData):
    talk_seconds: float = Field(ge=0)


class CallWrappedUpData(CallEventData):
    """The agent is done with the call's after-call work (*efterarbete*): ``wrap_up_seconds`` from
    hang-up to done, told by the telephony platform or by the agent pressing "Klar med efterarbete"
    in the switchboard. ``agent`` is the agent's user name (staff, not a citizen)."""

    wrap_up_seconds: float = Field(ge=0, description="seconds of after-call work")
    agent: str | None = Field(None, description="the agent's user name, when known")
    source: Literal["telephony", "agent"] = Field(
        description="who told: the telephony platform, or the agent in the switchboard"
    )


class CallOffered(Event[CallEventData]):
    type: Literal["call.offered"] = "call.offered"


class CallAnswered(Event[CallAnsweredData]):
    type: Literal["call.answered"] = "call.answered"


class CallAbandoned(Event[CallAbandonedData]):
    type: Literal["call.abandoned"] = "call.abandoned"


class CallEnded(Event[CallEndedData]):
    type: Literal["call.ended"] = "call.ended"


class CallWrappedUp(Event[CallWrappedUpData]):
    type: Literal["call.wrapped_up"] = "call.wrapped_up"


class CallbackRequested(Event[CallEventData]):
    type: Literal["call.callback_requested"] = "call.callback_requested"


class CallTransferredData(CallEventData):
    """A call connected to a named person or a department (*växeln kopplar*): by an agent pressing
    "Kopplad" in the switchboard (``transferred_by`` is the agent) or by the IVR's connect choice
    (``transferred_by`` is ``"ivr"``; ``to`` is the number dialled, ``department`` and ``staff_id``
    unknown). Names no person but the staff id: stats counts transfers per department only."""

    department: str | None = Field(None, description="the department the call was connected to")
    staff_id: str | None = Field(None, description="the staff directory entry, when connected to a person")
    transferred_by: str = Field(description="the agent's user name, or 'ivr'")


class CallTransferred(Event[CallTransferredData]):
    type: Literal["call.transferred"] = "call.transferred"
