"""Fixtures shared by every test.

Tests run against the embedded default (the Tansu broker, the in-memory MongoDB stand-in) unless
``KAFKA_BOOTSTRAP_SERVERS`` / ``MONGODB_URL`` point at real servers, in which case the same tests
run against those unchanged.
"""

from __future__ import annotations

import os
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pymongo
import pytest

from lotsen import mongo
from lotsen.auth import Role, issue_token
from lotsen.devserver.stack import SERVICES, Stack
from lotsen.kafka.broker import EmbeddedBroker, free_port
from lotsen.kafka.memory import InMemoryBus
from lotsen.settings import ServiceSettings
from tests.notify_support import Outbox

# A consumer that dies in a test must not SIGTERM the test runner.
os.environ.setdefault("LOTSEN_EXIT_ON_CONSUMER_FAILURE", "0")

SHARED = Path(__file__).resolve().parents[2] / "shared"
MONGODB_URL = os.environ.get("MONGODB_URL", "mongomock://")


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the repository; tests that read it skip cleanly when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present next to the repository")
    return SHARED


@pytest.fixture
def bus() -> InMemoryBus:
    return InMemoryBus()


class OwnDatabases:
    """A MongoDB client whose databases belong to one test: ``client["lotsen_casestore"]`` is
    ``lotsen_casestore_<suffix>`` on the server. The services open their databases under fixed
    names; on a real server those would carry one test's data into the next."""

    def __init__(self, client: Any, suffix: str, opened: set[str]) -> None:
        self._client = client
        self._suffix = suffix
        self._opened = opened

    def own(self, name: str) -> str:
        owned = name if name.endswith(self._suffix) else f"{name}{self._suffix}"
        self._opened.add(owned)
        return owned

    def __getitem__(self, name: str) -> Any:
        return self._client[self.own(name)]

    def get_database(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._client.get_database(self.own(name), *args, **kwargs)

    async def drop_database(self, name: Any, *args: Any, **kwargs: Any) -> Any:
        return await self._client.drop_database(
            self.own(name) if isinstance(name, str) else name, *args, **kwargs
        )

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._client, attribute)


@pytest.fixture(autouse=True)
def own_databases(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """On a real server (``MONGODB_URL=mongodb://…``), every client a test opens sees databases of
    that test alone, dropped afterwards. The stand-in needs nothing: each of its clients is empty."""
    if MONGODB_URL.startswith("mongomock://"):
        yield
        return
    suffix = f"_t{uuid.uuid4().hex[:10]}"
    opened: set[str] = set()
    connect = mongo.connect
    monkeypatch.setattr(mongo, "connect", lambda url: OwnDatabases(connect(url), suffix, opened))
    yield
    # The databases the test opened, by name: listing them all would cost more with every test.
    with pymongo.MongoClient(MONGODB_URL) as client:
        for name in sorted(opened):
            client.drop_database(name)


@pytest.fixture
async def mongo_db() -> AsyncIterator[Any]:
    """A fresh database per test, on the stand-in or on the server ``MONGODB_URL`` names."""
    client = mongo.connect(MONGODB_URL)
    name = f"lotsen_test_{uuid.uuid4().hex[:12]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await mongo.close(client)


@pytest.fixture
def dev_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LOTSEN_ENV", "dev")
    monkeypatch.setenv("MONGODB_URL", MONGODB_URL)
    yield


@pytest.fixture
def token_for() -> Callable[..., str]:
    """A bearer token as casestore would issue it, for any role (dev-mode secret)."""
    settings = ServiceSettings(env="dev")

    def make(role: Role, *, subject: str | None = None, departments: tuple[str, ...] = ()) -> str:
        return issue_token(settings, subject=subject or role, role=role, departments=departments)

    return make


@pytest.fixture(scope="session")
async def kafka_bootstrap() -> AsyncIterator[str]:
    """A broker for the whole session: the real one named by the environment, or embedded Tansu."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    async with EmbeddedBroker() as broker:
        yield broker.bootstrap_servers


# --- `make test` runs the unit tests beside the system tests ---------------------------------------
# Two pytest processes: `-m integration` (everything that starts processes, a broker or the session's
# stack, one test at a time in file order) and `-m "not integration"` (the in-process tests) at the
# same time. A test that uses the stack or a broker is an integration test whatever its folder says,
# so only one process ever starts a stack and joins the broker's consumer groups.
SYSTEM_FIXTURES = frozenset({"stack", "gateway", "kafka_bootstrap"})


@pytest.hookimpl(tryfirst=True)  # before the mark plugin selects by -m
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if SYSTEM_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


# --- the whole system as processes, as `make run` starts it, on free ports ----------------------
# One stack for the session, shared by the integration and the browser tests: two stacks on one
# broker would join the same consumer groups and share out each other's partitions.


@pytest.fixture(scope="session")
def stack_outbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outbox]:
    """The mail catcher the stack's notify sends to (the municipality's SMTP relay, here)."""
    outbox = Outbox(tmp_path_factory.mktemp("outbox"))
    yield outbox
    outbox.stop()


# What the stack's processes printed lately, shown with the report of a failing test that used it.
STACK_LOG_TAIL = 300
_stack_log: deque[str] = deque(maxlen=20_000)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed and "stack" in getattr(item, "fixturenames", ()):
        tail = list(_stack_log)[-STACK_LOG_TAIL:]
        report.sections.append((f"stack log (last {len(tail)} lines)", "\n".join(tail)))
    return report


@pytest.fixture(scope="session")
async def stack(kafka_bootstrap: str, stack_outbox: Outbox) -> AsyncIterator[Stack]:
    lines = _stack_log
    system = Stack(
        ports={**{name: free_port() for name in SERVICES}, "smtp": free_port()},  # smtp: intake's listener
        kafka_bootstrap_servers=kafka_bootstrap,
        mongodb_url=MONGODB_URL,
        log=lambda name, line: lines.append(f"{name} | {line}"),
        extra_env={
            "LOTSEN_EXIT_ON_CONSUMER_FAILURE": "1",
            "NOTIFY_SMTP_PORT": str(stack_outbox.port),
            # Every test logs in from 127.0.0.1 with the same few demo accounts, far faster than people
            # do; the log-in limits themselves are tested in tests/unit/test_casestore_login.py.
            "CASESTORE_LOGIN_ATTEMPTS_PER_CLIENT_PER_MINUTE": "100000",
            "CASESTORE_LOGIN_ATTEMPTS_PER_CLIENT_PER_HOUR": "100000",
            "CASESTORE_LOGIN_ATTEMPTS_PER_ACCOUNT_PER_MINUTE": "100000",
        },
    )
    try:
        await system.start(timeout=90)
    except Exception:
        print("\n".join(list(lines)[-80:]))
        raise
    yield system
    await system.stop()
    if os.environ.get("LOTSEN_TEST_SHOW_LOGS"):
        print("\n".join(lines))
