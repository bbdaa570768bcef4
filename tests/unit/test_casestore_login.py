"""Log-in: password guessing is limited and locks the account until a supervisor lifts it, and the
password check (Argon2) runs in worker threads, a bounded number at a time, never on the event loop."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.casestore import login as login_module
from services.casestore.login import LoginGuard
from tests.casestore_support import app, client, login

__all__ = ["app", "client"]

TOKEN = "/v1/auth/token"


def attempt(client: httpx.AsyncClient, username: str, password: str, **headers: str) -> Any:
    return client.post(TOKEN, data={"username": username, "password": password}, headers=headers)


async def test_forty_wrong_passwords_lock_the_account_until_a_supervisor_lifts_it(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    settings = app.state.settings
    answers = [(await attempt(client, "agent", f"gissning-{n}")).status_code for n in range(40)]
    failures = settings.login_lockout_failures
    assert answers == [401] * failures + [423] * (40 - failures)

    right = await attempt(client, "agent", "lotsen-demo")
    assert right.status_code == 423
    error = right.json()["error"]
    assert error["code"] == "account_locked"
    assert "supervisor" in error["message"] and "administrator" in error["message"]
    assert int(right.headers["Retry-After"]) > 0
    # The lock-out is in MongoDB: another replica, with its own counters, refuses too.
    app.state.login_guard = LoginGuard.for_settings(settings)
    assert (await attempt(client, "agent", "lotsen-demo")).status_code == 423

    supervisor = await login(client, "supervisor")
    listed = (await client.get("/v1/auth/lockouts", headers=supervisor)).json()
    assert [(x["username"], x["failures"]) for x in listed] == [("agent", failures)]
    handler = await login(client, "handler")
    assert (await client.delete("/v1/auth/lockouts/agent", headers=handler)).status_code == 403
    assert (await client.delete("/v1/auth/lockouts/agent", headers=supervisor)).status_code == 204
    assert (await client.delete("/v1/auth/lockouts/agent", headers=supervisor)).status_code == 404
    assert (await attempt(client, "agent", "lotsen-demo")).status_code == 200


async def test_an_administrator_can_lift_a_lockout_too(client: httpx.AsyncClient, app: FastAPI) -> None:
    for n in range(app.state.settings.login_lockout_failures):
        await attempt(client, "supervisor", f"fel-{n}")
    assert (await attempt(client, "supervisor", "lotsen-demo")).status_code == 423
    admin = await login(client, "admin")
    assert (await client.delete("/v1/auth/lockouts/supervisor", headers=admin)).status_code == 204
    assert (await attempt(client, "supervisor", "lotsen-demo")).status_code == 200


async def test_a_successful_log_in_starts_the_count_again(client: httpx.AsyncClient, app: FastAPI) -> None:
    almost = app.state.settings.login_lockout_failures - 1
    for n in range(almost):
        assert (await attempt(client, "agent", f"fel-{n}")).status_code == 401
    assert (await attempt(client, "agent", "lotsen-demo")).status_code == 200
    for n in range(almost):
        assert (await attempt(client, "agent", f"fel-{n}")).status_code == 401
    assert (await attempt(client, "agent", "lotsen-demo")).status_code == 200


async def test_one_address_guessing_across_accounts_is_rate_limited(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    settings = app.state.settings.model_copy(update={"login_attempts_per_client_per_minute": 5})
    app.state.login_guard = LoginGuard.for_settings(settings)
    answers = [(await attempt(client, f"user-{n}", "sommar2026")).status_code for n in range(5)]
    assert answers == [401] * 5
    refused = await attempt(client, "agent", "lotsen-demo")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0


async def test_one_account_guessed_from_many_addresses_is_rate_limited(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    settings = app.state.settings.model_copy(
        update={"login_attempts_per_account_per_minute": 3, "trusted_proxies": ["127.0.0.1"]}
    )
    app.state.settings = settings
    app.state.login_guard = LoginGuard.for_settings(settings)
    for n in range(3):
        assert (
            await attempt(client, "agent", "fel", **{"X-Forwarded-For": f"203.0.113.{n}"})
        ).status_code == 401
    refused = await attempt(client, "agent", "fel", **{"X-Forwarded-For": "203.0.113.99"})
    assert refused.status_code == 429
    assert "'agent'" in refused.json()["error"]["message"]


async def test_password_checks_run_in_worker_threads_a_bounded_number_at_a_time(
    client: httpx.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_thread = threading.get_ident()
    threads: set[int] = set()
    running, most = 0, 0
    lock = threading.Lock()
    real = login_module.password_matches

    def observed(password: str, password_hash: str) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            threads.add(threading.get_ident())
        try:
            return real(password, password_hash)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(login_module, "password_matches", observed)
    answers = await asyncio.gather(*(attempt(client, "agent", "lotsen-demo") for _ in range(10)))

    assert [a.status_code for a in answers] == [200] * 10
    assert loop_thread not in threads, "Argon2 ran on the event loop"
    assert 1 <= most <= app.state.settings.login_hashing_threads


async def test_log_ins_beyond_the_queue_are_told_to_come_back(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    settings = app.state.settings.model_copy(update={"login_hashing_threads": 1, "login_queue_limit": 1})
    app.state.login_guard = LoginGuard.for_settings(settings)
    answers = await asyncio.gather(*(attempt(client, "agent", "lotsen-demo") for _ in range(8)))
    codes = sorted(a.status_code for a in answers)
    assert set(codes) == {200, 503}, codes
    refused = next(a for a in answers if a.status_code == 503)
    assert refused.json()["error"]["code"] == "unavailable" and refused.headers["Retry-After"]
