"""E-mail through a real SMTP server (the mail catcher): departments' notices, citizens' acknowledgements
and replies that thread back, and the results casestore shows on the case."""

from __future__ import annotations

from typing import Any

import pytest

from lotsen.contracts import topics
from lotsen.contracts.cases import CaseErased, CaseErasedData
from lotsen.contracts.outbound import OutboundDelivered, OutboundFailed
from lotsen.kafka.broker import free_port
from services.notify import mail
from tests.notify_events import created, handed_off, new_ref, outbound
from tests.notify_support import Notify, Outbox, clock, notify, notify_overrides, outbox

__all__ = ["clock", "notify", "notify_overrides", "outbox"]  # fixtures


async def test_a_handoff_mails_the_departments_contact_address(notify: Notify, outbox: Outbox) -> None:
    ref = new_ref()
    await notify.publish(created(ref), handed_off(ref))
    await notify.dispatch()

    [mail] = outbox.messages(ref)
    assert mail["To"] == "Samhällsbyggnadsförvaltningen <samhallsbyggnad@karlskoga.example>"
    assert mail["From"].addresses[0].addr_spec == "kommun@karlskoga.example"
    assert mail["Subject"] == f"Överlämnat ärende [{ref}]: Bygglov, marklov och rivningslov"
    assert mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_content()
    assert "Bygglovsfråga som kräver handläggare" in body
    assert "onsdag 4 mars 2026 kl. 09:00" in body  # due 2026-03-04 08:00 UTC, in Swedish time
    assert f"http://127.0.0.1:8080/arenden/{ref}" in body
    [delivery] = await notify.deliveries(case_ref=ref, target="department_email")
    assert delivery["status"] == "delivered" and delivery["recipient"] == "samhallsbyggnad@karlskoga.example"


async def test_a_confidential_errand_is_mailed_without_the_citizens_text(
    notify: Notify, outbox: Outbox
) -> None:
    secret, open_ref = new_ref(), new_ref()
    text = "Min granne spelar hög musik varje natt."
    await notify.publish(
        created(secret, category="orosanmalan", department="social", confidential=True),
        handed_off(secret, department="social", text=text),
        created(open_ref),
        handed_off(open_ref, text=text),
    )
    await notify.dispatch()
    [confidential] = outbox.messages(secret)
    assert text not in confidential.get_content()
    assert "sekretess" in confidential.get_content()
    assert confidential["To"].addresses[0].addr_spec == "socialtjanst@karlskoga.example"
    [ordinary] = outbox.messages(open_ref)
    assert text in ordinary.get_content()


async def test_a_handoff_that_says_confidential_is_mailed_without_the_citizens_text(
    notify: Notify, outbox: Outbox
) -> None:
    ref = new_ref()
    text = "Jag vill anmäla oro för ett barn i grannhuset."
    await notify.publish(
        created(ref),  # created as an ordinary errand, confidential by the time it is handed off
        handed_off(ref, department="social", category="orosanmalan", confidential=True, text=text),
    )
    await notify.dispatch()
    [mail] = outbox.messages(ref)
    assert text not in mail.get_content()
    assert "sekretess" in mail.get_content()


async def test_the_acknowledgement_threads_and_tells_how_to_follow_the_errand(
    notify: Notify, outbox: Outbox
) -> None:
    ref = new_ref()
    await notify.publish(outbound(ref, kind="acknowledgement"))
    await notify.dispatch()

    [mail] = outbox.messages(ref)
    assert mail["Message-ID"] == f"<{ref}.3.outbound@karlskoga.example>"
    assert mail["In-Reply-To"] == "<CAF-citizen-1@mail.example.se>"
    assert mail["References"] == "<CAF-citizen-1@mail.example.se>"
    assert mail["Subject"] == f"Bygglov för altan [{ref}]"
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["To"] == "Sara Öberg <sara@example.se>"
    assert mail["From"].addresses[0].addr_spec == "kommun@karlskoga.example"
    body = mail.get_content()
    assert ref in body and "K7PQ2XW9RT" in body
    assert "senast onsdag 4 mars 2026 kl. 09:00" in body  # first_response_due, Swedish local time
    assert f"http://127.0.0.1:8080/folj-arende?ref={ref}&code=K7PQ2XW9RT" in body

    [result] = notify.bus.published(topics.OUTBOUND_RESULTS)
    assert isinstance(result, OutboundDelivered)
    assert (result.data.case_ref, result.data.outbound_id, result.data.channel) == (
        ref,
        f"{ref}.3.outbound",
        "email",
    )
    assert notify.bus.records[topics.OUTBOUND_RESULTS][0].key == ref.encode()
    await notify.dispatch()
    assert len(notify.bus.published(topics.OUTBOUND_RESULTS)) == 1, "a result is published once"


