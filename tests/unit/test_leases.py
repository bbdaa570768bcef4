"""Leases: a job that must run on one replica at a time runs on one, moves when its holder stops
renewing, and stops where the lease was lost. Two holders share one database; time is a fake clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.errors import AutoReconnect

from lotsen import mongo
from lotsen.leases import Lease, RunOnce
from lotsen.settings import ServiceSettings
from tests.conftest import MONGODB_URL

TTL = timedelta(seconds=30)


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Job:
    """A scheduler stand-in: it runs until stopped or cancelled, and says which of the two happened."""

    def __init__(self) -> None:
        self.started = 0
        self.running = False
        self.ended_by: list[str] = []

    async def __call__(self, stop: asyncio.Event) -> None:
        self.started += 1
        self.running = True
        try:
            await stop.wait()
            self.ended_by.append("stop")
        except asyncio.CancelledError:
            self.ended_by.append("cancelled")
            raise
        finally:
            self.running = False


@pytest.fixture
async def db() -> AsyncIterator[Any]:
    client = mongo.connect(MONGODB_URL)
    yield client["lotsen_casestore"]
    await mongo.close(client)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def replica(db: Any, clock: FakeClock, name: str, job: str = "casestore-sla-scheduler") -> Lease:
    return Lease(db, job, holder=name, ttl=TTL, clock=clock)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)  # let started or cancelled tasks run to their next await


async def test_only_one_replica_holds_a_lease_at_a_time(db: Any, clock: FakeClock) -> None:
    a, b = replica(db, clock, "casestore-a"), replica(db, clock, "casestore-b")
    assert await a.acquire()
    assert not await b.acquire()
    clock.advance(10)
    assert await a.renew()
    clock.advance(25)  # 35 s after taking it, 25 s after the renewal: still a's
    assert not await b.acquire()
    assert not await b.renew(), "a replica that does not hold the lease cannot renew it"
    assert (await a.current() or {})["holder"] == "casestore-a"
    other_job = replica(db, clock, "casestore-b", job="casestore-outbox-relay")
    assert await other_job.acquire(), "each job has a lease of its own"


async def test_another_replica_takes_over_once_the_holder_stops_renewing(db: Any, clock: FakeClock) -> None:
    a, b = replica(db, clock, "casestore-a"), replica(db, clock, "casestore-b")
    assert await a.acquire()
    clock.advance(29)
    assert not await b.acquire()
    clock.advance(1)  # a's term has ended without a renewal: a was killed, or hangs
    assert await b.acquire()
    assert not await a.renew(), "the old holder learns it lost the lease"
    assert not await a.acquire()
    assert (await b.current() or {})["holder"] == "casestore-b"


async def test_a_holder_whose_renewal_fails_stops_its_work_and_the_other_runs_it(
    db: Any, clock: FakeClock
) -> None:
    job_a, job_b = Job(), Job()
    a = RunOnce(replica(db, clock, "casestore-a"), job_a, renew_every=10)
    b = RunOnce(replica(db, clock, "casestore-b"), job_b, renew_every=10)
    assert await a.step()
    assert not await b.step()
    await settle()
    assert (job_a.running, job_b.running) == (True, False)

    clock.advance(31)  # a missed its renewals (its event loop was blocked, say); b takes the lease
    assert await b.step()
    await settle()
    assert job_b.running
    assert not await a.step()
    await settle()
    assert not job_a.running and job_a.ended_by == ["cancelled"]
    assert job_b.running, "only the holder's work runs"


async def test_a_holder_that_cannot_reach_mongodb_stops_its_work_when_its_term_ends(
    db: Any, clock: FakeClock
) -> None:
    job = Job()
    lease = replica(db, clock, "casestore-a")
    runner = RunOnce(lease, job, renew_every=10)
    assert await runner.step()
    await settle()
    assert job.running

    async def unreachable() -> bool:
        raise AutoReconnect("connection refused")

    lease.renew = unreachable  # type: ignore[method-assign]
    clock.advance(10)
    assert await runner.step(), "20 s of its term are left: nobody else may hold the lease yet"
    assert job.running
    clock.advance(20)  # the term is over: another replica may take the lease from now on
    assert not await runner.step()
    await settle()
    assert job.ended_by == ["cancelled"]
    assert await replica(db, clock, "casestore-b").acquire()


async def test_a_job_that_fails_stops_the_runner_with_its_error(db: Any, clock: FakeClock) -> None:
    async def broken(stop: asyncio.Event) -> None:
        raise RuntimeError("the scheduler's query is wrong")

    runner = RunOnce(replica(db, clock, "casestore-a"), broken, renew_every=10)
    assert await runner.step()
    await settle()
    with pytest.raises(RuntimeError, match="query is wrong"):
        await runner.step()


async def test_a_clean_shutdown_hands_the_lease_over_at_once(db: Any, clock: FakeClock) -> None:
    job = Job()
    runner = RunOnce(replica(db, clock, "casestore-a"), job, renew_every=10)
    stop = asyncio.Event()
    running = asyncio.create_task(runner.run(stop))
    while not job.running:
        await asyncio.sleep(0)
    stop.set()
    await running
    assert job.ended_by == ["stop"], "the job was asked to stop and finished its pass"
    assert await replica(db, clock, "casestore-b").acquire(), "no wait for the term to run out"


def test_a_renewal_period_as_long_as_the_lease_is_refused() -> None:
    with pytest.raises(ValueError, match=r"LOTSEN_LEASE_RENEW_SECONDS .* must be less than LOTSEN_LEASE_TTL"):
        ServiceSettings(env="dev", lease_ttl_seconds=10, lease_renew_seconds=10)
    settings = ServiceSettings(env="dev")
    assert settings.lease_renew_seconds < settings.lease_ttl_seconds
