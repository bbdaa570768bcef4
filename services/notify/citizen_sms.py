"""The citizen's SMS: acknowledgements, replies and survey invitations to a phone number.

casestore answers on ``phone`` when the citizen left a phone number and no e-mail address or
Messenger id. The text is short (:mod:`sms`): the organisation, the reference, what we want to say
and the status page link with the access code; a reply too long for ``NOTIFY_SMS_MAX_SEGMENTS``
parts is cut at a word and points to the status page, where the whole reply is.
"""

from __future__ import annotations

from typing import Any

from services.notify import rendering, sms
from services.notify.deliveries import Document, failed_at_once
from services.notify.notifier import Notifier

SMS_CHANNELS = ("phone", "sms")


def delivery(
    doc: Document,
    template: str,
    language: rendering.Language,
    context: dict[str, Any],
    *,
    phone: str,
    notifier: Notifier,
) -> Document:
    """``doc`` made an SMS delivery, or failed at once when the number cannot take SMS."""
    number = sms.mobile_number(phone)
    if number is None:
        return failed_at_once(doc, sms.NOT_A_MOBILE, now=notifier.clock())

    def render(text: str, cut: bool) -> str:
        fields = {**context, "text": text, "cut": cut, "channel": "sms"}
        return rendering.render(f"sms_{template}", language, **fields).strip()

    doc["recipient"] = number
    doc["sms"] = {
        "to": number,
        "text": sms.fit(
            render, str(context.get("text") or ""), max_segments=notifier.settings.sms_max_segments
        ),
        "language": language,
    }
    return doc
