"""SMS to citizens through an SMS provider's HTTP API (httpx), provider-neutral.

The adapter posts one form-encoded request per message with HTTP basic auth, as most Swedish
providers take it. The field names default to 46elks' (``POST https://api.46elks.com/a1/sms`` with
``from``, ``to``, ``message``) and can be renamed for another provider (``NOTIFY_SMS_FIELDS``); the
provider's message id is read from the JSON answer's ``id``. A 2xx is delivered; 429 and 5xx, a
timeout or no connection are retried with the delivery policy; any other answer fails at once with
the provider's words. In development the stack points the adapter at its SMS catcher.

A message is bounded: at most ``NOTIFY_SMS_MAX_SEGMENTS`` parts. GSM 03.38 text (Swedish å, ä, ö
included) fits 160 characters in one part and 153 a part when split; anything else (Arabic, emoji)
is sent as UCS-2: 70, or 67 a part. A reply longer than that is cut at a word and ends with the
status page link, where the whole reply can be read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import phonenumbers

from services.notify.deliveries import Outcome

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")  # two septets each
NOT_CONFIGURED = "no SMS provider configured (NOTIFY_SMS_URL)"
NOT_A_MOBILE = "the citizen's phone number cannot take SMS"
DEFAULT_FIELDS = {"from": "from", "to": "to", "message": "message"}


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def segments(text: str) -> int:
    """How many parts the provider sends ``text`` as."""
    if is_gsm7(text):
        length = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        single, part = 160, 153
    else:
        length = sum(2 if ord(c) > 0xFFFF else 1 for c in text)  # UTF-16 code units
        single, part = 70, 67
    return 1 if length <= single else -(-length // part)


def fit(render: Callable[[str, bool], str], text: str, *, max_segments: int) -> str:
    """``render(text, cut)`` as long as it fits ``max_segments``; else with ``text`` cut at a word
    (``cut`` True: the template then says where the rest is). The longest cut that fits wins."""
    whole = render(text, False)
    if segments(whole) <= max_segments:
        return whole
    low, high = 0, len(text)
    while low < high:  # the longest prefix whose message fits
        middle = (low + high + 1) // 2
        if segments(render(_cut(text, middle), True)) <= max_segments:
            low = middle
        else:
            high = middle - 1
    return render(_cut(text, low), True)


def _cut(text: str, length: int) -> str:
    if length >= len(text):
        return text
    head = text[:length]
    word = head.rsplit(None, 1)[0] if " " in head.strip() else head
    return f"{word.rstrip(' ,.;:')}..." if word else ""  # three dots: "…" is not GSM 03.38


def mobile_number(phone: str | None) -> str | None:
    """The number in E.164 (Swedish numbering without a country code), or None if it takes no SMS."""
    if not phone:
        return None
    try:
        number = phonenumbers.parse(phone, "SE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    kind = phonenumbers.number_type(number)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


async def send(
    client: httpx.AsyncClient,
    *,
    url: str,
    username: str | None,
    password: str | None,
    sender: str,
    to: str,
    message: str,
    fields: dict[str, str],
    timeout: float,
) -> Outcome:
    if not url:
        return Outcome.failed(NOT_CONFIGURED, permanent=True)
    names = {**DEFAULT_FIELDS, **fields}
    form = {names["from"]: sender, names["to"]: to, names["message"]: message}
    try:
        async with asyncio.timeout(timeout):
            if username:
                response = await client.post(url, data=form, auth=(username, password or ""))
            else:
                response = await client.post(url, data=form)
    except TimeoutError:
        return Outcome.failed(f"the SMS provider did not answer within {timeout:g} s")
    except httpx.HTTPError as exc:
        return Outcome.failed(f"the SMS provider could not be reached: {type(exc).__name__}")
    if response.is_success:
        parts = segments(message)
        return Outcome.ok(
            f"sent as SMS {_json(response).get('id', '?')} ({parts} part{'s' if parts > 1 else ''})",
            status_code=response.status_code,
        )
    temporary = response.status_code == 429 or response.status_code >= 500
    detail = f"the SMS provider answered {response.status_code}: {response.text[:200]}"
    return Outcome.failed(detail, permanent=not temporary, status_code=response.status_code)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
