"""Whatever a citizen's name, subject or address holds, a mail is delivered or fails with a reason —
sent to the real mail catcher (aiosmtpd), and never an exception that stops the dispatcher."""

from __future__ import annotations

import asyncio
import email
import re
import uuid
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotsen.contracts import topics
from lotsen.contracts.outbound import OutboundDelivered, OutboundFailed
from services.notify import mail
from services.notify.deliveries import Outcome
from tests.notify_events import new_ref, outbound
from tests.notify_support import Notify, Outbox, clock, notify, notify_overrides, outbox

__all__ = ["clock", "notify", "notify_overrides", "outbox"]  # fixtures

NASTY = [
    "\u3000",
    "\u2028",
    "\u2029",
    "\x00",
    "\r",
    "\n",
    "\r\n",
    "😀",
    "👩‍👩‍👧",
    '"',
    "\\",
    "<",
    ">",
    "@",
    ",",
    " ",
]
nasty_text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=12)), max_size=20).map("".join)
long_text = st.builds(lambda s, n: (s or "x") * n, st.text(min_size=1, max_size=3), st.integers(300, 1000))
names = st.one_of(nasty_text, long_text, st.text(max_size=1000))
UNUSABLE = [
    "name@yahoo.com.",
    "sara",
    "sara@",
    "@example.se",
    "sara@ex\u3000ample.se",
    "å@example.se",
    "a b@x.se",
]
addresses = st.one_of(st.sampled_from([*UNUSABLE, "sara@example.se", "Sara.Oberg@Exämple.SE"]), st.emails())


def seen(text: str) -> str:
    """What a mail client should show for a single-line field: separators as spaces, one at a time."""
    spaced = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", text)
    return re.sub(r"[ \t]{2,}", " ", spaced).strip(" \t")


def shown_name(raw: str) -> str:
    """The display name of a raw ``To`` header, RFC 2047-decoded and unquoted, as a mail client shows it."""
    unfolded = re.sub(r"\r?\n", "", raw)
    if "<" not in unfolded:
        return ""
    name = unfolded.rsplit("<", 1)[0].strip()
    if name.startswith('"'):
        return re.sub(r"\\(.)", r"\1", name[1:-1])  # in a quoted-string a backslash escapes what follows
    return str(make_header(decode_header(name)))


def caught(outbox: Outbox, token: str) -> list[Message]:
    found = []
    for path in sorted(Path(outbox.directory).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes())
        payload = message.get_payload(decode=True)
        if isinstance(payload, bytes) and token.encode() in payload:
            found.append(message)
    return found


def mail_to(to: str, name: str, subject: str, token: str) -> dict[str, object]:
    return {
        "from": "kommun@karlskoga.example",
        "from_name": name,
        "to": to,
        "to_name": name,
        "subject": subject,
        "body": f"Hej!\n{token}\n",
        "message_id": f"<{token}@karlskoga.example>",
        "in_reply_to": f"<{name[:30]}@mail.example.se>",
        "references": [name, "<CAF-1@mail.example.se>"],
        "auto_submitted": "auto-replied",
        "language": "sv",
    }


async def send_once(message: dict[str, object], outbox: Outbox) -> Outcome:
    connections = mail.Connections(mail.Relay(host="127.0.0.1", port=outbox.port, timeout=10))
    try:
        return await mail.send(message, connections, clock=now)
    finally:
        connections.close()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, subject=names)
def test_any_name_and_subject_arrive_as_the_citizen_wrote_them(
    outbox: Outbox, name: str, subject: str
) -> None:
    token = f"token-{uuid.uuid4().hex}"
    outcome = asyncio.run(send_once(mail_to("sara@example.se", name, subject, token), outbox))
    assert outcome.delivered, outcome.detail
    [message] = caught(outbox, token)
    assert shown_name(message["To"]) == seen(name)
    assert shown_name(message["From"]) == seen(name)
    assert str(make_header(decode_header(re.sub(r"\r?\n", "", message["Subject"])))) == seen(subject)
    assert message["X-Lotsen-Envelope-To"] == "sara@example.se"
    assert message["Message-ID"] == f"<{token}@karlskoga.example>"
    assert message.get_all("Bcc") is None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(to=addresses, name=nasty_text)
def test_any_address_is_delivered_or_refused_with_a_reason(outbox: Outbox, to: str, name: str) -> None:
    token = f"token-{uuid.uuid4().hex}"
    outcome = asyncio.run(send_once(mail_to(to, name, "Ditt ärende", token), outbox))
    if to in UNUSABLE:
        assert not outcome.delivered and outcome.permanent
        assert "cannot be used" in outcome.detail
    if outcome.delivered:
        [message] = caught(outbox, token)
        assert message["X-Lotsen-Envelope-To"].isascii()
    else:
        assert outcome.permanent and outcome.detail


async def test_a_mail_that_cannot_be_sent_fails_visibly_and_the_next_one_goes_out(
    notify: Notify, outbox: Outbox
) -> None:
    odd, fine = new_ref(), new_ref()
    await notify.publish(
        # A message id with an ideographic space once stopped the dispatcher with UnicodeEncodeError.
        outbound(odd, to={"name": "Sara\u3000Öberg"}, message_id="<odd\u3000id@karlskoga.example>"),
        outbound(odd, seq=4, to={"name": "Sara\u3000Öberg\u2028", "email": "name@yahoo.com."}),
        outbound(fine, to={"name": "Ärlig\u3000Namn" * 80}),
    )
    await notify.dispatch()

    first, second = sorted(await notify.deliveries(case_ref=odd), key=lambda d: d["outbound_id"])
    assert first["status"] == "delivered"
    assert second["status"] == "failed"
    assert second["reason"] == (
        "the address 'name@yahoo.com.' cannot be used: An email address cannot end with a period."
    )
    [delivered] = await notify.deliveries(case_ref=fine)
    assert delivered["status"] == "delivered"
    [mail_to_odd] = outbox.messages(odd)
    assert mail_to_odd["To"].addresses[0].display_name == "Sara\u3000Öberg"
    assert len(outbox.messages(fine)) == 1
    results = notify.bus.published(topics.OUTBOUND_RESULTS)
    failed = [r for r in results if isinstance(r, OutboundFailed)]
    assert [(r.data.outbound_id, r.data.reason) for r in failed] == [(f"{odd}.4.outbound", second["reason"])]
    assert sum(isinstance(r, OutboundDelivered) for r in results) == 2


def now() -> datetime:
    return datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
