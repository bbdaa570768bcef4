"""Reminders: the department hears again every interval until the errand is returned or resolved."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.notify import reminders
from tests.notify_events import created, handed_off, new_ref, reminder_due, resolved, returned
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

DAY = timedelta(hours=24)


def reminders_at(receiver: Receiver, ref: str) -> list[int]:
    return [
        r.json()["data"]["reminder_number"]
        for r in receiver.requests
        if r.json()["type"] == "case.reminder_due" and r.json()["data"]["case_ref"] == ref
    ]


async def test_a_reminder_repeats_every_interval_until_the_errand_is_returned(
    notify: Notify, receiver: Receiver, outbox: Outbox, clock: FakeClock
) -> None:
    await notify.subscribe(receiver.url, "case.reminder_due", "case.returned")
    ref = new_ref()
    await notify.publish(created(ref), handed_off(ref), reminder_due(ref))
    await notify.dispatch()
    assert reminders_at(receiver, ref) == [1]
    assert [m["Subject"] for m in outbox.messages(f"Påminnelse 1: ärende [{ref}]")]

    clock.advance(DAY - timedelta(minutes=1))
    await notify.dispatch()
    assert reminders_at(receiver, ref) == [1]
    clock.advance(timedelta(minutes=1))
    await notify.dispatch()
    assert reminders_at(receiver, ref) == [1, 2]
    [mail] = outbox.messages(f"Påminnelse 2: ärende [{ref}]")
    assert "Bygglov, marklov och rivningslov" in mail.get_content()
    repeat = [r for r in receiver.requests if r.json()["type"] == "case.reminder_due"][-1]
    assert repeat.json()["producer"] == "notify"
    assert len(set(receiver.ids())) == len(receiver.ids()), "each reminder is a delivery of its own"

    await notify.publish(returned(ref))
    clock.advance(3 * DAY)
    await notify.dispatch()
    assert reminders_at(receiver, ref) == [1, 2]
    assert [r.json()["type"] for r in receiver.requests][-1] == "case.returned"
    assert len(outbox.messages(f"[{ref}]")) == 3  # the handoff and two reminders


async def test_a_department_whose_agreement_says_so_is_reminded_at_its_own_interval(
    notify: Notify, receiver: Receiver, outbox: Outbox, clock: FakeClock
) -> None:
    # Karlskogahem's agreement with its property department: fault reports are reminded every 4 hours.
    await notify.subscribe(
        receiver.url, "case.reminder_due", department="fastighet", organization="karlskogahem"
    )
    ref = new_ref("KHEM")
    facts = {"organization": "karlskogahem", "department": "fastighet"}
    await notify.publish(
        created(ref, category="felanmalan-lagenhet", **facts),
        handed_off(ref, **facts),
        reminder_due(ref, **facts),
    )
    await notify.dispatch()
    assert reminders_at(receiver, ref) == [1]
    [first] = outbox.messages(f"Påminnelse 1: ärende [{ref}]")
    assert "var 4:e timme" in first.get_content()

    clock.advance(timedelta(hours=4) - timedelta(minutes=1))
    await notify.dispatch()
    assert reminders_at(receiver, ref) == [1]
    clock.advance(timedelta(minutes=1))
    await notify.dispatch()
    assert reminders_at(receiver, ref) == [1, 2]


@pytest.mark.parametrize("ending", ["resolved", "handed_off_again"])
async def test_resolving_or_a_new_handoff_stops_the_reminders(
    notify: Notify, receiver: Receiver, clock: FakeClock, ending: str
) -> None:
    await notify.subscribe(receiver.url, "case.reminder_due")
    ref = new_ref()
    await notify.publish(handed_off(ref), reminder_due(ref))
    await notify.publish(resolved(ref) if ending == "resolved" else handed_off(ref, department="skola"))
    clock.advance(2 * DAY)
    await notify.dispatch()
    assert reminders_at(receiver, ref) == [1]


async def test_a_redelivered_reminder_or_a_crash_mid_repeat_sends_nothing_twice(
    notify: Notify, receiver: Receiver, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await notify.subscribe(receiver.url, "case.reminder_due")
    ref = new_ref()
    event = reminder_due(ref)
    await notify.publish(handed_off(ref), event, event)
    clock.advance(DAY)

    notifier = notify.app.state.notifier
    advance = notifier.reminders.advance

    async def killed(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("notify was killed before it counted the reminder")

    monkeypatch.setattr(notifier.reminders, "advance", killed)
    with pytest.raises(RuntimeError):
        await reminders.repeat_due(notifier)
    monkeypatch.setattr(notifier.reminders, "advance", advance)
    await notify.dispatch()
    await notify.dispatch()
    assert reminders_at(receiver, ref) == [1, 2]
    emails = await notify.deliveries(case_ref=ref, target="department_email", event_type="case.reminder_due")
    assert len(emails) == 2