async def test_english_speakers_get_english(notify: Notify, outbox: Outbox) -> None:
    ref = new_ref()
    await notify.publish(outbound(ref, kind="acknowledgement", language="en"))
    await notify.dispatch()
    [mail] = outbox.messages(ref)
    body = mail.get_content()
    assert "Thank you for contacting Karlskoga kommun" in body
    assert "Wednesday 4 March 2026 at 09:00 (Swedish time)" in body
    assert mail["Content-Language"] == "en"


async def test_a_reply_carries_the_agents_text_and_is_not_automatic(notify: Notify, outbox: Outbox) -> None:
    ref = new_ref()
    await notify.publish(outbound(ref, seq=5))
    await notify.dispatch()
    [mail] = outbox.messages(ref)
    assert "Du behöver bygglov för en altan över 1,8 meter." in mail.get_content()
    assert mail["Auto-Submitted"] is None
    assert mail["Message-ID"] == f"<{ref}.5.outbound@karlskoga.example>"


@pytest.mark.parametrize(
    ("channel", "to"),
    [
        ("phone", {"email": None, "phone": "+46701234567"}),
        ("email", {"email": None}),
        ("none", {"email": None}),
    ],
)
async def test_a_citizen_without_a_written_channel_fails_at_once_so_an_agent_calls(
    notify: Notify, outbox: Outbox, channel: str, to: dict[str, Any]
) -> None:
    ref = new_ref()
    await notify.publish(outbound(ref, channel=channel, to=to))
    await notify.dispatch()
    assert outbox.messages(ref) == []
    [result] = notify.bus.published(topics.OUTBOUND_RESULTS)
    assert isinstance(result, OutboundFailed)
    assert result.data.reason == "no channel to reach the citizen"
    assert result.data.outbound_id == f"{ref}.3.outbound" and result.data.channel == channel
    [delivery] = await notify.deliveries(status="failed", case_ref=ref)
    assert delivery["attempts"] == 0 and delivery["reason"] == "no channel to reach the citizen"


async def test_a_relay_that_is_down_means_retry_later_not_failure(
    notify: Notify, outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = new_ref()
    nowhere = mail.Connections(mail.Relay(host="127.0.0.1", port=free_port()))
    monkeypatch.setattr(notify.dispatcher, "_mail", nowhere)
    await notify.publish(outbound(ref))
    await notify.dispatch()
    [delivery] = await notify.deliveries(case_ref=ref)
    assert delivery["status"] == "pending" and delivery["attempts"] == 1
    assert "127.0.0.1" in delivery["last_error"]
    assert notify.bus.published(topics.OUTBOUND_RESULTS) == []


async def test_erasing_a_case_erases_its_messages_but_keeps_the_log(notify: Notify, outbox: Outbox) -> None:
    ref = new_ref()
    await notify.publish(outbound(ref))
    await notify.dispatch()
    erased = CaseErased(producer="casestore", organization="karlskoga", data=CaseErasedData(case_ref=ref))
    await notify.publish(erased)
    stored = await notify.app.state.notifier.deliveries.get((await notify.deliveries(case_ref=ref))[0]["id"])
    assert "email" not in stored and stored["recipient"] is None
    assert stored["status"] == "delivered" and len(stored["history"]) == 1
