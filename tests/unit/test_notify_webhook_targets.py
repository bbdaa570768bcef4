"""Webhooks go to public addresses only — when subscribing and again at each delivery — unless an
operator allow-lists a network; and a failed delivery keeps the status code, never the answer's body.

Only 127.0.0.1/32 is allow-listed here (the receivers listen there): every other loopback address,
and every other class of address an attacker would aim at, is refused.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest

from services.notify.webhook_targets import TargetRefused, WebhookTargets
from tests.notify_events import created, handed_off, new_ref
from tests.notify_support import Notify, Receiver, clock, notify, outbox, receiver

__all__ = ["clock", "notify", "outbox", "receiver"]  # fixtures

# (URL or a name and what it resolves to, the reason given)
REFUSED = [
    ("http://127.0.0.2:8004/", "127.0.0.2 is loopback"),
    ("http://[::1]:8004/", "::1 is loopback"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is link-local"),
    ("http://10.0.0.5/hook", "10.0.0.5 is private"),
    ("http://192.168.1.20/hook", "192.168.1.20 is private"),
    ("http://[fd12:3456::1]/hook", "fd12:3456::1 is unique-local"),
    ("http://[fe80::1]/hook", "fe80::1 is link-local"),
    ("http://224.0.0.251/hook", "224.0.0.251 is multicast"),
    ("http://0.0.0.0:8004/", "0.0.0.0 is unspecified"),
    ("http://[::ffff:10.0.0.5]:8004/", "::ffff:a00:5 is private"),
    ("http://240.0.0.1/hook", "240.0.0.1 is reserved"),
    ("http://100.64.0.1/hook", "100.64.0.1 is not public"),
]
PUBLIC = "93.184.216.34"


@pytest.fixture
def notify_overrides() -> dict[str, Any]:
    return {"webhook_allowed_networks": ["127.0.0.1/32"]}


@pytest.mark.parametrize(("url", "why"), REFUSED)
async def test_a_subscription_to_an_internal_address_is_refused_saying_why(
    notify: Notify, url: str, why: str
) -> None:
    response = await notify.try_subscribe(url)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "webhook_target_refused"
    assert error["message"] == f"address not allowed: {why}"
    assert (await notify.client.get("/v1/subscriptions", headers=notify.admin)).json() == []


@pytest.mark.parametrize(
    "addresses",
    [["172.18.0.3"], [PUBLIC, "10.1.2.3"], ["fd00::5", PUBLIC]],
    ids=["an internal service name", "public and private", "unique-local and public"],
)
async def test_a_name_is_refused_if_any_address_it_resolves_to_is_internal(
    notify: Notify, addresses: list[str]
) -> None:
    notify.dns.names["mongodb"] = addresses
    response = await notify.try_subscribe("http://mongodb:27017/")
    assert response.status_code == 422
    assert "address not allowed" in response.json()["error"]["message"]


async def test_a_name_that_does_not_resolve_is_refused(notify: Notify) -> None:
    response = await notify.try_subscribe("https://no-such-host.invalid/hook")
    assert response.status_code == 422
    assert "cannot be resolved" in response.json()["error"]["message"]


@pytest.mark.parametrize(("internal", "why"), REFUSED)
async def test_a_name_that_turns_internal_after_subscribing_is_refused_at_delivery(
    notify: Notify, receiver: Receiver, internal: str, why: str
) -> None:
    notify.dns.names["hooks.bygg.example"] = [PUBLIC]
    await notify.subscribe("http://hooks.bygg.example/lotsen/hook", "case.handed_off")
    address = why.split(" ", 1)[0]
    notify.dns.names["hooks.bygg.example"] = [address]  # DNS rebinding, after the check at subscribe
    ref = new_ref()
    await notify.publish(created(ref), handed_off(ref))
    await notify.dispatch()

    [delivery] = await notify.deliveries(case_ref=ref, target="webhook")
    assert delivery["status"] == "failed" and delivery["attempts"] == 1
    assert delivery["reason"] == f"address not allowed: {why}"
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("host", "on_the_wire"),
    [
        ("bygg.karlskoga.example", "bygg.karlskoga.example"),
        ("byggnämnd.karlskoga.example", "xn--byggnmnd-4za.karlskoga.example"),
    ],
)
async def test_the_request_goes_to_the_address_that_was_checked_and_keeps_the_host(
    notify: Notify, receiver: Receiver, host: str, on_the_wire: str
) -> None:
    # The name exists only in this DNS: the request can only arrive by connecting to the checked address.
    notify.dns.names[on_the_wire] = ["127.0.0.1"]
    await notify.subscribe(f"http://{host}:{receiver.port}/lotsen/hook", "case.handed_off")
    ref = new_ref()
    await notify.publish(handed_off(ref))
    await notify.dispatch()

    [request] = receiver.requests
    assert request.headers["Host"] == f"{on_the_wire}:{receiver.port}"
    [delivery] = await notify.deliveries(case_ref=ref, target="webhook")
    assert delivery["status"] == "delivered"


async def test_an_allow_listed_network_gets_webhooks_and_no_other_loopback_does(
    notify: Notify, receiver: Receiver
) -> None:
    assert (await notify.try_subscribe(receiver.url)).status_code == 201  # 127.0.0.1 is allow-listed
    refused = await notify.try_subscribe(receiver.url.replace("127.0.0.1", "127.0.0.2"))
    assert refused.status_code == 422


async def test_a_failed_delivery_keeps_the_status_code_and_never_the_body(
    notify: Notify, receiver: Receiver
) -> None:
    receiver.answers = [500]
    receiver.body = {"error": "db password is hunter2-internal", "stack": "Traceback at 10.0.0.7"}
    await notify.subscribe(receiver.url, "case.handed_off")
    ref = new_ref()
    await notify.publish(handed_off(ref))
    await notify.dispatch()

    [delivery] = await notify.deliveries(case_ref=ref, target="webhook")
    assert delivery["last_error"] == "HTTP 500"
    assert delivery["history"][0]["status_code"] == 500
    listed = await notify.client.get("/v1/deliveries", params={"case_ref": ref}, headers=notify.admin)
    assert "hunter2" not in listed.text and "Traceback" not in listed.text
    stored = await notify.app.state.notifier.deliveries.get(delivery["id"])
    assert "hunter2" not in json.dumps(stored, default=str)


async def test_a_redirect_is_not_followed(notify: Notify, receiver: Receiver) -> None:
    receiver.answers = [302]
    await notify.subscribe(receiver.url, "case.handed_off")
    ref = new_ref()
    await notify.publish(handed_off(ref))
    await notify.dispatch()
    [delivery] = await notify.deliveries(case_ref=ref, target="webhook")
    assert delivery["status"] == "pending" and delivery["last_error"].startswith("HTTP 302")
    assert len(receiver.requests) == 1


async def resolve_public(host: str, port: int) -> list[Any]:
    return [ipaddress.ip_address(PUBLIC)]


async def test_outside_dev_mode_only_https_is_accepted() -> None:
    production = WebhookTargets.from_settings([], dev_mode=False, resolve=resolve_public)
    with pytest.raises(TargetRefused, match="must use https"):
        await production.check("http://bygg.karlskoga.example/hook")
    target = await production.check("https://bygg.karlskoga.example/hook")
    assert str(target.address) == PUBLIC and target.url.host == "bygg.karlskoga.example"


async def test_the_services_own_address_is_refused_even_when_public() -> None:
    own = ipaddress.ip_address(PUBLIC)
    targets = WebhookTargets.from_settings([], dev_mode=True, own_addresses=[own], resolve=resolve_public)
    with pytest.raises(TargetRefused, match="this service's own address"):
        await targets.check("https://notify.karlskoga.example/")
    allowed = WebhookTargets.from_settings([f"{PUBLIC}/32"], dev_mode=True, own_addresses=[own])
    assert allowed.refusal(own) is None
