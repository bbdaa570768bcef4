"""Lanes beyond the dispatcher's window: more pending deliveries than it reads in one pass.

The window is made small here, so a handful of deliveries is a backlog larger than it; each lane
must still go out in order, and a receiver that is down must not hold back other lanes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.notify import lanes
from tests.notify_events import handed_off, new_ref, outbound, resolved, returned
from tests.notify_support import (
    FakeClock,
    Notify,
    Outbox,
    Receiver,
    clock,
    notify,
    notify_overrides,
    outbox,
    receiver,
)

__all__ = ["clock", "notify", "notify_overrides", "outbox", "receiver"]  # fixtures

WINDOW = 4


@pytest.fixture(autouse=True)
def small_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lanes, "HEAD_WINDOW", WINDOW)


def case_types(receiver: Receiver, ref: str) -> list[str]:
    return [r.json()["type"] for r in receiver.requests if r.json()["data"]["case_ref"] == ref]


async def test_a_backlog_larger_than_the_window_is_all_sent_each_case_in_order(
    notify: Notify, receiver: Receiver, outbox: Outbox
) -> None:
    await notify.subscribe(receiver.url, "case.handed_off", "case.returned", "case.resolved")
    refs = [new_ref() for _ in range(3)]
    for ref in refs:
        await notify.publish(handed_off(ref), returned(ref), resolved(ref))
    acknowledged = [new_ref() for _ in range(3 * WINDOW)]
    await notify.publish(*(outbound(ref, kind="acknowledgement") for ref in acknowledged))

    await notify.dispatch()

    for ref in refs:
        assert case_types(receiver, ref) == ["case.handed_off", "case.returned", "case.resolved"]
    assert {m["Subject"].split("[")[-1].rstrip("]") for m in outbox.messages()} >= set(acknowledged)
    assert {d["status"] for d in await notify.deliveries()} == {"delivered"}


async def test_a_receiver_that_is_down_holds_back_only_its_own_cases(
    notify: Notify, receiver: Receiver, outbox: Outbox, clock: FakeClock
) -> None:
    receiver.answers = [500, 500, 500, 200]  # one failed attempt for each case's first event
    await notify.subscribe(receiver.url, "case.handed_off", "case.returned", "case.resolved")
    refs = [new_ref() for _ in range(3)]
    for ref in refs:
        await notify.publish(handed_off(ref), returned(ref), resolved(ref))
    await notify.dispatch()  # three heads in backoff, six deliveries waiting behind them: > WINDOW

    citizen = new_ref()
    await notify.publish(outbound(citizen, kind="acknowledgement"))
    await notify.dispatch()
    assert len(outbox.messages(citizen)) == 1
    assert all(case_types(receiver, ref) == ["case.handed_off"] for ref in refs)

    clock.advance(timedelta(minutes=1))
    await notify.dispatch()
    for ref in refs:
        assert case_types(receiver, ref) == [
            "case.handed_off",
            "case.handed_off",
            "case.returned",
            "case.resolved",
        ]
