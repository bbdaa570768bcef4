"""Messenger replies through the Send API (a real HTTP server on loopback standing in for Graph):
the 24-hour standard window, the HUMAN_AGENT tag up to 7 days, and failure after that."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from lotsen.contracts import topics
from lotsen.contracts.outbound import OutboundDelivered, OutboundFailed
from services.notify.messenger import MAX_TEXT, pieces
from services.notify.settings import NotifySettings
from tests.notify_events import new_ref, outbound
from tests.notify_support import FakeClock, Notify, Receiver, clock, notify, outbox

__all__ = ["clock", "notify", "outbox"]  # fixtures

PSID = "6024951847562301"


@pytest.fixture
def graph() -> Iterator[Receiver]:
    server = Receiver(body={"recipient_id": PSID, "message_id": "m_AG5Hz2Uq7tuwNEhX"}).start()
    yield server
    server.stop()


@pytest.fixture
def notify_overrides(graph: Receiver) -> dict[str, Any]:
    return {"graph_api_url": f"http://127.0.0.1:{graph.port}"}


def reply(ref: str, **extra: Any) -> Any:
    return outbound(ref, channel="facebook", to={"email": None, "facebook_psid": PSID}, **extra)


async def test_within_24_hours_a_standard_response(notify: Notify, graph: Receiver, clock: FakeClock) -> None:
    ref = new_ref()
    clock.advance(timedelta(hours=23))
    await notify.publish(reply(ref))
    await notify.dispatch()

    [request] = graph.requests
    assert request.path == "/v19.0/me/messages?access_token=dev-page-token"
    body = request.json()
    assert body["recipient"] == {"id": PSID}
    assert body["messaging_type"] == "RESPONSE" and "tag" not in body
    assert body["message"]["text"].startswith("Du behöver bygglov för en altan över 1,8 meter.")
    [result] = notify.bus.published(topics.OUTBOUND_RESULTS)
    assert isinstance(result, OutboundDelivered) and result.data.channel == "facebook"


async def test_up_to_7_days_the_human_agent_tag(notify: Notify, graph: Receiver, clock: FakeClock) -> None:
    ref = new_ref()
    clock.advance(timedelta(days=3))
    await notify.publish(reply(ref))
    await notify.dispatch()
    [request] = graph.requests
    assert request.json()["messaging_type"] == "MESSAGE_TAG"
    assert request.json()["tag"] == "HUMAN_AGENT"


async def test_after_7_days_the_reply_fails_with_the_reason(
    notify: Notify, graph: Receiver, clock: FakeClock
) -> None:
    ref = new_ref()
    clock.advance(timedelta(days=7, minutes=1))
    await notify.publish(reply(ref))
    await notify.dispatch()
    assert graph.requests == []
    [result] = notify.bus.published(topics.OUTBOUND_RESULTS)
    assert isinstance(result, OutboundFailed)
    assert result.data.reason == "outside Messenger's 7-day human agent window"


async def test_graph_refusals_are_final_and_its_outages_are_retried(notify: Notify, graph: Receiver) -> None:
    graph.answers = [400]
    graph.body = {"error": {"message": "(#100) No matching user found", "code": 100}}
    refused = new_ref()
    await notify.publish(reply(refused))
    await notify.dispatch()
    [result] = notify.bus.published(topics.OUTBOUND_RESULTS)
    assert isinstance(result, OutboundFailed) and "No matching user found" in result.data.reason

    graph.answers = [503]
    down = new_ref()
    await notify.publish(reply(down))
    await notify.dispatch()
    [delivery] = await notify.deliveries(case_ref=down)
    assert delivery["status"] == "pending" and delivery["history"][0]["status_code"] == 503


async def test_a_long_reply_goes_in_messenger_sized_parts(notify: Notify, graph: Receiver) -> None:
    ref = new_ref()
    await notify.publish(reply(ref, text="\n".join(["Ett stycke om bygglov."] * 200)))
    await notify.dispatch()
    texts = [r.json()["message"]["text"] for r in graph.requests]
    assert len(texts) == 3 and all(len(t) <= MAX_TEXT for t in texts)
    assert all(not t.startswith("\n") for t in texts)
    assert pieces("kort") == ["kort"]


def test_page_tokens_per_organisation_and_a_dummy_only_in_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_FACEBOOK_PAGE_TOKENS", '{"karlskoga": "EAAGm0PX4ZCpsBA"}')
    monkeypatch.setenv("LOTSEN_JWT_SECRET", "x" * 40)
    production = NotifySettings()
    assert production.page_token("karlskoga") == "EAAGm0PX4ZCpsBA"
    assert production.page_token("degerfors") is None
    assert "EAAGm0PX4ZCpsBA" not in repr(production)
    monkeypatch.setenv("LOTSEN_ENV", "dev")
    assert NotifySettings().page_token("degerfors") == "dev-page-token"
