"""Sekretess in notify's delivery log: an administrator who lists deliveries never learns who has a
confidential errand — no citizen's address or Messenger id, no attempt text that could quote it —
yet still sees that a delivery failed, and can send it again."""

from __future__ import annotations

import uuid
from typing import Any

from tests.notify_events import created, handed_off, new_ref, outbound
from tests.notify_support import (
    Notify,
    Receiver,
    clock,
    notify,
    notify_overrides,
    outbox,
    receiver,
)

__all__ = ["clock", "notify", "notify_overrides", "outbox", "receiver"]  # fixtures


def social_case(ref: str) -> Any:
    return created(ref, category="bistand-aldre", department="social", confidential=True)


def citizen_outbounds(ref: str, token: str) -> list[Any]:
    """An acknowledgement that goes out, and a reply to an address the relay cannot use (its
    failure quotes the address)."""
    return [
        outbound(
            ref, kind="acknowledgement", to={"name": f"Sara {token}", "email": f"sara.{token}@example.se"}
        ),
        outbound(ref, seq=4, to={"name": f"Sara {token}", "email": f"{token}@yahoo.com."}),
    ]


async def admin_reads(notify: Notify, ref: str) -> tuple[str, list[dict[str, Any]]]:
    """Everything an administrator reads of the case's deliveries: the list and each one."""
    listed = await notify.client.get("/v1/deliveries", params={"case_ref": ref}, headers=notify.admin)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    texts = [listed.text]
    for item in items:
        one = await notify.client.get(f"/v1/deliveries/{item['id']}", headers=notify.admin)
        assert one.status_code == 200, one.text
        texts.append(one.text)
    return "\n".join(texts), items


async def stored_flags(notify: Notify, ref: str) -> set[Any]:
    """The flag each stored delivery of the case carries, as a later version of notify reads it."""
    found = notify.app.state.runtime.db["deliveries"].find({"case_ref": ref})
    return {doc.get("confidential") async for doc in found}


def citizen(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in items if d["target"].startswith("citizen_")]


async def test_an_administrator_sees_no_recipient_of_a_confidential_case_yet_can_retry(
    notify: Notify, receiver: Receiver
) -> None:
    ref, token = new_ref(), uuid.uuid4().hex[:10]
    await notify.subscribe(receiver.url, "case.handed_off", department="social")
    await notify.publish(social_case(ref), handed_off(ref, department="social", confidential=True))
    await notify.publish(*citizen_outbounds(ref, token))
    await notify.dispatch()

    text, items = await admin_reads(notify, ref)
    assert token not in text
    assert len(citizen(items)) == 2
    for delivery in citizen(items):
        assert delivery["confidential"] is True and delivery["recipient"] is None
        assert delivery["case_ref"] == ref
    [failed] = [d for d in citizen(items) if d["status"] == "failed"]
    assert failed["attempts"] == 1 and failed["failed_at"] is not None
    assert "withheld" in failed["reason"] and "confidential" in failed["reason"]
    assert [h["outcome"] for h in failed["history"]] == ["failed"]
    # The department's own addresses are configuration, not the citizen's: they stay visible.
    [hook] = [d for d in items if d["target"] == "webhook"]
    assert hook["confidential"] is True and hook["recipient"] == receiver.url

    retried = await notify.client.post(f"/v1/deliveries/{failed['id']}/retry", headers=notify.admin)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "pending" and token not in retried.text
    # The message still goes to the citizen's address: only the administrator's view leaves it out.
    stored = await notify.app.state.notifier.deliveries.get(failed["id"])
    assert stored["recipient"] == f"{token}@yahoo.com."


async def test_a_case_that_is_not_confidential_shows_its_recipients_in_full(notify: Notify) -> None:
    ref, token = new_ref(), uuid.uuid4().hex[:10]
    await notify.publish(created(ref), *citizen_outbounds(ref, token))
    await notify.dispatch()

    _, items = await admin_reads(notify, ref)
    assert {d["recipient"] for d in citizen(items)} == {f"sara.{token}@example.se", f"{token}@yahoo.com."}
    assert all(d["confidential"] is False for d in items)
    [failed] = [d for d in items if d["status"] == "failed"]
    assert f"{token}@yahoo.com." in failed["reason"]


async def test_an_acknowledgement_recorded_before_notify_hears_of_the_case_is_withheld(
    notify: Notify,
) -> None:
    """``outbound.requests`` and ``cases.events`` are separate topics: the acknowledgement may be
    recorded before ``case.created`` says the case is confidential."""
    ref, token = new_ref(), uuid.uuid4().hex[:10]
    await notify.publish(*citizen_outbounds(ref, token))
    await notify.publish(social_case(ref))
    await notify.dispatch()

    text, items = await admin_reads(notify, ref)
    assert token not in text
    assert [d["confidential"] for d in citizen(items)] == [True, True]
    assert await stored_flags(notify, ref) == {True}


async def test_deliveries_of_a_case_that_becomes_confidential_on_handoff_are_withheld(
    notify: Notify,
) -> None:
    ref, token = new_ref(), uuid.uuid4().hex[:10]
    await notify.publish(created(ref, category="ovriga-arenden", department="kultur"))
    await notify.publish(*citizen_outbounds(ref, token))
    await notify.dispatch()
    _, before = await admin_reads(notify, ref)
    assert all(d["confidential"] is False for d in before)

    await notify.publish(handed_off(ref, department="social", confidential=True))
    text, items = await admin_reads(notify, ref)
    assert token not in text
    assert all(d["confidential"] is True for d in citizen(items))
    assert await stored_flags(notify, ref) == {True}


async def test_a_delivery_stored_without_the_flag_is_withheld_when_the_case_facts_say_confidential(
    notify: Notify,
) -> None:
    """Deliveries recorded by an earlier version carry no ``confidential``: the case's facts decide."""
    secret_ref, open_ref, token = new_ref(), new_ref(), uuid.uuid4().hex[:10]
    await notify.publish(social_case(secret_ref), *citizen_outbounds(secret_ref, token))
    await notify.publish(created(open_ref), *citizen_outbounds(open_ref, token))
    await notify.dispatch()
    db = notify.app.state.runtime.db
    await db["deliveries"].update_many({}, {"$unset": {"confidential": ""}})

    text, items = await admin_reads(notify, secret_ref)
    assert token not in text and all(d["confidential"] is True for d in items)
    _, items = await admin_reads(notify, open_ref)
    assert {d["recipient"] for d in citizen(items)} == {f"sara.{token}@example.se", f"{token}@yahoo.com."}
    assert all(d["confidential"] is False for d in items)


async def test_a_supervisor_reads_a_confidential_case_in_casestore_not_in_the_delivery_log(
    notify: Notify, token_for: Any
) -> None:
    """The delivery log is the administrators'; a supervisor follows a citizen's messages on the
    case itself, where every read of a confidential case is logged."""
    supervisor = {"Authorization": f"Bearer {token_for('supervisor')}"}
    assert (await notify.client.get("/v1/deliveries", headers=supervisor)).status_code == 403


def test_the_openapi_schema_names_the_confidential_flag() -> None:
    from services.notify.api import DeliveryRead

    schema = DeliveryRead.model_json_schema()
    assert schema["properties"]["confidential"]["type"] == "boolean"
