"""Two replicas of every service on one MongoDB wire server and one broker; one replica of each is
SIGKILLed mid-run — for casestore and notify, the one holding the leases of their run-once jobs,
once it has flagged its first deadline.
Then: every contact is exactly one case, every citizen got one acknowledgement, every first-response
deadline that passed was flagged exactly once (``case.sla_breached`` on ``cases.events``), also the
ones that passed after the kill, and stats' figures equal a recount.

The in-memory stand-in cannot be shared between processes: MongoDB here is mongoeco's wire server
(``tests/mongo_wire``), which needs Python 3.13; without it the test skips and says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient

from lotsen import mongo
from lotsen.auth import issue_token
from lotsen.contracts import topics
from lotsen.devserver.mailcatcher import start_mailcatcher
from lotsen.devserver.stack import SERVICES, Stack
from lotsen.kafka.broker import free_port
from lotsen.mongo import connect as connect_to_the_named_server
from lotsen.process import die_with_parent
from lotsen.settings import ServiceSettings
from tests.chaos.checks import Patience, check
from tests.chaos.load import Submission
from tests.mongo_wire import __main__ as mongo_wire  # its launcher: the venv, the port, the wait

pytestmark = pytest.mark.integration
BEGAN = time.monotonic()


def say(text: str) -> None:
    """Progress on stderr, shown with a failure: where the time went."""
    print(f"replicas | {time.monotonic() - BEGAN:6.1f} s | {text}", file=sys.stderr, flush=True)


WEBFORMS = 100
LATE_LETTERS = 5  # before the kill, and as many after it
ENV = {
    "LOTSEN_LEASE_TTL_SECONDS": "5",
    "LOTSEN_LEASE_RENEW_SECONDS": "1",
    "CASESTORE_SLA_SCAN_SECONDS": "1",
    "CASESTORE_OUTBOX_RELAY_SECONDS": "1",
}
CONNECTOR = {"X-Connector-Key": "dev-connector-key"}
AGENT = {"Authorization": f"Bearer {issue_token(ServiceSettings(env='dev'), subject='agent', role='agent')}"}


@contextlib.contextmanager
def wire_server(workdir: Path) -> Iterator[str]:
    try:
        python = mongo_wire.virtualenv()
    except SystemExit as missing:  # no Python 3.13 on this machine
        pytest.skip(f"two processes cannot share the in-memory stand-in, and {missing}")
    port = mongo_wire.free_port()
    url = f"mongodb://127.0.0.1:{port}/?directConnection=true"
    server_py = Path(mongo_wire.__file__).with_name("server.py")
    server = subprocess.Popen(
        [str(python), str(server_py), str(workdir / "store.sqlite"), str(port)],
        stdout=subprocess.DEVNULL,
        preexec_fn=die_with_parent,
    )
    try:
        mongo_wire.wait_until_ready(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
async def system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Stack, str, Path]]:
    # The checks read the services' own databases, not a test's renamed ones (tests/conftest.py).
    monkeypatch.setattr(mongo, "connect", connect_to_the_named_server)
    outbox = tmp_path / "outbox"
    mail = start_mailcatcher(outbox, port=free_port())
    with wire_server(tmp_path) as url:
        stack = Stack(
            ports={**{name: free_port() for name in SERVICES}, "smtp": free_port()},
            mongodb_url=url,
            partitions=4,  # for the two replicas of each consumer group to share
            restart=False,
            extra_env={**ENV, "NOTIFY_SMTP_PORT": str(mail.port)},
        )
        try:
            say("starting the stack")
            await stack.start(timeout=240)
            say("starting the second replicas")
            await asyncio.gather(*(stack.add_replica(name, timeout=240) for name in SERVICES))
            say("two replicas of each service ready")
            yield stack, url, outbox
        finally:
            await stack.stop()
            mail.stop()


async def post_until_accepted(client: httpx.AsyncClient, urls: list[str], path: str, **request: Any) -> str:
    """As a connector behind a load balancer: retry on the other replica until one accepts."""
    for attempt in range(120):
        with contextlib.suppress(httpx.HTTPError):
            response = await client.post(f"{urls[attempt % len(urls)]}{path}", **request)
            if response.status_code == 202:
                return str(response.json()["contact_id"])
            assert response.status_code >= 500, response.text
        await asyncio.sleep(0.5)
    raise AssertionError(f"no intake replica accepted {path}")


async def post_contacts(stack: Stack, numbers: range, run: str, *, late_letters: int) -> list[Submission]:
    urls = [f"http://127.0.0.1:{svc.port}" for svc in stack.services.values() if svc.name == "intake"]
    received_long_ago = (datetime.now(UTC) - timedelta(days=3)).isoformat()

    async def webform(client: httpx.AsyncClient, number: int) -> Submission:
        key = f"{run}-{number}"
        form = {"form_id": "kontakta-oss", "organization": "karlskoga", "name": "Sara Öberg"}
        form |= {"email": f"medborgare-{key}@example.se", "subject": f"Gatlykta trasig ({key})"}
        form |= {"message": f"Gatlyktan utanför min port är trasig. Ärende {key}.", "website": ""}
        headers = {**CONNECTOR, "Idempotency-Key": key}
        contact_id = await post_until_accepted(
            client, urls, "/v1/contacts/webform", json=form, headers=headers
        )
        return Submission(number, "webform", key, form["email"], accepted=True, contact_ids=[contact_id])

    async def late_letter(client: httpx.AsyncClient, number: int) -> Submission:
        key = f"{run}-letter-{number}"
        letter = {
            "channel": "letter",
            "subject": f"Bygglov för altan ({key})",
            "received_at": received_long_ago,
        }
        letter["message"] = f"Behöver jag bygglov för en altan? Brev {key}."
        headers = {**AGENT, "Idempotency-Key": key}
        contact_id = await post_until_accepted(
            client, urls, "/v1/contacts/manual", json=letter, headers=headers
        )
        return Submission(number, "letter", key, accepted=True, contact_ids=[contact_id])

    async with httpx.AsyncClient(timeout=10) as client:
        posts = [webform(client, n) for n in numbers] + [late_letter(client, n) for n in range(late_letters)]
        gate = asyncio.Semaphore(8)

        async def gated(post: Any) -> Submission:
            async with gate:
                return await post  # type: ignore[no-any-return]

        return list(await asyncio.gather(*(gated(p) for p in posts)))


async def lease_holders(url: str) -> dict[str, int]:
    """The process id holding each lease, by job."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    try:
        holders = {}
        for database in ("lotsen_casestore", "lotsen_notify"):
            async for lease in client[database]["leases"].find({"expires_at": {"$gt": datetime.now(UTC)}}):
                holders[lease["_id"]] = int(lease["holder"].split(":")[1])
        return holders
    finally:
        await client.close()


