"""``case.erased``: nothing of the person stays in notify — not in its database, not in the deliveries
an admin lists — while the log of what was sent when stays."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from lotsen.contracts.cases import CaseErased, CaseErasedData
from tests.notify_events import created, handed_off, new_ref, outbound, reminder_due
from tests.notify_support import (
    FakeClock,
    Notify,
    Receiver,
    clock,
    notify,
    notify_overrides,
    outbox,
    receiver,
)

__all__ = ["clock", "notify", "notify_overrides", "outbox", "receiver"]  # fixtures


async def everything_stored(notify: Notify) -> str:
    db = notify.app.state.runtime.db
    docs: dict[str, Any] = {}
    for name in await db.list_collection_names():
        docs[name] = [doc async for doc in db[name].find({})]
    return json.dumps(docs, default=str, ensure_ascii=False)


async def test_after_erasure_nothing_of_the_person_remains(notify: Notify, receiver: Receiver) -> None:
    ref, token = new_ref(), uuid.uuid4().hex[:8]
    name, address = f"Sara Öberg {token}", f"sara.{token}@example.se"
    text = f"Min adress är Storgatan {token}, ring mig på 070-{token}."
    await notify.subscribe(receiver.url, "case.handed_off", "case.reminder_due")
    await notify.publish(
        created(ref),
        handed_off(ref, text=text, reason=f"Bygglov för {name}"),
        reminder_due(ref),
        outbound(ref, kind="acknowledgement", to={"name": name, "email": address}, text=text),
        outbound(ref, seq=4, to={"name": name, "email": f"{token}@yahoo.com."}),  # fails, quoting it
    )
    await notify.dispatch()
    before = await notify.deliveries(case_ref=ref)
    assert {d["status"] for d in before} == {"delivered", "failed"}
    assert token in await everything_stored(notify)

    erased = CaseErased(producer="casestore", organization="karlskoga", data=CaseErasedData(case_ref=ref))
    await notify.publish(erased)
    await notify.publish(erased)  # Kafka redelivers: still nothing

    assert token not in await everything_stored(notify)
    listed = await notify.client.get("/v1/deliveries", params={"case_ref": ref}, headers=notify.admin)
    assert listed.status_code == 200 and token not in listed.text
    after = listed.json()["items"]
    # The log stays: the same deliveries, their outcomes, when and how often they were tried.
    assert sorted((d["id"], d["status"], d["attempts"]) for d in after) == sorted(
        (d["id"], d["status"], d["attempts"]) for d in before
    )
    assert await notify.app.state.notifier.facts.get(ref) is None
    assert await notify.app.state.notifier.reminders.get(ref) is None


async def test_a_delivery_still_pending_when_its_case_is_erased_is_not_sent(
    notify: Notify, receiver: Receiver, clock: FakeClock
) -> None:
    receiver.answers = [500]
    ref = new_ref()
    await notify.subscribe(receiver.url, "case.handed_off")
    await notify.publish(handed_off(ref, text="Jag heter Sara och bor på Storgatan 1."))
    await notify.dispatch()
    [pending] = await notify.deliveries(case_ref=ref, target="webhook")
    assert pending["status"] == "pending"

    await notify.publish(
        CaseErased(producer="casestore", organization="karlskoga", data=CaseErasedData(case_ref=ref))
    )
    clock.set(datetime.fromisoformat(pending["next_attempt_at"]))
    await notify.dispatch()

    [delivery] = await notify.deliveries(case_ref=ref, target="webhook")
    assert delivery["status"] == "failed" and delivery["reason"] == "the message was erased with the case"
    assert len(receiver.requests) == 1
