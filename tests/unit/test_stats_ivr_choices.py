"""Knappval (phone menu choices): hand-countable calls over choices, hours (the summer-time nights,
midnight), weekdays and outcomes, counted exactly — in order, shuffled, and delivered twice
(docs/figures.md, "Knappval")."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import calls
from lotsen.contracts.envelope import Event
from lotsen.kafka.memory import InMemoryBus
from services.stats.handlers import make_batch_handler
from services.stats.repository import StatsRepository
from tests.stats_support import stats_app

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
KGA, DGF = "karlskoga", "degerfors"
GROUP = {"1": "aldre-funktionsstod", "2": "barn-skola", "3": "socialtjanst", "4": "bygg-miljo", "5": "ovrigt"}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def event(cls: type[Event[Any]], call_id: str, at: str, org: str = KGA, /, **data: Any) -> Event[Any]:
    choice = data.get("ivr_choice")
    if choice in GROUP and "answer_group" not in data:
        data["answer_group"] = GROUP[choice]
    payload = {"call_id": call_id, "at": utc(at), **data}
    return cls(producer="intake", organization=org, occurred_at=utc(at), data=payload)  # type: ignore[call-arg]


def offered(call_id: str, at: str, choice: str | None, org: str = KGA, **data: Any) -> Event[Any]:
    return event(calls.CallOffered, call_id, at, org, ivr_choice=choice, **data)


def answered(call_id: str, at: str, wait: float, choice: str | None, **data: Any) -> Event[Any]:
    return event(calls.CallAnswered, call_id, at, KGA, ivr_choice=choice, wait_seconds=wait, **data)


def abandoned(call_id: str, at: str, wait: float, choice: str, org: str = KGA) -> Event[Any]:
    return event(calls.CallAbandoned, call_id, at, org, ivr_choice=choice, wait_seconds=wait)


def transferred(call_id: str, at: str, choice: str | None, department: str | None, by: str) -> Event[Any]:
    return event(
        calls.CallTransferred, call_id, at, KGA, ivr_choice=choice, department=department, transferred_by=by
    )


# Times are UTC; the comment gives Stockholm's local time (CET +1, from 29 March 03:00 CEST +2).
EVENTS = [
    # Choice 1 (äldre och funktionsstöd)
    offered("a1", "2026-03-02T08:10:00", "1"),  # Mon 09:10
    answered("a1", "2026-03-02T08:10:20", 20, "1"),
    offered("a2", "2026-03-02T08:40:00", "1"),  # Mon 09:40
    abandoned("a2", "2026-03-02T08:40:30", 30, "1"),
    offered("a3", "2026-03-03T13:05:00", "1"),  # Tue 14:05
    abandoned("a3", "2026-03-03T13:05:03", 3, "1"),  # short abandon
    answered("a4", "2026-03-28T23:00:04.999", 5, "1"),  # the answer arrives before its offer …
    offered("a4", "2026-03-28T22:59:59.999", "1"),  # … Sat 28 March 23:59:59.999
    offered("a5", "2026-03-28T23:00:00", "1"),  # Sun 29 March 00:00:00
    event(calls.CallbackRequested, "a5", "2026-03-28T23:01:00", KGA, ivr_choice="1"),
    # Choice 2 (barn och skola) in the night the clocks go forward: there is no 02:xx
    offered("b1", "2026-03-29T00:30:00", "2"),  # Sun 01:30 CET
    answered("b1", "2026-03-29T00:30:10", 10, "2"),
    offered("b3", "2026-03-29T00:59:59", "2"),  # Sun 01:59:59 CET, never gets an outcome
    offered("b2", "2026-03-29T01:30:00", "2"),  # Sun 03:30 CEST
    abandoned("b2", "2026-03-29T01:30:05", 5, "2"),  # exactly 5 seconds: abandoned, not short
    # Pressed 3, then (back in the menu) 2: the first choice counts, whatever arrives first
    answered("b4", "2026-03-04T09:02:00", 120, "2"),
    offered("b4", "2026-03-04T09:00:00", "3"),  # Wed 10:00
    # Choice 4, answered and then put through by the agent
    offered("d1", "2026-03-09T07:05:00", "4"),  # Mon 08:05
    answered("d1", "2026-03-09T07:05:15", 15, "4"),
    transferred("d1", "2026-03-09T07:10:00", None, "samhallsbyggnad", "agent"),
    # Choice 6, the IVR's connect choice: put through to a person, waits in no queue
    offered("c1", "2026-03-05T10:15:00", "6", to="+46586610042"),  # Thu 11:15
    transferred("c1", "2026-03-05T10:15:00", "6", None, "ivr"),
    offered("c2", "2026-03-05T10:45:00", "6", to="+46586610043"),  # Thu 11:45
    transferred("c2", "2026-03-05T10:45:00", "6", None, "ivr"),
    # No choice: a direct number, and a call recorded in the switchboard only
    offered("n1", "2026-03-06T15:20:00", None, answer_group="bygg-miljo"),  # Fri 16:20
    answered("n1", "2026-03-06T15:20:40", 40, None, answer_group="bygg-miljo"),
    transferred("n3", "2026-03-06T11:30:00", None, "skola", "agent"),  # Fri 12:30
    # Answered, but its offer never came: not counted
    answered("n2", "2026-03-06T07:00:00", 10, "4"),
    # Degerfors's menu has its own 1
    offered("g1", "2026-03-02T08:20:00", "1", DGF),  # Mon 09:20
    abandoned("g1", "2026-03-02T08:21:00", 60, "1", DGF),
    # Choice 5 in the night the clocks go back: 02:30 happens twice
    offered("e1", "2026-10-25T00:30:00", "5"),  # Sun 02:30 CEST
    answered("e1", "2026-10-25T00:30:09", 9, "5"),
    offered("e2", "2026-10-25T01:30:00", "5"),  # Sun 02:30 CET
    answered("e2", "2026-10-25T01:30:09", 9, "5"),
]


def hours(**calls_at: int) -> list[dict[str, int]]:
    """``hours(h9=2)`` → the 24 entries of ``by_hour``."""
    return [{"hour": h, "calls": calls_at.get(f"h{h}", 0)} for h in range(24)]


def weekdays(**calls_on: int) -> list[dict[str, int]]:
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return [{"weekday": i + 1, "calls": calls_on.get(day, 0)} for i, day in enumerate(days)]


def row(org: str, choice: str, **numbers: Any) -> dict[str, Any]:
    counts = {"calls": 0, "offered": 0, "answered": 0, "abandoned": 0, "short_abandoned": 0,
              "callbacks": 0, "pending": 0, "transferred": 0}  # fmt: skip
    return {"organization": org, "choice": choice, **counts, **numbers}


MARCH = [  # organisations in alphabetical order; in each, its digits, then none
    row(DGF, "1", calls=1, offered=1, abandoned=1, abandon_rate=1.0,
        by_hour=hours(h9=1), by_weekday=weekdays(mon=1)),
    row(KGA, "1", calls=5, offered=5, answered=2, abandoned=1, short_abandoned=1, callbacks=1,
        abandon_rate=1 / 3,
        by_hour=hours(h9=2, h14=1, h23=1, h0=1), by_weekday=weekdays(mon=2, tue=1, sat=1, sun=1)),
    row(KGA, "2", calls=3, offered=3, answered=1, abandoned=1, pending=1, abandon_rate=0.5,
        by_hour=hours(h1=2, h3=1), by_weekday=weekdays(sun=3)),
    row(KGA, "3", calls=1, offered=1, answered=1, abandon_rate=0.0,
        by_hour=hours(h10=1), by_weekday=weekdays(wed=1)),
    row(KGA, "4", calls=1, offered=1, answered=1, transferred=1, abandon_rate=0.0,
        by_hour=hours(h8=1), by_weekday=weekdays(mon=1)),
    row(KGA, "6", calls=2, transferred=2, abandon_rate=None,
        by_hour=hours(h11=2), by_weekday=weekdays(thu=2)),
    row(KGA, "none", calls=2, offered=1, answered=1, transferred=1, abandon_rate=0.0,
        by_hour=hours(h12=1, h16=1), by_weekday=weekdays(fri=2)),
]  # fmt: skip
MARCH_TOTAL = {
    "calls": 15, "offered": 12, "answered": 6, "abandoned": 3, "short_abandoned": 1, "callbacks": 1,
    "pending": 1, "transferred": 4, "abandon_rate": 1 / 3,
    "by_hour": hours(h0=1, h1=2, h3=1, h8=1, h9=3, h10=1, h11=2, h12=1, h14=1, h16=1, h23=1),
    "by_weekday": weekdays(mon=4, tue=1, wed=1, thu=2, fri=2, sat=1, sun=4),
}  # fmt: skip


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=NOW) as application:
        yield application


async def deliver(app: FastAPI, how: str) -> None:
    handler = make_batch_handler(stats=StatsRepository(app.state.runtime.db), settings=app.state.settings)
    if how == "in order, one by one":
        for e in EVENTS:
            await handler([e])
        return
    shuffled = random.Random(15).sample(EVENTS, len(EVENTS))
    for start in range(0, len(shuffled), 4):  # polls of four, then every event once more
        await handler(shuffled[start : start + 4])
    for e in reversed(EVENTS):
        await handler([e])


async def get(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/stats/ivr-choices", params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("how", ["in order, one by one", "shuffled in polls, then delivered again"])
async def test_calls_per_choice_hour_and_weekday_are_exact(app: FastAPI, how: str) -> None:
    await deliver(app, how)
    client: httpx.AsyncClient = app.state.client
    march = await get(client, **{"from": "2026-03-01", "to": "2026-03-31"})
    assert march["choices"] == MARCH
    assert march["total"] == MARCH_TOTAL
    assert march["short_abandon_seconds"] == 5

    # The same calls as the answer rate counts them.
    rate = (
        await client.get("/v1/stats/answer-rate", params={"from": "2026-03-01", "to": "2026-03-31"})
    ).json()
    for name in ("offered", "answered", "abandoned", "short_abandoned", "callbacks", "pending"):
        assert rate[name] == MARCH_TOTAL[name], name
    assert rate["transferred"] == MARCH_TOTAL["transferred"]

    # One organisation; one answer group (b4 waited in socialtjänst's queue, where it was offered).
    karlskoga = await get(client, **{"from": "2026-03-01", "to": "2026-03-31", "organization": KGA})
    assert karlskoga["choices"] == MARCH[1:]
    school = await get(client, **{"from": "2026-03-01", "to": "2026-03-31", "answer_group": "barn-skola"})
    assert school["choices"] == [MARCH[2]]

    # A stricter threshold turns the 5-second abandon into a short one.
    strict = await get(client, **{"from": "2026-03-29", "to": "2026-03-29", "short_abandon_seconds": 10})
    by_choice = {r["choice"]: r for r in strict["choices"]}
    two = by_choice["2"]
    assert (two["abandoned"], two["short_abandoned"], two["abandon_rate"]) == (0, 1, 0.0)
    assert by_choice["1"]["by_hour"] == hours(h0=1)  # midnight belongs to the new day; 23:59:59.999 does not

    # When the clocks go back, 02:00–03:00 happens twice: both count in hour 2.
    october = await get(client, **{"from": "2026-10-01", "to": "2026-10-31"})
    assert [(r["choice"], r["calls"], r["answered"]) for r in october["choices"]] == [("5", 2, 2)]
    assert october["total"]["by_hour"] == hours(h2=2)
    assert october["total"]["by_weekday"] == weekdays(sun=2)

    nothing = await get(client, **{"from": "2026-01-01", "to": "2026-01-31"})
    assert nothing["choices"] == [] and nothing["total"]["abandon_rate"] is None


async def test_the_tertial_report_lists_each_organisations_choices(app: FastAPI) -> None:
    await deliver(app, "in order, one by one")
    client: httpx.AsyncClient = app.state.client
    report = (await client.get("/v1/stats/report", params={"period": "2026-T1"})).json()
    karlskoga = next(o for o in report["organizations"] if o["organization"] == KGA)
    choices = [
        (c["choice"], c["offered"], c["answered"], c["abandon_rate"]) for c in karlskoga["ivr_choices"]
    ]
    assert choices == [
        ("1", 5, 2, 1 / 3), ("2", 3, 1, 0.5), ("3", 1, 1, 0.0), ("4", 1, 1, 0.0), ("6", 0, 0, None),
        ("none", 1, 1, 0.0),
    ]  # fmt: skip
    lines = (
        await client.get("/v1/stats/report", params={"period": "2026-T1", "format": "csv"})
    ).text.splitlines()
    mine = [line for line in lines if ",ivr_choices," in line]
    assert "karlskoga,,ivr_choices,1,offered,5" in mine
    assert f"karlskoga,,ivr_choices,1,abandon_rate,{1 / 3}" in mine
    assert "karlskoga,,ivr_choices,6,transferred,2" in mine
    assert "karlskoga,,ivr_choices,6,abandon_rate," in mine
    assert "degerfors,,ivr_choices,1,abandoned,1" in mine
    assert len(mine) == 7 * 7  # seven choices (six in Karlskoga, one in Degerfors), seven measures each


async def test_bad_input_is_a_clear_422(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    backwards = await client.get("/v1/stats/ivr-choices", params={"from": "2026-03-31", "to": "2026-03-01"})
    assert backwards.status_code == 422 and "before" in backwards.json()["error"]["message"]
    negative = await client.get("/v1/stats/ivr-choices", params={"short_abandon_seconds": -1})
    assert negative.status_code == 422
    not_a_date = await client.get("/v1/stats/ivr-choices", params={"from": "2026-02-30"})
    assert not_a_date.status_code == 422
