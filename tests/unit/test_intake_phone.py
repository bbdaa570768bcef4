"""Phone (CTI): events validated as a whole, published once per (call_id, event), callbacks become errands."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lotsen.kafka.memory import InMemoryBus
from tests.intake_support import DATA, KEY, Intake, intake_on

EVENTS = "/v1/channels/phone/events"
OFFERED = {
    "event": "call.offered",
    "call_id": "c-9001",
    "at": "2026-03-02T08:00:00+01:00",
    "answer_group": "bygg-miljo",
    "ivr_choice": "4",
    "from": "+46701234567",
    "to": "+4658681000",
}


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[Intake]:
    async with intake_on(bus) as running:
        yield running


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


async def post(intake: Intake, body: Any) -> Any:
    return await intake.client.post(EVENTS, json=body, headers=KEY)


async def test_the_shared_morning_is_published_and_its_callback_becomes_an_errand(
    intake: Intake, shared_dir: Path
) -> None:
    morning = jsonl(shared_dir / "samples" / "phone" / "2026-03-02-morning.jsonl")
    response = await post(intake, morning)
    assert response.status_code == 202
    body = response.json()
    assert (body["accepted"], body["duplicates"], len(body["contact_ids"])) == (len(morning), 0, 1)

    calls = intake.calls()
    assert [(e.type, e.data.call_id) for e in calls] == [(m["event"], m["call_id"]) for m in morning]
    assert all(e.organization == "karlskoga" for e in calls)
    answered = calls[1]
    assert (answered.data.wait_seconds, answered.data.agent, answered.data.answer_group) == (
        42,
        "agent.anna",
        "bygg-miljo",
    )
    assert calls[4].data.wait_seconds == 3  # the short abandon is published as it is; stats decides
    assert calls[-1].data.answer_group == "ovrigt"  # still waiting at 16:59: offered only
    assert answered.occurred_at.isoformat() == "2026-03-02T06:31:47+00:00"

    [callback] = intake.contacts()
    assert callback.data.channel == "phone"
    assert callback.data.contact_id == body["contact_ids"][0]
    assert callback.data.sender.phone == "+46705550000"
    assert callback.data.call_id == "c-0003"
    assert callback.data.ivr_choice == "4"
    assert "Uppringaren bad om att bli uppringd" in callback.data.text


async def test_events_sent_again_are_duplicates_and_nothing_is_doubled(
    intake: Intake, shared_dir: Path
) -> None:
    morning = jsonl(shared_dir / "samples" / "phone" / "2026-03-02-morning.jsonl")
    await post(intake, morning)
    one_by_one = [(await post(intake, event)).json() for event in morning]
    assert all(r["accepted"] == 0 and r["duplicates"] == 1 for r in one_by_one)
    assert len(intake.calls()) == len(morning)
    assert len(intake.contacts()) == 1


async def test_later_events_of_a_call_inherit_its_organisation_group_and_caller(intake: Intake) -> None:
    afternoon = jsonl(DATA / "phone" / "degerfors-eftermiddag.jsonl")
    for event in afternoon:  # one request per event, as a platform that posts as things happen
        assert (await post(intake, event)).status_code == 202
    calls = intake.calls()
    assert {e.organization for e in calls} == {"degerfors"}
    assert [e.data.answer_group for e in calls[:3]] == ["barn-skola"] * 3
    assert calls[3].data.answer_group is None and calls[3].data.ivr_choice == "6"  # connect to a person
    assert calls[1].data.wait_seconds == 89.5
    [callback] = intake.contacts()
    assert callback.organization == "degerfors"
    assert callback.data.sender.phone is None  # hidden number: still an errand, and the text says so
    assert "okänt (dolt nummer)" in callback.data.text


@pytest.mark.parametrize(
    "change, words",
    [
        ({"answer_group": "parkering"}, "karlskoga has no answer group 'parkering'"),
        ({"answer_group": None, "ivr_choice": "9"}, "IVR menu has no choice '9'"),
        ({"ivr_choice": "2"}, "IVR choice '2' leads to 'barn-skola', not to answer group 'bygg-miljo'"),
        ({"answer_group": None, "ivr_choice": None}, "needs 'answer_group' or 'ivr_choice'"),
        ({"at": "2026-03-02 08:00:00"}, "at"),
        ({"at": "2026-03-02T08:00:00"}, "timezone"),
        ({"at": "igår"}, "at"),
        ({"at": "2099-01-01T08:00:00+01:00"}, "lies in the future"),
        ({"event": "call.transferred"}, "event"),
        ({"event": "call.answered"}, "call.answered needs 'wait_seconds'"),
        ({"event": "call.answered", "wait_seconds": -1}, "wait_seconds"),
        ({"event": "call.answered", "wait_seconds": 90_000}, "wait_seconds"),
        ({"event": "call.answered", "wait_seconds": True}, "wait_seconds"),
        ({"event": "call.answered", "wait_seconds": "12"}, "wait_seconds"),
        ({"event": "call.ended"}, "call.ended needs 'talk_seconds'"),
        ({"to": "+4611111111"}, "belongs to no organisation"),
        ({"organization": "stockholm"}, "unknown organization 'stockholm'"),
        ({"call_id": ""}, "call_id"),
        ({"from": "ring mig"}, "from"),
    ],
)
async def test_invalid_events_are_refused_with_what_is_wrong(
    intake: Intake, change: dict[str, Any], words: str
) -> None:
    response = await post(intake, {**OFFERED, **change})
    assert response.status_code == 422, response.text
    assert words in response.json()["error"]["message"]
    assert intake.calls() == []


async def test_one_bad_event_refuses_the_whole_batch_and_names_it(intake: Intake) -> None:
    batch = [
        OFFERED,
        {**OFFERED, "event": "call.answered", "wait_seconds": 12},
        {**OFFERED, "ivr_choice": "8"},
    ]
    response = await post(intake, batch)
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("event 2 (call.offered, call c-9001)")
    assert response.json()["error"]["details"]["index"] == 2
    assert intake.calls() == []


@pytest.mark.parametrize(
    "body, status, words",
    [
        ([], 422, "no events"),
        ("ett samtal", 422, "body"),
        ([{**OFFERED, "call_id": f"c-{n}"} for n in range(1001)], 413, "at most 1000 events"),
    ],
)
async def test_empty_odd_and_oversized_bodies(intake: Intake, body: Any, status: int, words: str) -> None:
    response = await post(intake, body)
    assert response.status_code == status
    assert words in response.json()["error"]["message"]


async def test_only_the_telephony_connector_may_post(intake: Intake, token_for: Any) -> None:
    assert (await intake.client.post(EVENTS, json=OFFERED)).status_code == 401
    agent = {"Authorization": f"Bearer {token_for('agent')}"}
    assert (await intake.client.post(EVENTS, json=OFFERED, headers=agent)).status_code == 403


async def test_when_kafka_is_down_the_platform_retries_and_each_event_exists_once(intake: Intake) -> None:
    batch = [
        {**OFFERED, "call_id": "c-7"},
        {**OFFERED, "call_id": "c-7", "event": "call.abandoned", "wait_seconds": 75},
        {**OFFERED, "call_id": "c-7", "event": "call.callback_requested"},
    ]
    intake.bus.fail_publishing = True
    refused = await post(intake, batch)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"]
    intake.bus.fail_publishing = False
    first = (await post(intake, batch)).json()
    again = (await post(intake, batch)).json()
    assert (first["accepted"], again["duplicates"]) == (3, 3)
    assert first["contact_ids"] == again["contact_ids"]
    assert [e.type for e in intake.calls()] == ["call.offered", "call.abandoned", "call.callback_requested"]
    assert len(intake.contacts()) == 1


async def test_the_connect_choice_is_a_transfer_published_once_per_call(intake: Intake) -> None:
    connect = {**OFFERED, "answer_group": None, "ivr_choice": "6"}  # to the switchboard's number
    answered = {"event": "call.answered", "call_id": "c-9001", "at": OFFERED["at"], "wait_seconds": 4}
    assert (await post(intake, [connect, answered])).status_code == 202
    to_person = {**connect, "call_id": "c-9002", "to": "+46 586 610 42"}  # a person's own number
    refused = await post(intake, to_person)  # and nothing says whose organisation
    assert refused.status_code == 422 and "belongs to no organisation" in refused.text
    assert (await post(intake, {**to_person, "organization": "karlskoga"})).status_code == 202

    calls = intake.calls()
    assert [(e.type, e.data.call_id) for e in calls] == [
        ("call.offered", "c-9001"),
        ("call.transferred", "c-9001"),
        ("call.answered", "c-9001"),
        ("call.offered", "c-9002"),
        ("call.transferred", "c-9002"),
    ]
    transfers = [e.data for e in calls if e.type == "call.transferred"]
    assert [(t.transferred_by, t.to, t.department, t.ivr_choice) for t in transfers] == [
        ("ivr", None, None, "6"),
        ("ivr", "+46 586 610 42", None, "6"),
    ]
