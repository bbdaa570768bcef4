"""Leases: a periodic job that must run on one replica at a time (the SLA scheduler, the outbox relay,
notify's reminders) runs only where its lease is held.

A lease is one document per job in the service's own database (collection ``leases``):
``{"_id": <job>, "holder": <replica>, "expires_at": <time>}``. Taking and renewing it are each a
single atomic ``find_one_and_update`` — taken when the lease is free or expired, renewed only by its
holder — written with ``w: "majority"``, so on a replica set two replicas never both hear "yours"
for the same term, and a failover cannot roll a lease back to a holder that lost it. The holder
renews every ``LOTSEN_LEASE_RENEW_SECONDS``; another replica takes over once
``LOTSEN_LEASE_TTL_SECONDS`` passed without a renewal (the holder was killed, hung, or lost
MongoDB). A holder whose renewal fails cancels its job at once.

Expiry is compared with the replicas' own clocks: keep them in sync (NTP) to well within the TTL
minus the renewal period. A hand-over can still overlap by up to that margin, so every job run under
a lease is idempotent by itself; its docstring says how. A lease only saves the work and the noise of
several replicas doing the same thing at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError
from pymongo.write_concern import WriteConcern

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Work = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
"""A job: runs until the event it is given is set (it may also be cancelled at any ``await``)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def replica_id() -> str:
    """This process among the replicas: host (the pod's name) and process id, and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    """The lease on job ``name`` as seen by replica ``holder``."""

    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        name: str,
        *,
        holder: str,
        ttl: timedelta,
        clock: Clock = utc_now,
    ) -> None:
        self.name = name
        self.holder = holder
        self.ttl = ttl
        self.clock = clock
        self._leases = db.get_collection("leases", write_concern=WriteConcern(w="majority"))

    async def acquire(self) -> bool:
        """Take the lease if it is free or expired (or extend it if already ours); whether we hold it."""
        now = self.clock()
        try:
            doc = await self._leases.find_one_and_update(
                {"_id": self.name, "$or": [{"holder": self.holder}, {"expires_at": {"$lte": now}}]},
                {"$set": self._term(now)},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:  # the document exists and another replica's term has not ended
            return False
        return doc is not None and doc["holder"] == self.holder

    async def renew(self) -> bool:
        """Extend our term; False when another replica holds the lease now."""
        now = self.clock()
        doc = await self._leases.find_one_and_update(
            {"_id": self.name, "holder": self.holder},
            {"$set": self._term(now)},
            return_document=ReturnDocument.AFTER,
        )
        return doc is not None

    async def release(self) -> None:
        """End our term now, so another replica need not wait for it to expire (a clean shutdown)."""
        await self._leases.update_one(
            {"_id": self.name, "holder": self.holder}, {"$set": {"expires_at": self.clock()}}
        )

    async def current(self) -> dict[str, Any] | None:
        """The lease document: who holds it, until when."""
        return await self._leases.find_one({"_id": self.name})

    def _term(self, now: datetime) -> dict[str, Any]:
        return {"holder": self.holder, "expires_at": now + self.ttl, "renewed_at": now}


class RunOnce:
    """Runs ``work`` while ``lease`` is held: take the lease, start the work, renew every
    ``renew_every`` seconds, and cancel the work as soon as the lease is lost.

    Lost means: a renewal found another holder, or no renewal was answered (MongoDB unreachable or
    slow) before the term this replica last secured ran out — the moment another replica may take
    over. A renewal left unanswered within the term is tried again at the next beat; the work runs on.

    :meth:`step` is one beat of that loop (tests drive it with an injected clock); :meth:`run` beats
    until shutdown. The work failing stops :meth:`run` with its error, as a consumer's would.
    """

    def __init__(self, lease: Lease, work: Work, *, renew_every: float) -> None:
        self.lease = lease
        self.work = work
        self.renew_every = renew_every
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._term_ends = datetime.min.replace(tzinfo=UTC)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def step(self) -> bool:
        """Renew or take the lease, start or cancel the work accordingly; whether the work runs."""
        if self._task is not None and self._task.done():
            finished, self._task = self._task, None
            if not finished.cancelled() and finished.exception() is not None:
                raise finished.exception()  # type: ignore[misc]
        if self.running:
            left = (self._term_ends - self.lease.clock()).total_seconds()
            held = await self._secure(self.lease.renew, within=left if left > 0 else self.renew_every)
            if held is False or (held is None and self.lease.clock() >= self._term_ends):
                log.warning("lease %s lost by %s: its work stops here", self.lease.name, self.lease.holder)
                await self._cancel()
        elif (
            await self._secure(self.lease.acquire, within=self.lease.ttl.total_seconds())
            and self.lease.clock() < self._term_ends
        ):
            log.info("lease %s taken by %s: its work runs here", self.lease.name, self.lease.holder)
            self._stop = asyncio.Event()
            self._task = asyncio.create_task(self.work(self._stop), name=f"{self.lease.name} (leased)")
        return self.running

    async def _secure(self, call: Callable[[], Coroutine[Any, Any, bool]], *, within: float) -> bool | None:
        """Take or renew the lease: True (our term is extended), False (another replica holds it),
        None (no answer ``within`` seconds, or an error)."""
        began = self.lease.clock()
        try:
            held = await asyncio.wait_for(call(), timeout=within)
        except (PyMongoError, TimeoutError) as exc:
            log.warning("lease %s unanswered for %s: %r", self.lease.name, self.lease.holder, exc)
            return None
        if held:
            self._term_ends = began + self.lease.ttl  # MongoDB's copy ends a little later: a margin
        return held

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                await self.step()
                await self._pause(stop)
            if self._task is not None:  # shutdown: let the work finish its pass, briefly
                self._stop.set()
                await asyncio.wait([self._task], timeout=self.renew_every)
        finally:
            await self._cancel()
            with contextlib.suppress(PyMongoError):
                await self.lease.release()

    async def _cancel(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._stop.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task  # a job that had failed before it was cancelled raises its error here

    async def _pause(self, stop: asyncio.Event) -> None:
        waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(stop.wait())]
        if self._task is not None:
            waits.append(self._task)  # a job that fails is seen at once, not at the next renewal
        try:
            await asyncio.wait(waits, timeout=self.renew_every, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waits[0].cancel()
