"""The whole system as local processes: the embedded broker, the five services, the mail catcher.

``make run`` and the integration tests use this one harness, so what the tests prove is what a
newcomer runs. Each service is its own process (``python -m services.<name>``); one that exits
unexpectedly is restarted, as an orchestrator would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from lotsen.kafka.broker import EmbeddedBroker, create_topics, free_port, port_is_free
from lotsen.process import die_with_parent

SERVICES = ("intake", "routing", "casestore", "notify", "stats")
DEFAULT_PORTS = {
    **{"intake": 8001, "routing": 8002, "casestore": 8003, "notify": 8004, "stats": 8005},
    "smtp": 2525,  # intake's SMTP listener
}

LogSink = Callable[[str, str], None]
REPO_ROOT = Path(__file__).resolve().parents[2]


def print_prefixed(name: str, line: str) -> None:
    print(f"{name:>9} | {line}", flush=True)


@dataclass
class ServiceProcess:
    name: str
    port: int
    process: asyncio.subprocess.Process | None = None
    pump: asyncio.Task[None] | None = None
    restarts: int = 0
    started_at: float = 0.0
    env: dict[str, str] = field(default_factory=dict)  # over the stack's: a further replica's own ports


@dataclass
class Stack:
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    kafka_bootstrap_servers: str | None = None
    broker_port: int | None = None
    # The embedded broker's partitions per topic. One replica of each service handles the keys of a
    # partition concurrently anyway, and at 100 contacts/s one partition cut contact → case by 40 %
    # against four (docs/benchmarks.md); more are for more replicas (tests/integration/test_replicas.py).
    partitions: int = 1
    mongodb_url: str = "mongomock://"
    sms_url: str | None = None  # the SMS catcher notify sends SMS to (``make run``); None: no SMS
    extra_env: dict[str, str] = field(default_factory=dict)
    log: LogSink = print_prefixed
    restart: bool = True
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    broker: EmbeddedBroker | None = None
    _stopping: bool = False
    _watch: asyncio.Task[None] | None = None

    @property
    def bootstrap_servers(self) -> str:
        if self.kafka_bootstrap_servers:
            return self.kafka_bootstrap_servers
        assert self.broker is not None
        return self.broker.bootstrap_servers

    def __post_init__(self) -> None:
        # intake's SMTP listener: 2525 for `make run`; a free port wherever the caller chose ports.
        self.ports.setdefault("smtp", free_port())

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    async def start(self, *, timeout: float = 60.0) -> None:
        taken = [f"{n} :{p}" for n, p in self.ports.items() if not port_is_free(p)]
        if taken:
            raise RuntimeError(f"ports already in use: {', '.join(taken)}")
        if self.kafka_bootstrap_servers:
            await create_topics(self.kafka_bootstrap_servers)
        else:
            self.broker = EmbeddedBroker(self.broker_port, partitions=self.partitions)
            await self.broker.start()
            self.log("broker", f"Tansu ready on {self.broker.bootstrap_servers}")
        for name in SERVICES:
            self.services[name] = ServiceProcess(name, self.ports[name])
            await self._spawn(self.services[name])
        await self.wait_ready(timeout=timeout)
        if self.restart:
            self._watch = asyncio.create_task(self._restart_exited())

    def service_env(self, name: str) -> dict[str, str]:
        env = {
            # The development gateway forwards the browser's address in X-Forwarded-For.
            "INTAKE_TRUSTED_PROXIES": '["127.0.0.1"]',
            "CASESTORE_TRUSTED_PROXIES": '["127.0.0.1"]',
            # The local demo receivers listen on loopback, which notify otherwise refuses as a webhook target.
            "NOTIFY_WEBHOOK_ALLOWED_NETWORKS": '["127.0.0.0/8", "::1/128"]',
            **os.environ,
            "LOTSEN_ENV": os.environ.get("LOTSEN_ENV", "dev"),
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "MONGODB_URL": self.mongodb_url,
            "PYTHONUNBUFFERED": "1",
            **({"NOTIFY_SMS_URL": self.sms_url} if self.sms_url else {}),
            **self.extra_env,
        }
        env[f"{name.upper()}_PORT"] = str(self.ports[name])
        if name == "intake":
            env["INTAKE_SMTP_PORT"] = str(self.ports["smtp"])
        if name == "casestore":  # attachment downloads fetch the file from intake
            env["CASESTORE_INTAKE_URL"] = f"http://127.0.0.1:{self.ports['intake']}"
        return env

    async def _spawn(self, svc: ServiceProcess) -> None:
        svc.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            f"services.{svc.name}",
            env={**self.service_env(svc.name), **svc.env},
            cwd=REPO_ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
        svc.started_at = time.monotonic()
        svc.pump = asyncio.create_task(self._pump(svc.name, svc.process))

    async def _pump(self, name: str, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        async for raw in process.stdout:
            self.log(name, raw.decode("utf-8", "replace").rstrip())

    async def wait_ready(self, *, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        pending = set(self.services)
        async with httpx.AsyncClient(timeout=2) as client:
            while pending and time.monotonic() < deadline:
                for name in list(pending):
                    svc = self.services[name]
                    if svc.process is not None and svc.process.returncode is not None:
                        raise RuntimeError(f"{name} exited with code {svc.process.returncode} while starting")
                    with contextlib.suppress(httpx.HTTPError):
                        if (await client.get(f"http://127.0.0.1:{svc.port}/readyz")).status_code == 200:
                            pending.discard(name)
                if pending:
                    await asyncio.sleep(0.2)
        if pending:
            raise RuntimeError(f"not ready within {timeout:.0f}s: {', '.join(sorted(pending))}")

    async def _restart_exited(self) -> None:
        while not self._stopping:
            await asyncio.sleep(0.5)
            for svc in self.services.values():
                if self._stopping or svc.process is None or svc.process.returncode is None:
                    continue
                self.log(svc.name, f"exited with code {svc.process.returncode}; restarting")
                if time.monotonic() - svc.started_at > 60:
                    svc.restarts = 0
                svc.restarts += 1
                await asyncio.sleep(min(2**svc.restarts, 30))
                if not self._stopping:
                    await self._spawn(svc)

    async def add_replica(self, name: str, *, timeout: float = 60.0) -> str:
        """Start one more process of service ``name`` on free ports, in the same consumer groups and
        on the same stores; returns the key it has in ``services`` (``<name>-2``, …)."""
        port = free_port()
        env = {f"{name.upper()}_PORT": str(port)}
        if name == "intake":
            env["INTAKE_SMTP_PORT"] = str(free_port())
        key = f"{name}-{sum(1 for svc in self.services.values() if svc.name == name) + 1}"
        self.services[key] = ServiceProcess(name, port, env=env)
        await self._spawn(self.services[key])
        await self.wait_ready(timeout=timeout)
        return key

    async def stop_service(self, name: str) -> None:
        """Stop one service (tests use it to show what survives a restart)."""
        svc = self.services[name]
        if svc.process is not None and svc.process.returncode is None:
            svc.process.terminate()
            await svc.process.wait()

    async def start_service(self, name: str, *, timeout: float = 30.0) -> None:
        await self._spawn(self.services[name])
        await self.wait_ready(timeout=timeout)

    async def stop(self) -> None:
        self._stopping = True
        if self._watch is not None:
            self._watch.cancel()
        for svc in self.services.values():
            if svc.process is not None and svc.process.returncode is None:
                svc.process.terminate()
        for svc in self.services.values():
            if svc.process is None:
                continue
            try:
                await asyncio.wait_for(svc.process.wait(), timeout=10)
            except TimeoutError:
                svc.process.kill()
                await svc.process.wait()
            if svc.pump is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(svc.pump, timeout=2)
        if self.broker is not None:
            await self.broker.stop()