async def kill_one_replica_of_each(stack: Stack, holders: dict[str, int]) -> list[str]:
    """SIGKILL the holder of casestore's and notify's leases, and the first replica of the others."""
    wanted = {holders["casestore-sla-scheduler"], holders["notify-reminders"]}
    killed = []
    for name in SERVICES:
        replicas = [key for key, svc in stack.services.items() if svc.name == name]
        holding = [key for key in replicas if stack.services[key].process.pid in wanted]  # type: ignore[union-attr]
        key = (holding or replicas)[0]
        process = stack.services[key].process
        assert process is not None
        process.send_signal(signal.SIGKILL)
        await process.wait()
        killed.append(key)
    return killed


async def flagged(url: str, contact_ids: set[str], *, wanted: int, quiet: float) -> list[dict[str, Any]]:
    """The cases of ``contact_ids`` once ``wanted`` of them show their breach on the timeline (or
    nothing moved for ``quiet`` seconds)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    query = {"origin_contact_id": {"$in": list(contact_ids)}}
    patience = Patience(quiet)
    try:
        while True:
            cases = await client["lotsen_casestore"]["cases"].find(query).to_list(None)
            breached = sum(1 for c in cases if any(e["type"] == "sla_breached" for e in c["timeline"]))
            if breached >= wanted or patience.exhausted((len(cases), breached)):
                return cases
            await asyncio.sleep(1)
    finally:
        await client.close()


async def events_on_cases_topic(bootstrap: str) -> list[dict[str, Any]]:
    """Every record on ``cases.events``, read from the start by a group of the test's own."""
    consumer = AIOKafkaConsumer(
        topics.CASES_EVENTS,
        bootstrap_servers=bootstrap,
        group_id=f"test-replicas-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    events: list[dict[str, Any]] = []
    idle = 0
    try:
        while idle < 5 or not events:
            batch = await consumer.getmany(timeout_ms=1000)
            records = [record for part in batch.values() for record in part]
            events += [json.loads(record.value) for record in records]
            idle = 0 if records else idle + 1
    finally:
        await consumer.stop()
    return events


async def test_two_replicas_of_each_service_lose_and_double_nothing_when_one_of_each_is_killed(
    system: tuple[Stack, str, Path],
) -> None:
    stack, url, outbox = system
    run = uuid.uuid4().hex[:8]
    before = await post_contacts(stack, range(WEBFORMS // 2), run, late_letters=LATE_LETTERS)
    early_letters = {i for s in before if s.channel == "letter" for i in s.contact_ids}
    await flagged(url, early_letters, wanted=1, quiet=60)  # the holder is at work: kill it now
    holders = await lease_holders(url)
    assert {"casestore-sla-scheduler", "casestore-outbox-relay", "notify-reminders"} <= set(holders)
    killed = await kill_one_replica_of_each(stack, holders)
    say(f"posted {len(before)} contacts; SIGKILLed {killed}, lease holders {holders}")
    after = await post_contacts(
        stack, range(WEBFORMS // 2, WEBFORMS), f"{run}-after", late_letters=LATE_LETTERS
    )
    submissions = before + after
    say(f"posted {len(after)} more; checking")

    survivor = {
        stack.services[key].name: stack.services[key].port for key in stack.services if key not in killed
    }
    stats_url = f"http://127.0.0.1:{survivor['stats']}"
    findings = await check(
        mongodb_url=url, stats_url=stats_url, outbox=outbox, submissions=submissions, quiet=60
    )
    report = f"killed {killed}; " + "; ".join(findings.failures())
    assert findings.acknowledged == WEBFORMS + 2 * LATE_LETTERS, report
    assert findings.lost == [] and findings.on_two_cases == [], report
    assert findings.acknowledged_twice == [] and findings.without_acknowledgement == [], report
    assert findings.volumes_stats == findings.volumes_recount, report
    assert findings.volumes_recount == {"webform": WEBFORMS, "letter": 2 * LATE_LETTERS}, report

    say("cases, acknowledgements and figures checked")
    letters = {i for s in submissions if s.channel == "letter" for i in s.contact_ids}
    cases = await flagged(url, letters, wanted=len(letters), quiet=30)
    on_timelines = {c["_id"]: sum(e["type"] == "sla_breached" for e in c["timeline"]) for c in cases}
    assert on_timelines == dict.fromkeys(on_timelines, 1) and len(on_timelines) == len(letters), report
    say("timelines checked; reading cases.events")
    breaches: dict[str, set[str]] = {}
    for event in await events_on_cases_topic(stack.bootstrap_servers):
        if event["type"] == "case.sla_breached" and event["data"]["clock"] == "first_response":
            breaches.setdefault(event["data"]["case_ref"], set()).add(event["event_id"])
    assert {ref: len(ids) for ref, ids in breaches.items()} == dict.fromkeys(on_timelines, 1), (
        "each passed deadline flagged once, none missed"
    )

    moved = await lease_holders(url)
    assert moved["casestore-sla-scheduler"] != holders["casestore-sla-scheduler"]
    assert moved["notify-reminders"] != holders["notify-reminders"]
