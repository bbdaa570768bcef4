"""Whatever a channel puts into a contact, the event intake publishes stays within its budget, its
single-line fields are one line, and a text it cut is stored whole (``services/intake/bounds.py``)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotsen.contracts.contacts import CHANNELS, ContactReceived, ContactReceivedData
from lotsen.contracts.envelope import encode_event
from services.intake.bounds import (
    FULL_TEXT_NOTE,
    HINT_MAX_CHARS,
    NAME_MAX_CHARS,
    PHONE_MAX_CHARS,
    REFERENCES_MAX,
    SUBJECT_MAX_CHARS,
    ContactTooLarge,
    EventLimits,
    bound_contact,
)

_PIECES = st.text(
    alphabet=st.sampled_from(list('aö"\\\r\n\t\x00\x1b\x7f\x85\u2028\u202e€𝄞 <>@.')), min_size=1, max_size=12
)


def _long(max_repeat: int) -> st.SearchStrategy[str]:
    """Pathological text: a piece with quotes, escapes, control and wide characters, repeated."""
    return st.builds(lambda piece, n: piece * n, _PIECES, st.integers(0, max_repeat))


_SECTIONS = st.integers(0, 20_000).map(
    lambda n: [{"kind": ("message", "quoted")[i % 2], "start": i, "end": i + 1} for i in range(n)]
)


@st.composite
def contacts(draw: st.DrawFn) -> ContactReceived:
    channel = draw(st.sampled_from(CHANNELS))
    extras: dict[str, Any] = {}
    if channel == "email":
        extras = {
            "recipient": draw(_long(5_000)),
            "html": draw(_long(20_000)),
            "sections": draw(_SECTIONS),
            "auto_reply_reason": draw(_long(20_000)),
        }
    elif channel == "webform":
        extras = {"form_fields": {f"f{i}": draw(_long(2_000)) for i in range(draw(st.integers(0, 60)))}}
    elif channel == "facebook":
        extras = {
            "remote_attachments": [{"url": draw(_long(2_000)), "title": "t"}] * draw(st.integers(0, 80))
        }
    data = ContactReceivedData(
        contact_id="c-1",
        channel=channel,
        received_at=datetime(2026, 3, 2, tzinfo=UTC),
        sender={
            "name": draw(_long(40_000)),
            "email": draw(_long(2_000)),
            "phone": draw(_long(2_000)),
            "facebook_psid": draw(_long(2_000)),
            "reply_to": draw(_long(2_000)),
        },
        subject=draw(_long(40_000)),
        text=draw(_long(60_000)),
        attachments=[
            {"name": draw(_long(5_000)), "content_type": "application/pdf", "size": 1, "sha256": "0" * 64}
        ]
        * draw(st.integers(0, 21)),
        thread={
            "message_id": draw(_long(2_000)),
            "references": [f"<{n}{draw(_long(100))}@x>" for n in range(draw(st.integers(0, 500)))],
        },
        category_hint=draw(_long(5_000)),
        **extras,
    )
    return ContactReceived(producer="intake", organization="karlskoga", data=data)


def _one_line_within(value: str | None, limit: int) -> bool:
    return value is None or (
        len(value) <= limit and not any(c in value for c in "\r\n\x00\x1b\x7f\x85\u2028\u202e")
    )


@pytest.mark.parametrize(
    "limits", [EventLimits(), EventLimits(event_max_bytes=32 * 1024, text_max_bytes=8 * 1024)]
)
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(event=contacts())
def test_no_contact_event_outgrows_its_budget(limits: EventLimits, event: ContactReceived) -> None:
    try:
        bounded, full_text = bound_contact(event, limits)
    except ContactTooLarge:
        assert limits != EventLimits(), "the default budget takes any contact a channel builds"
        return
    assert len(encode_event(bounded)) <= limits.event_max_bytes
    data = bounded.data
    assert _one_line_within(data.subject, SUBJECT_MAX_CHARS)
    assert _one_line_within(data.sender.name, NAME_MAX_CHARS)
    assert _one_line_within(data.sender.phone, PHONE_MAX_CHARS)
    assert _one_line_within(data.category_hint, HINT_MAX_CHARS)
    assert all(_one_line_within(a.name, 200) for a in data.attachments)
    assert data.sender.email is None or "@" in data.sender.email
    assert len(data.thread.references) <= REFERENCES_MAX
    assert "\r" not in data.text and "\x00" not in data.text
    if full_text is not None:
        assert data.text_truncated and data.full_text is not None
        assert data.full_text.sha256 == hashlib.sha256(full_text).hexdigest()
        assert data.full_text.size == len(full_text)
        assert full_text.decode().startswith(data.text[: -len(FULL_TEXT_NOTE) - 1])
    else:
        assert not data.text_truncated
