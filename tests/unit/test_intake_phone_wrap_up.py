"""The telephony platform's ``call.wrapped_up``: the after-call work, published once per call."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from lotsen.kafka.memory import InMemoryBus
from tests.intake_support import KEY, Intake, intake_on

EVENTS = "/v1/channels/phone/events"
CALL = {"call_id": "c-7001", "organization": "karlskoga", "answer_group": "bygg-miljo"}


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[Intake]:
    async with intake_on(bus) as running:
        yield running


async def test_the_wrap_up_is_published_with_its_seconds_and_agent_once(intake: Intake) -> None:
    day = [
        {"event": "call.answered", "at": "2026-03-02T08:00:20+01:00", "wait_seconds": 20, "agent": "anna"},
        {"event": "call.ended", "at": "2026-03-02T08:03:20+01:00", "talk_seconds": 180},
        {
            "event": "call.wrapped_up",
            "at": "2026-03-02T08:04:05+01:00",
            "wrap_up_seconds": 45,
            "agent": "anna",
        },
    ]
    body = [{**CALL, **event} for event in day]
    first = await intake.client.post(EVENTS, json=body, headers=KEY)
    assert first.status_code == 202 and first.json()["accepted"] == 3
    again = await intake.client.post(EVENTS, json=body[-1], headers=KEY)
    assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 1)

    [wrapped] = [e for e in intake.calls() if e.type == "call.wrapped_up"]
    d = wrapped.data
    assert (d.call_id, d.wrap_up_seconds, d.agent, d.source, d.answer_group) == (
        "c-7001",
        45,
        "anna",
        "telephony",
        "bygg-miljo",
    )


@pytest.mark.parametrize(
    ("event", "words"),
    [
        (
            {"event": "call.wrapped_up", "at": "2026-03-02T08:04:05+01:00"},
            "call.wrapped_up needs 'wrap_up_seconds'",
        ),
        (
            {"event": "call.wrapped_up", "at": "2026-03-02T08:04:05+01:00", "wrap_up_seconds": -1},
            "wrap_up_seconds",
        ),
    ],
)
async def test_a_wrap_up_without_its_seconds_is_refused(
    intake: Intake, event: dict[str, object], words: str
) -> None:
    response = await intake.client.post(EVENTS, json={**CALL, **event}, headers=KEY)
    assert response.status_code == 422
    assert words in response.text
    assert intake.calls() == []
