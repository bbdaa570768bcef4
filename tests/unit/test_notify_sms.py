"""SMS to citizens who left only a phone number, through the provider-neutral adapter and the dev
SMS catcher (a real HTTP server on loopback, answering as 46elks does), and the survey invitation
on every channel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from lotsen.contracts import topics
from lotsen.contracts.outbound import OutboundDelivered, OutboundFailed
from lotsen.devserver.smscatcher import SmsCatcher, start_smscatcher
from lotsen.kafka.broker import free_port
from services.notify import sms
from tests.notify_events import new_ref, outbound
from tests.notify_support import FakeClock, Notify, Outbox, Receiver, clock, notify, outbox

__all__ = ["clock", "notify", "outbox"]  # fixtures

PHONE_ONLY = {"email": None, "phone": "070-123 45 67"}
PSID = "6024951847562301"


@pytest.fixture
def catcher(tmp_path: Path) -> Iterator[SmsCatcher]:
    running = start_smscatcher(tmp_path / "sms", port=free_port())
    yield running
    running.stop()


@pytest.fixture
def graph() -> Iterator[Receiver]:
    server = Receiver(body={"recipient_id": PSID, "message_id": "m_1"}).start()
    yield server
    server.stop()


@pytest.fixture
def notify_overrides(catcher: SmsCatcher, graph: Receiver) -> dict[str, Any]:
    return {
        "sms_url": catcher.url,
        "sms_username": "u0123456789abcdef",
        "sms_password": "elk-password",
        "graph_api_url": f"http://127.0.0.1:{graph.port}",
    }


def caught(catcher: SmsCatcher, ref: str = "") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx.get(catcher.url).json()
    return [m for m in found if ref in m["message"]]


def sms_request(ref: str, *, kind: str = "reply", to: dict[str, Any] | None = None, **extra: Any) -> Any:
    return outbound(ref, channel="phone", kind=kind, to=to or PHONE_ONLY, access_code="K7PQ2XW9RT", **extra)


async def test_a_citizen_with_only_a_phone_number_gets_the_receipt_by_sms(
    notify: Notify, catcher: SmsCatcher
) -> None:
    ref = new_ref()
    await notify.publish(sms_request(ref, kind="acknowledgement"))
    await notify.dispatch()

    [message] = caught(catcher, ref)
    assert (message["to"], message["from"], message["basic_auth"]) == ("+46701234567", "Karlskoga", True)
    assert f"Vi har tagit emot ditt ärende {ref}" in message["message"]
    assert f"folj-arende?ref={ref}&code=K7PQ2XW9RT" in message["message"]
    assert "Kod: K7PQ2XW9RT" in message["message"]
    assert sms.segments(message["message"]) <= 3
    [result] = notify.bus.published(topics.OUTBOUND_RESULTS)
    assert isinstance(result, OutboundDelivered) and result.data.channel == "phone"
    [delivery] = await notify.deliveries(case_ref=ref)
    assert (delivery["target"], delivery["status"]) == ("citizen_sms", "delivered")


async def test_a_reply_too_long_for_three_parts_is_cut_at_a_word_and_points_to_the_status_page(
    notify: Notify, catcher: SmsCatcher
) -> None:
    ref = new_ref()
    text = "Du behöver bygglov för en altan över 1,8 meter. " * 20
    await notify.publish(sms_request(ref, text=text, language="en"))
    await notify.dispatch()

    [message] = caught(catcher, ref)
    assert sms.segments(message["message"]) == 3
    kept = message["message"].split(":\n", 1)[1].split("...\n", 1)[0]
    assert len(kept) > 300 and text.startswith(kept) and text[len(kept)] == " "  # cut at a word
    assert f"Read the whole answer: http://127.0.0.1:8080/folj-arende?ref={ref}" in message["message"]


async def test_the_providers_outage_is_retried_and_its_refusal_is_final(
    notify: Notify, catcher: SmsCatcher, clock: FakeClock
) -> None:
    outage, refused = new_ref(), new_ref()
    await notify.publish(sms_request(outage, to={"phone": "+46700000500"}))
    await notify.publish(sms_request(refused, to={"phone": "+46700000400"}))
    await notify.dispatch()

    [waiting] = await notify.deliveries(case_ref=outage)
    assert waiting["status"] == "pending" and "answered 500" in waiting["last_error"]
    [failed] = await notify.deliveries(case_ref=refused)
    assert failed["status"] == "failed" and "answered 400" in failed["reason"]
    assert failed["attempts"] == 1


async def test_a_number_that_takes_no_sms_fails_at_once_so_an_agent_calls(
    notify: Notify, catcher: SmsCatcher
) -> None:
    ref = new_ref()
    await notify.publish(sms_request(ref, to={"phone": "019-12 34 56"}))  # a landline in Örebro
    await notify.dispatch()
    assert caught(catcher, ref) == []
    [result] = notify.bus.published(topics.OUTBOUND_RESULTS)
    assert isinstance(result, OutboundFailed) and result.data.reason == sms.NOT_A_MOBILE


async def test_the_survey_invitation_goes_on_the_citizens_channel_once(
    notify: Notify, catcher: SmsCatcher, outbox: Outbox, graph: Receiver, clock: FakeClock
) -> None:
    by_sms, by_mail, by_messenger = new_ref(), new_ref(), new_ref()
    invitation = sms_request(by_sms, kind="survey")
    await notify.publish(invitation, invitation)  # redelivered by Kafka: still one SMS
    await notify.publish(outbound(by_mail, kind="survey", access_code="K7PQ2XW9RT", language="en"))
    await notify.publish(
        outbound(by_messenger, channel="facebook", kind="survey", to={"facebook_psid": PSID}, access_code="X")
    )
    await notify.dispatch()

    [text] = caught(catcher, by_sms)
    assert "Hur nöjd är du?" in text["message"]
    assert f"folj-arende?ref={by_sms}&code=K7PQ2XW9RT" in text["message"]
    [mail] = outbox.messages(by_mail)
    assert mail["Subject"] == f"How satisfied are you? Your errand [{by_mail}]"
    assert f"folj-arende?ref={by_mail}&code=K7PQ2XW9RT" in mail.get_content()
    [request] = graph.requests
    assert "How satisfied" not in request.json()["message"]["text"]
    assert "Hur nöjd är du med hur vi hanterade det?" in request.json()["message"]["text"]


async def test_a_survey_on_messenger_waits_for_no_tag_after_24_hours(
    notify: Notify, graph: Receiver, clock: FakeClock
) -> None:
    ref = new_ref()
    clock.advance(timedelta(days=2))
    await notify.publish(outbound(ref, channel="facebook", kind="survey", to={"facebook_psid": PSID}))
    await notify.dispatch()
    assert graph.requests == []
    [result] = notify.bus.published(topics.OUTBOUND_RESULTS)
    assert isinstance(result, OutboundFailed) and "24-hour window" in result.data.reason


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("å" * 160, 1),
        ("å" * 161, 2),
        ("a" * 459, 3),
        ("€" * 80, 1),  # an extension character takes two of the 160
        ("€" * 81, 2),
        ("مرحبا" * 14, 1),  # 70 UCS-2 characters
        ("مرحبا" * 14 + "!", 2),
    ],
)
def test_segments_follow_gsm_and_ucs2(text: str, parts: int) -> None:
    assert sms.segments(text) == parts
