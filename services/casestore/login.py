"""What stands between a password guesser and ``POST /v1/auth/token``, and keeps Argon2 off the event loop.

An attempt passes, in order:

1. the **client limit** — attempts per client address (``request_client``: ``X-Forwarded-For`` only
   from ``CASESTORE_TRUSTED_PROXIES``) per minute and per hour; refused ``429`` with ``Retry-After``;
2. the **lock-out** — after ``CASESTORE_LOGIN_LOCKOUT_FAILURES`` failed log-ins in a row an account
   is locked (``423 account_locked``) until a supervisor or administrator lifts it
   (``DELETE /v1/auth/lockouts/{username}``) or ``CASESTORE_LOGIN_LOCKOUT_MINUTES`` pass (0: only
   lifting ends it). The count and the lock live in MongoDB, so every replica sees them; the two
   limits are counted per process, which is enough to slow guessing down;
3. the **account limit** — attempts per user name per minute, whoever sends them; ``429``;
4. the **password check** — Argon2 (~85 ms of CPU) in a worker thread of lower priority, at most
   ``CASESTORE_LOGIN_HASHING_THREADS`` at a time, so logins queue for the hasher instead of stalling
   every request, consumer and the scheduler on the event loop; when ``CASESTORE_LOGIN_QUEUE_LIMIT``
   log-ins already wait for a thread, ``503`` with ``Retry-After``. A user name that does not exist is
   checked against a dummy hash, so the answer takes as long either way; its failures count too.

A successful log-in clears the account's failure count.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lotsen.errors import DomainError, Unavailable
from lotsen.ratelimit import RateLimiter, TooManyRequests, WindowLimit
from services.casestore.accounts import password_matches
from services.casestore.repository import CaseRepository, Document
from services.casestore.settings import CasestoreSettings

WHO_CAN_LIFT = "a supervisor or an administrator can lift the lock-out"


class AccountLocked(DomainError):
    status = 423
    code = "account_locked"


@dataclass
class LoginGuard:
    settings: CasestoreSettings
    clients: RateLimiter
    accounts: RateLimiter
    hashing: asyncio.Semaphore
    hashers: ThreadPoolExecutor = field(repr=False)
    waiting: int = 0

    @classmethod
    def for_settings(cls, settings: CasestoreSettings) -> LoginGuard:
        per_client = [
            WindowLimit(settings.login_attempts_per_client_per_minute, 60, "a minute"),
            WindowLimit(settings.login_attempts_per_client_per_hour, 3600, "an hour"),
        ]
        per_account = [WindowLimit(settings.login_attempts_per_account_per_minute, 60, "a minute")]
        return cls(
            settings=settings,
            clients=RateLimiter(per_client, what="log-in attempts"),
            accounts=RateLimiter(per_account, what="log-in attempts"),
            hashing=asyncio.Semaphore(settings.login_hashing_threads),
            hashers=ThreadPoolExecutor(
                settings.login_hashing_threads, thread_name_prefix="argon2", initializer=_yield_the_cpu
            ),
        )

    def admit_client(self, client: str) -> None:
        """Count the attempt against the client's address, or refuse it (429)."""
        self.clients.hit(client)

    def admit_account(self, username: str) -> None:
        """Count the attempt against the account, or refuse it (429)."""
        try:
            self.accounts.hit(username)
        except TooManyRequests as exc:
            seconds = exc.details["retry_after_seconds"]
            raise TooManyRequests(
                f"too many log-in attempts for {username!r} (at most "
                f"{self.settings.login_attempts_per_account_per_minute} a minute); "
                f"try again in {seconds} seconds",
                details=exc.details,
                headers=exc.headers,
            ) from None

    async def ensure_unlocked(self, repo: CaseRepository, username: str, *, now: datetime) -> None:
        state = await repo.login_failures(username)
        if state is None or state.get("locked_at") is None:
            return
        locked_at = _aware(state["locked_at"])
        minutes = self.settings.login_lockout_minutes
        if minutes and now >= locked_at + timedelta(minutes=minutes):
            await repo.end_lockout(username, locked_at=state["locked_at"])
            return
        details: Document = {"username": username, "locked_at": locked_at.isoformat()}
        headers = None
        text = f"the account {username!r} is locked after {state['failures']} failed log-ins in a row; "
        text += WHO_CAN_LIFT
        if minutes:
            wait = max(1, math.ceil((locked_at + timedelta(minutes=minutes) - now).total_seconds()))
            text += f", or it opens by itself in {math.ceil(wait / 60)} minutes"
            details["retry_after_seconds"] = wait
            headers = {"Retry-After": str(wait)}
        raise AccountLocked(text, details=details, headers=headers)

    async def password_matches(self, password: str, password_hash: str) -> bool:
        """Argon2 in a worker thread (argon2-cffi releases the GIL), a bounded number at a time; when
        too many already wait for a thread, the caller is told to come back (503) rather than queued."""
        if self.waiting >= self.settings.login_queue_limit:
            raise Unavailable(
                "too many log-ins at once; try again in a few seconds", headers={"Retry-After": "2"}
            )
        self.waiting += 1
        try:
            await self.hashing.acquire()
        finally:
            self.waiting -= 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self.hashers, password_matches, password, password_hash)
        finally:
            self.hashing.release()

    def close(self) -> None:
        self.hashers.shutdown(wait=False, cancel_futures=True)

    async def failed(self, repo: CaseRepository, username: str, *, now: datetime) -> None:
        state = await repo.count_login_failure(username, at=now)
        if state["failures"] >= self.settings.login_lockout_failures and not state.get("locked_at"):
            await repo.lock_account(username, at=now)

    async def succeeded(self, repo: CaseRepository, username: str) -> None:
        await repo.clear_login_failures(username)


def _yield_the_cpu() -> None:
    """Run a hashing thread at a lower priority (Linux: nice +10 for this thread alone), so that when
    the cores are busy the event loop — every other request, the consumers, the scheduler — goes
    first and log-ins wait a little longer."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def _aware(moment: datetime) -> datetime:
    """MongoDB hands datetimes back without a zone; they are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
