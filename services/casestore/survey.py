"""The satisfaction survey (NKI): the invitation when a case is resolved, and the citizen's answer.

The invitation goes once per case, when it is first resolved, on the channel the citizen can be
answered on (:func:`messages.reply_channel`: Messenger, e-mail, or SMS for a phone number), as an
automatic outbound message of kind ``survey`` that links to the status page with the reference and
access code filled in. notify writes the text in the citizen's language. None is sent:

- to a citizen with no address (a visit or letter without one): the access code receipt they were
  given is their way to the status page and the survey;
- for a confidential case (*sekretess*): a message about a social services errand can reach a
  shared phone or inbox; the citizen may still answer on the status page with the receipt;
- when the citizen said no to surveys (``survey_opt_out``), or the case was erased.

An answer is recorded with the channel the citizen used and the case's answer group, so satisfaction
can be followed per channel and per answer group.
"""

from __future__ import annotations

from datetime import datetime

from lotsen.contracts.cases import CaseSurveyAnswered
from services.casestore import messages
from services.casestore.changes import Change, Entry, case_event
from services.casestore.repository import Document

INVITATION_TEXT = "Hur nöjd är du med hur vi hanterade ditt ärende?"


def why_not_invited(case: Document) -> str | None:
    """Why the case gets no invitation, or None when it gets one."""
    if case.get("survey_invited_at") or case.get("survey_answered_at"):
        return "already invited"
    if case.get("confidential"):
        return "confidential"
    if case.get("survey_opt_out"):
        return "opted out"
    if case.get("erased_at"):
        return "erased"
    if messages.reply_channel(case, None) == "none":
        return "no address"
    return None


def invitation(case: Document, *, after: Change, at: datetime, domain: str) -> Change:
    """The invitation sent with the change ``after`` (the resolution), or nothing."""
    if why_not_invited(case) is not None:
        return Change()
    change = messages.outbound(
        case,
        text=INVITATION_TEXT,
        channel=messages.reply_channel(case, None),
        kind="survey",
        automatic=True,
        actor="lotsen",
        at=at,
        domain=domain,
        event_id_seed=f"{case['_id']}:survey",
        seq=messages.next_seq(case) + len(after.entries),
    )
    change.updates["survey_invited_at"] = at
    return change


def combined(first: Change, second: Change) -> Change:
    pushes = {key: list(values) for key, values in first.pushes.items()}
    for key, values in second.pushes.items():
        pushes[key] = pushes.get(key, []) + list(values)
    return Change(
        updates={**first.updates, **second.updates},
        entries=first.entries + second.entries,
        events=first.events + second.events,
        pushes=pushes,
    )


def answered(case: Document, answers: dict[str, int], *, at: datetime) -> Change:
    """The citizen's answer, with the channel they used and the case's answer group."""
    recorded = {
        "answers": answers,
        "channel": case.get("channel"),
        "answer_group": case.get("answer_group"),
        "invited_via": invited_via(case),
    }
    change = Change(updates={"survey_answered_at": at, "survey": {**recorded, "at": at}})
    change.entries.append(Entry("citizen", "survey_answered", recorded))
    change.events.append(case_event(CaseSurveyAnswered, case, at, **recorded))
    return change


def invited_via(case: Document) -> str | None:
    """The channel the invitation went on, or None when none was sent."""
    for message in case.get("messages", []):
        if message.get("kind") == "survey" and message.get("direction") == "outbound":
            return str(message.get("channel"))
    return None
