"""How large a contact event may grow, and how intake keeps every event it builds within that.

Kafka refuses a record over the broker's limit (``message.max.bytes``, about 1 MB by default), and
routing adds its decision to each contact: an event at the limit would be accepted here and then never
routed. So every ``contact.received`` of every channel passes :func:`bound_contact` before it is
published:

- single-line fields (subject, names, addresses, phone, header values, file names, hints) lose their
  control characters (CR and LF included) and are cut at a fixed length, marked with "…";
- the sender's e-mail address is normalised by :mod:`lotsen.email_address`; one that cannot be
  answered is kept as ``email_unusable`` {``address``, ``problem``} and ``email`` is left empty, so the
  case is still created but no acknowledgement is sent into the void;
- a text larger than ``INTAKE_TEXT_MAX_BYTES`` is stored whole, like an attachment (by SHA-256, as
  ``meddelande.txt``), and the event carries its beginning, ``text_truncated`` and ``full_text``
  {``sha256``, ``size``};
- lists (thread references, text sections, form fields, anything else) are cut at a fixed count; a
  field intake does not know by name that is still larger than 16 kB is left out (``omitted_fields``);
- should the encoded event still be larger than ``INTAKE_EVENT_MAX_BYTES``, the HTML body and the text
  sections are left out, form fields cut to 500 characters, then the text is shortened further;
  what cannot be brought under the budget is refused with :class:`ContactTooLarge` (413, SMTP 552),
  never with "try again later".
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from lotsen.contracts.contacts import ContactReceived, ContactReceivedData
from lotsen.contracts.envelope import encode_event
from lotsen.email_address import reply_address
from lotsen.errors import DomainError

ELLIPSIS = "…"
SUBJECT_MAX_CHARS = 300
NAME_MAX_CHARS = 200
PHONE_MAX_CHARS = 40
HINT_MAX_CHARS = 100
FILE_NAME_MAX_CHARS = 200
MESSAGE_ID_MAX_CHARS = 500
REFERENCES_MAX = 20
SECTIONS_MAX = 500
FORM_FIELDS_MAX = 50
FORM_FIELD_MAX_CHARS = 5_000
OTHER_TEXT_MAX_CHARS = 1_000
OTHER_LIST_MAX = 50
OTHER_FIELD_MAX_BYTES = 16 * 1024
FORM_FIELD_SHORT_CHARS = 500
ADDRESS_MAX_CHARS = 500
FULL_TEXT_NAME = "meddelande.txt"
FULL_TEXT_TYPE = "text/plain; charset=utf-8"
FULL_TEXT_NOTE = f"\n\n[… the whole text is attached as {FULL_TEXT_NAME}]"
_SHORTEST_TEXT_BYTES = 1024


class ContactTooLarge(DomainError):
    """A contact that cannot be made into an event under the budget, however much is cut."""

    status = 413
    code = "too_large"
    smtp = "552 5.3.4"


@dataclass(frozen=True)
class EventLimits:
    event_max_bytes: int = 256 * 1024
    text_max_bytes: int = 64 * 1024


_CONTROL = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
_CONTROL_RUN = re.compile(rf"\s*[{_CONTROL}][\s{_CONTROL}]*")
_MULTILINE_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+")
# Direction overrides and isolates turn "gpj.exe" into what looks like "exe.jpg" in a one-line field.
_DIRECTION_MARKS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def cut(value: str, max_chars: int) -> str:
    """``value`` cut on a character boundary to at most ``max_chars`` characters, marked with "…"."""
    return value if len(value) <= max_chars else value[: max_chars - 1].rstrip() + ELLIPSIS


def single_line(value: str | None, max_chars: int) -> str | None:
    """A one-line field: control characters (CR and LF included) become one space, direction marks
    are removed, and it is cut at ``max_chars``."""
    if value is None:
        return None
    if len(value) <= max_chars and value.isprintable():  # the usual case: nothing to do
        return value.strip() or None
    text = _DIRECTION_MARKS.sub("", value[: 8 * max_chars])
    return cut(_CONTROL_RUN.sub(" ", text).strip(), max_chars) or None


def multi_line(value: str) -> str:
    """A text: line breaks as ``\\n``, tabs kept, other control characters removed."""
    return _MULTILINE_CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def utf8_prefix(text: str, max_bytes: int) -> str:
    """The longest beginning of ``text`` (whole characters) that is at most ``max_bytes`` in UTF-8."""
    return text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")


def bound_contact(event: ContactReceived, limits: EventLimits) -> tuple[ContactReceived, bytes | None]:
    """``event`` within ``limits``, and the whole text (UTF-8) to store when the event carries only
    its beginning (as :data:`FULL_TEXT_NAME`, which the event then lists among its attachments)."""
    bounded, full_text, _ = bound_contact_encoded(event, limits)
    return bounded, full_text


def bound_contact_encoded(
    event: ContactReceived, limits: EventLimits
) -> tuple[ContactReceived, bytes | None, bytes]:
    """:func:`bound_contact`, and the bounded event encoded for Kafka (it was encoded to be measured)."""
    data = event.data.model_dump()
    _bound_fields(data)
    text = multi_line(data.get("text") or "")
    full_text = None
    if len(text.encode("utf-8")) > limits.text_max_bytes:
        full_text = _refer_to_full_text(data, text)
    _set_text(data, text, limits.text_max_bytes)
    bounded = _with(event, data)
    text_bytes = limits.text_max_bytes
    while len(encoded := encode_event(bounded)) > limits.event_max_bytes:
        if data.get("html") is not None:
            data["html"] = None
        elif data.get("sections"):
            data["sections"] = []
        elif any(len(v) > FORM_FIELD_SHORT_CHARS for v in (data.get("form_fields") or {}).values()):
            data["form_fields"] = {k: cut(v, FORM_FIELD_SHORT_CHARS) for k, v in data["form_fields"].items()}
        elif text_bytes > _SHORTEST_TEXT_BYTES:
            text_bytes //= 4
            if len(text.encode("utf-8")) > text_bytes:
                full_text = full_text or _refer_to_full_text(data, text)
                _set_text(data, text, text_bytes)
        else:
            raise ContactTooLarge(
                f"the contact cannot be made smaller than the limit of {limits.event_max_bytes // 1024} kB "
                "for one contact",
                details={"limit_bytes": limits.event_max_bytes},
            )
        bounded = _with(event, data)
    return bounded, full_text, encoded


def _refer_to_full_text(data: dict[str, Any], text: str) -> bytes:
    whole = text.encode("utf-8")
    sha256 = hashlib.sha256(whole).hexdigest()
    data["attachments"].append(
        {"name": FULL_TEXT_NAME, "content_type": FULL_TEXT_TYPE, "size": len(whole), "sha256": sha256}
    )
    data["full_text"] = {"sha256": sha256, "size": len(whole)}
    return whole


def _with(event: ContactReceived, data: dict[str, Any]) -> ContactReceived:
    return event.model_copy(update={"data": ContactReceivedData.model_validate(data)})


def _set_text(data: dict[str, Any], text: str, max_bytes: int) -> None:
    if len(text.encode("utf-8")) <= max_bytes:
        data["text"] = text
    else:
        kept = utf8_prefix(text, max_bytes - len(FULL_TEXT_NOTE.encode("utf-8")) - 3).rstrip()
        data["text"] = kept + ELLIPSIS + FULL_TEXT_NOTE
        data["text_truncated"] = True
        if data.get("sections"):
            data["sections"] = _clipped_sections(data["sections"], len(kept), len(data["text"]))


def _clipped_sections(sections: list[Any], kept: int, length: int) -> list[Any]:
    clipped = [
        dict(s, end=min(s["end"], kept)) for s in sections if isinstance(s, dict) and s["start"] < kept
    ]
    if clipped:
        clipped[-1]["end"] = length
    return clipped


def _bound_fields(data: dict[str, Any]) -> None:
    data["subject"] = single_line(data.get("subject"), SUBJECT_MAX_CHARS)
    data["category_hint"] = single_line(data.get("category_hint"), HINT_MAX_CHARS)
    for key in ("form_id", "ivr_choice", "language", "answer_group"):
        data[key] = single_line(data.get(key), HINT_MAX_CHARS)
    data["address"] = single_line(data.get("address"), ADDRESS_MAX_CHARS)
    _bound_sender(data["sender"])
    _bound_thread(data["thread"])
    for attachment in data["attachments"]:
        attachment["name"] = single_line(attachment["name"], FILE_NAME_MAX_CHARS) or "bilaga"
        attachment["content_type"] = (
            single_line(attachment["content_type"], FILE_NAME_MAX_CHARS) or "application/octet-stream"
        )
    if isinstance(data.get("form_fields"), dict):
        data["form_fields"] = {
            str(k)[:HINT_MAX_CHARS]: cut(multi_line(str(v)), FORM_FIELD_MAX_CHARS)
            for k, v in list(data["form_fields"].items())[:FORM_FIELDS_MAX]
        }
    if isinstance(data.get("sections"), list) and len(data["sections"]) > SECTIONS_MAX:
        data["sections"] = []  # a text of that many parts is shown as one
    if isinstance(data.get("recipient"), str):
        data["recipient"] = single_line(data["recipient"], MESSAGE_ID_MAX_CHARS)
    for key in [k for k in data if k not in _KNOWN_FIELDS]:
        data[key] = _bounded_other(data[key])
        if len(json.dumps(data[key], default=str, ensure_ascii=False).encode()) > OTHER_FIELD_MAX_BYTES:
            data[key] = None
            data.setdefault("omitted_fields", []).append(key)


_KNOWN_FIELDS = frozenset(ContactReceivedData.model_fields) | {"form_fields", "sections", "html", "recipient"}


def _bound_sender(sender: dict[str, Any]) -> None:
    sender["name"] = single_line(sender.get("name"), NAME_MAX_CHARS)
    sender["phone"] = single_line(sender.get("phone"), PHONE_MAX_CHARS)
    sender["facebook_psid"] = single_line(sender.get("facebook_psid"), HINT_MAX_CHARS)
    if sender.get("email") is not None:
        usable = reply_address(sender["email"])
        if usable.address is None:
            sender["email_unusable"] = {
                "address": single_line(sender["email"], MESSAGE_ID_MAX_CHARS),
                "problem": usable.problem,
            }
        sender["email"] = usable.address
    if isinstance(sender.get("reply_to"), str):
        sender["reply_to"] = reply_address(sender["reply_to"]).address
    for key in [k for k in sender if k not in ("name", "email", "phone", "facebook_psid", "email_unusable")]:
        sender[key] = _bounded_other(sender[key])


def _bound_thread(thread: dict[str, Any]) -> None:
    thread["case_ref"] = single_line(thread.get("case_ref"), HINT_MAX_CHARS)
    for key in ("message_id", "in_reply_to"):
        value = single_line(thread.get(key), MESSAGE_ID_MAX_CHARS + 1)
        thread[key] = value if value is None or len(value) <= MESSAGE_ID_MAX_CHARS else None
    references = [
        r
        for r in (single_line(r, MESSAGE_ID_MAX_CHARS + 1) for r in thread["references"])
        if r and len(r) <= MESSAGE_ID_MAX_CHARS
    ]
    if len(references) > REFERENCES_MAX:  # RFC 5322 §3.6.4: the first and the most recent matter
        references = [references[0], *references[-(REFERENCES_MAX - 1) :]]
    thread["references"] = references


def _bounded_other(value: Any, depth: int = 0) -> Any:
    """A field this module does not know by name: strings, lists and mappings cut to fixed sizes
    (one that is still larger than ``OTHER_FIELD_MAX_BYTES`` is left out, named in ``omitted_fields``)."""
    if isinstance(value, str):
        return cut(multi_line(value), OTHER_TEXT_MAX_CHARS)
    if isinstance(value, list | tuple) and depth < 3:
        return [_bounded_other(v, depth + 1) for v in value[:OTHER_LIST_MAX]]
    if isinstance(value, dict) and depth < 3:
        items = list(value.items())[:OTHER_LIST_MAX]
        return {cut(str(k), HINT_MAX_CHARS): _bounded_other(v, depth + 1) for k, v in items}
    return None if isinstance(value, list | tuple | dict) else value
