"""One faults campaign: durable stores, the five services, load on every channel, kills, checks."""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lotsen.devserver.mailcatcher import start_mailcatcher
from lotsen.devserver.stack import SERVICES, Stack
from lotsen.kafka.broker import free_port
from tests.chaos.checks import Findings, check
from tests.chaos.faults import Faults, Kill
from tests.chaos.load import Load, Submission
from tests.chaos.stores import WORK, DurableBroker, MongoWireServer, S3Storage


def say(text: str) -> None:
    print(f"chaos | {text}", file=sys.stderr, flush=True)


@dataclass
class Plan:
    contacts: int
    rounds: int = 1  # kills of every target
    kill_broker: bool = True
    wave: bool = False  # every target killed at the same moment (the short form)
    concurrency: int = 8
    gap: tuple[float, float] = (2.0, 8.0)  # seconds between kills
    quiet: float = 90.0  # the checks stop waiting after this long without progress
    seed: int | None = None


@dataclass
class Outcome:
    plan: Plan
    findings: Findings
    submissions: list[Submission]
    kills: list[Kill]
    unplanned: list[str]
    load_seconds: float
    total_seconds: float
    log_tail: list[str] = field(default_factory=list)
    workdir: Path | None = None


async def run(plan: Plan, *, keep: bool = False) -> Outcome:
    """Start everything in a fresh directory under ``var/chaos``, run ``plan``, check, stop."""
    WORK.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=WORK))
    rng = random.Random(plan.seed)
    log: deque[str] = deque(maxlen=2000)
    began = time.monotonic()
    mongodb = MongoWireServer(workdir)
    storage = S3Storage(workdir) if plan.kill_broker else None
    broker = DurableBroker(storage, workdir / "broker.log") if storage is not None else None
    outbox = workdir / "outbox"
    mail = start_mailcatcher(outbox, port=free_port())
    stack: Stack | None = None
    orchestrator: asyncio.Task[None] | None = None
    services_log = (workdir / "services.log").open("a", encoding="utf-8")

    def keep_line(name: str, line: str) -> None:
        log.append(f"{name} | {line}")
        services_log.write(f"{name:>9} | {line}\n")

    try:
        await mongodb.ready()
        if storage is not None and broker is not None:
            await storage.ready()
            await broker.start()
        stack = Stack(
            ports={**{name: free_port() for name in SERVICES}, "smtp": free_port()},
            kafka_bootstrap_servers=broker.bootstrap_servers if broker is not None else None,
            mongodb_url=mongodb.url,
            log=keep_line,
            restart=False,  # the campaign restarts what it killed, when it chooses
            extra_env={"NOTIFY_SMTP_PORT": str(mail.port), "LOTSEN_EXIT_ON_CONSUMER_FAILURE": "1"},
        )
        await stack.start(timeout=120)
        faults = Faults(stack, broker, plan.rounds, plan.gap, rng, plan.wave)
        load = Load(stack.url("intake"), stack.ports["smtp"], uuid.uuid4().hex[:8])
        load_began = time.monotonic()
        orchestrator = asyncio.create_task(faults.orchestrate())
        await asyncio.gather(
            faults.run(began),
            load.post(plan.contacts, concurrency=plan.concurrency, also_until=faults.done),
        )
        load_seconds = time.monotonic() - load_began
        say(f"load done: {len(load.submissions)} contacts in {load_seconds:.0f} s; checking")
        (workdir / "submissions.json").write_text(
            json.dumps([{**asdict(s), "raw": None} for s in load.submissions], indent=1, default=str),
            encoding="utf-8",
        )
        findings = await check(
            mongodb_url=mongodb.url,
            stats_url=stack.url("stats"),
            outbox=outbox,
            submissions=load.submissions,
            quiet=plan.quiet,
        )
        return Outcome(
            plan,
            findings,
            load.submissions,
            faults.kills,
            faults.unplanned,
            load_seconds,
            time.monotonic() - began,
            list(log)[-300:],
            workdir if keep else None,
        )
    finally:
        if orchestrator is not None:
            orchestrator.cancel()
        if stack is not None:
            await stack.stop()
        if broker is not None:
            await broker.stop()
        for process in (storage, mongodb):
            if process is not None:
                process.stop()
        mail.stop()
        services_log.close()
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
