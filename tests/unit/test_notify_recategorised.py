"""A corrected case (``case.recategorised``) belongs to its new department in notify too: that
department's subscription hears of it, the old one does not, and a case corrected into a
confidential category has its citizen deliveries withheld from the delivery log like any other."""

from __future__ import annotations

import json

from tests.notify_events import created, new_ref, outbound, recategorised
from tests.notify_support import Notify, Receiver, clock, notify, notify_overrides, outbox, receiver

__all__ = ["clock", "notify", "notify_overrides", "outbox", "receiver"]  # fixtures


async def test_the_new_department_hears_of_a_correction_and_the_case_turns_confidential(
    notify: Notify, receiver: Receiver
) -> None:
    ref = new_ref()
    await notify.subscribe(receiver.url, "case.recategorised", department="social")
    await notify.subscribe(receiver.url, "case.recategorised", department="samhallsbyggnad")
    await notify.publish(created(ref), outbound(ref, kind="acknowledgement"))
    correction = recategorised(ref, category="forsorjningsstod", department="social", confidential=True)
    await notify.publish(correction)
    await notify.dispatch()

    bodies = [json.loads(r.body) for r in receiver.requests]
    assert [(b["type"], b["data"]["case_ref"], b["data"]["department"]) for b in bodies] == [
        ("case.recategorised", ref, "social")
    ]
    listed = await notify.client.get("/v1/deliveries", params={"case_ref": ref}, headers=notify.admin)
    assert listed.status_code == 200, listed.text
    citizen = [d for d in listed.json()["items"] if d["target"].startswith("citizen_")]
    assert citizen and all(d["confidential"] is True and d["recipient"] is None for d in citizen)
