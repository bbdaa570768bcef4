"""Subscriptions belong to an organisation: every organisation has its confidential ``social``, and a
handoff of one organisation's social services must never reach another's system."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from lotsen.auth import issue_token
from lotsen.settings import ServiceSettings
from services.notify.app import create_app
from services.notify.repository import SubscriptionRepository
from tests.helpers import running
from tests.notify_events import handed_off, new_ref
from tests.notify_support import SECRET, Notify, Receiver, clock, notify, notify_overrides, outbox, receiver

__all__ = ["clock", "notify", "notify_overrides", "outbox", "receiver"]  # fixtures


def admin_of(*organizations: str) -> dict[str, str]:
    token = issue_token(
        ServiceSettings(env="dev"), subject="admin.test", role="admin", organizations=organizations
    )
    return {"Authorization": f"Bearer {token}"}


def subscription(url: str, **fields: Any) -> dict[str, Any]:
    return {"department": "social", "url": url, "secret": SECRET, "event_types": ["case.handed_off"]} | fields


async def stored_without_organization(notify: Notify, url: str, department: str = "social") -> str:
    """A subscription as an earlier version of notify stored it: no organisation."""
    sub_id = str(uuid.uuid4())
    await SubscriptionRepository(notify.app.state.runtime.db).insert(
        {
            "_id": sub_id,
            "department": department,
            "url": url,
            "secret": SECRET,
            "event_types": ["case.handed_off"],
            "active": True,
            "created_at": datetime.now(UTC),
        }
    )
    return sub_id


async def hand_off_social(notify: Notify, *organizations: str) -> dict[str, str]:
    refs = {org: new_ref() for org in organizations}
    for org, ref in refs.items():
        await notify.publish(handed_off(ref, department="social", organization=org, confidential=True))
    await notify.dispatch()
    return refs


async def test_a_subscription_hears_only_its_own_organisations_social_services(
    notify: Notify, receiver: Receiver
) -> None:
    await notify.subscribe(receiver.url, department="social", organization="degerfors")
    refs = await hand_off_social(notify, "karlskoga", "degerfors", "karlskogahem")
    assert [r.json()["data"]["case_ref"] for r in receiver.requests] == [refs["degerfors"]]


async def test_a_subscription_stored_without_organisation_receives_nothing(
    notify: Notify, receiver: Receiver
) -> None:
    await stored_without_organization(notify, receiver.url)
    refs = await hand_off_social(notify, "karlskoga", "degerfors")
    assert receiver.requests == []
    for ref in refs.values():
        assert await notify.deliveries(case_ref=ref, target="webhook") == []


async def test_a_new_subscription_must_name_its_organisation(notify: Notify, receiver: Receiver) -> None:
    response = await notify.client.post(
        "/v1/subscriptions", json=subscription(receiver.url), headers=notify.admin
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "organization_required"
    assert "name the organisation" in error["message"]
    assert (await notify.client.get("/v1/subscriptions", headers=notify.admin)).json() == []

    unknown = await notify.client.post(
        "/v1/subscriptions", json=subscription(receiver.url, organization="orebro"), headers=notify.admin
    )
    assert unknown.status_code == 422 and "'orebro'" in unknown.json()["error"]["message"]
    elsewhere = await notify.client.post(
        "/v1/subscriptions",
        json=subscription(receiver.url, organization="degerfors", department="fastighet"),
        headers=notify.admin,
    )
    assert elsewhere.status_code == 422
    assert "'fastighet' of degerfors" in elsewhere.json()["error"]["message"]


async def test_an_admin_of_one_organisation_need_not_name_it(notify: Notify, receiver: Receiver) -> None:
    response = await notify.client.post(
        "/v1/subscriptions", json=subscription(receiver.url), headers=admin_of("degerfors")
    )
    assert response.status_code == 201, response.text
    assert response.json()["organization"] == "degerfors"
    two = admin_of("degerfors", "karlskogahem")
    ambiguous = await notify.client.post("/v1/subscriptions", json=subscription(receiver.url), headers=two)
    assert ambiguous.status_code == 422 and ambiguous.json()["error"]["details"]["field"] == "organization"


async def test_an_admin_listing_organisations_manages_only_theirs(notify: Notify, receiver: Receiver) -> None:
    karlskoga = await notify.subscribe(receiver.url, department="social", organization="karlskoga")
    legacy = await stored_without_organization(notify, receiver.url)
    degerfors_admin = admin_of("degerfors")
    own = await notify.client.post(
        "/v1/subscriptions",
        json=subscription(receiver.url, organization="degerfors"),
        headers=degerfors_admin,
    )
    assert own.status_code == 201
    foreign = await notify.client.post(
        "/v1/subscriptions",
        json=subscription(receiver.url, organization="karlskoga"),
        headers=degerfors_admin,
    )
    assert foreign.status_code == 403 and "karlskoga" in foreign.json()["error"]["message"]

    listed = (await notify.client.get("/v1/subscriptions", headers=degerfors_admin)).json()
    assert [s["id"] for s in listed] == [own.json()["id"]]
    everything = (await notify.client.get("/v1/subscriptions", headers=notify.admin)).json()
    assert {s["id"] for s in everything} == {karlskoga, legacy, own.json()["id"]}

    for other in (karlskoga, legacy):
        gone = await notify.client.delete(f"/v1/subscriptions/{other}", headers=degerfors_admin)
        assert gone.status_code == 404
        claimed = await notify.client.patch(
            f"/v1/subscriptions/{other}", json={"organization": "degerfors"}, headers=degerfors_admin
        )
        assert claimed.status_code == 404
    assert len((await notify.client.get("/v1/subscriptions", headers=notify.admin)).json()) == 3


async def test_deliveries_of_other_organisations_are_not_an_admins_to_see_or_retry(
    notify: Notify, receiver: Receiver
) -> None:
    await notify.subscribe(receiver.url, department="social", organization="karlskoga")
    await notify.subscribe(receiver.url, department="social", organization="degerfors")
    refs = await hand_off_social(notify, "karlskoga", "degerfors")
    degerfors_admin = admin_of("degerfors")
    page = (await notify.client.get("/v1/deliveries", headers=degerfors_admin)).json()
    assert {d["organization"] for d in page["items"]} == {"degerfors"}
    assert refs["karlskoga"] not in {d["case_ref"] for d in page["items"]}

    [theirs] = await notify.deliveries(case_ref=refs["karlskoga"], target="webhook")
    read = await notify.client.get(f"/v1/deliveries/{theirs['id']}", headers=degerfors_admin)
    assert read.status_code == 404
    retried = await notify.client.post(f"/v1/deliveries/{theirs['id']}/retry", headers=degerfors_admin)
    assert retried.status_code == 404 and retried.json()["error"]["code"] == "delivery_not_found"

    [ours] = await notify.deliveries(case_ref=refs["degerfors"], target="webhook")
    assert (
        await notify.client.get(f"/v1/deliveries/{ours['id']}", headers=degerfors_admin)
    ).status_code == 200
    retried = await notify.client.post(f"/v1/deliveries/{ours['id']}/retry", headers=degerfors_admin)
    assert retried.status_code == 409  # seen, and delivered already


async def test_at_start_up_an_unambiguous_old_subscription_gets_its_organisation_and_the_rest_are_logged(
    notify: Notify, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    social = await stored_without_organization(notify, receiver.url, department="social")
    rentals = await stored_without_organization(notify, receiver.url, department="fastighet")
    capsys.readouterr()
    restarted = create_app(
        notify.app.state.settings, publisher=notify.bus, run_consumers=False, db=notify.app.state.runtime.db
    )
    async with running(restarted) as client:
        listed = {s["id"]: s for s in (await client.get("/v1/subscriptions", headers=notify.admin)).json()}
    assert listed[rentals]["organization"] == "karlskogahem"  # the only organisation with fastighet
    assert listed[social]["organization"] is None
    [warning] = [line for line in capsys.readouterr().out.splitlines() if "WARNING" in line]
    assert social in warning and "names no organisation and receives nothing" in warning
    assert "karlskoga, degerfors, karlskogahem" in warning

    set_it = await notify.client.patch(
        f"/v1/subscriptions/{social}", json={"organization": "degerfors"}, headers=notify.admin
    )
    assert set_it.status_code == 200 and set_it.json()["organization"] == "degerfors"
    refs = await hand_off_social(notify, "karlskoga", "degerfors")
    assert [r.json()["data"]["case_ref"] for r in receiver.requests] == [refs["degerfors"]]
