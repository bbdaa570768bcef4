"""Reaching the citizen on the channel they used: acknowledgements and replies by e-mail or Messenger.

casestore's ``outbound.requested`` carries what threading needs: our ``Message-ID``, the citizen's
message ids for ``In-Reply-To``/``References`` and the reference tag in the subject, so the
citizen's answer lands on the same case. A citizen who left only a phone number is reached by SMS
(:mod:`citizen_sms`) where an SMS provider is configured. A contact we cannot answer in writing (no
address, or a phone number and no SMS provider) fails at once with "no channel to reach the
citizen", so an agent knows to call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lotsen.contracts.outbound import OutboundRequested
from services.notify import citizen_sms, rendering
from services.notify.deliveries import NO_CHANNEL, Document, Target, delivery_id, failed_at_once, new_delivery
from services.notify.notifier import Notifier, mail_domain, sender_address

EMAIL_CHANNELS = ("email", "webform")


def instant(value: Any) -> datetime | None:
    """A time from an extra field of the event (RFC 3339 text on the wire)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return None


async def request(event: OutboundRequested, *, notifier: Notifier) -> bool:
    """Record the delivery of one outbound message; True when it is new."""
    confidential = await notifier.confidential(event.data.case_ref)
    return await notifier.record(delivery_for(event, notifier, confidential=confidential))


def delivery_for(event: OutboundRequested, notifier: Notifier, *, confidential: bool) -> Document:
    data = event.data
    extra = data.model_extra or {}
    now = notifier.clock()
    delivery = new_delivery(
        id=delivery_id(event.event_id, "citizen"),
        target=citizen_target(data.channel),
        target_key="citizen",
        case_ref=data.case_ref,
        organization=event.organization,
        event_type=event.type,
        event_id=str(event.event_id),
        now=now,
        confidential=confidential,
        outbound_id=data.outbound_id,
        channel=data.channel,
        kind=data.kind,
        automatic=data.automatic,
    )
    language = rendering.language_of(extra.get("language"))
    org = notifier.organization(event.organization)
    context = {
        "organization": org.name if org is not None else event.organization,
        "name": data.to.get("name"),
        "ref": data.case_ref,
        "text": data.text,
        "access_code": extra.get("access_code"),
        "due": rendering.local_time(instant(extra.get("first_response_due")), language),
        "opens": rendering.local_time(instant(extra.get("group_opens_at")), language),
        "status_link": rendering.status_link(
            notifier.settings.status_page_url,
            ref=data.case_ref,
            code=extra.get("access_code"),
            language=language,
        ),
    }
    template = data.kind if data.kind in ("acknowledgement", "survey") else "reply"
    if data.channel in EMAIL_CHANNELS and data.to.get("email"):
        sender = sender_address(org)
        if sender is None:
            return failed_at_once(
                delivery, f"organisation {event.organization} has no e-mail address", now=now
            )
        delivery["recipient"] = data.to["email"]
        delivery["email"] = {
            "from": sender,
            "from_name": context["organization"],
            "to": data.to["email"],
            "to_name": data.to.get("name"),
            "subject": survey_subject(language, context)
            if data.kind == "survey"
            else extra.get("subject") or f"Ditt ärende [{data.case_ref}]",
            "body": rendering.render(template, language, channel="email", **context),
            "message_id": extra.get("message_id")
            or f"<{data.outbound_id}@{mail_domain(org, event.organization)}>",
            "in_reply_to": extra.get("in_reply_to"),
            "references": list(extra.get("references") or []),
            "auto_submitted": "auto-replied" if data.kind == "acknowledgement" else None,
            "language": language,
        }
        return delivery
    if data.channel == "facebook" and data.to.get("facebook_psid"):
        delivery["recipient"] = data.to["facebook_psid"]
        delivery["messenger"] = {
            "psid": data.to["facebook_psid"],
            "text": rendering.render(template, language, channel="facebook", **context).strip(),
            "last_inbound_at": instant(extra.get("last_inbound_at")),
        }
        return delivery
    if data.channel in citizen_sms.SMS_CHANNELS and data.to.get("phone") and notifier.settings.sms_url:
        phone = str(data.to["phone"])
        return citizen_sms.delivery(delivery, template, language, context, phone=phone, notifier=notifier)
    return failed_at_once(delivery, NO_CHANNEL, now=now)


def citizen_target(channel: str) -> Target:
    if channel == "facebook":
        return "citizen_messenger"
    return "citizen_sms" if channel in citizen_sms.SMS_CHANNELS else "citizen_email"


def survey_subject(language: rendering.Language, context: dict[str, Any]) -> str:
    return rendering.render("survey.subject", language, channel="email", **context).strip()
