"""``python -m bench.flow`` (part of ``make bench``): the whole flow under an open-loop storm of web forms.

The system is started as ``make run`` starts it (:class:`lotsen.devserver.stack.Stack`: the embedded
Tansu broker, the five services, the in-memory MongoDB stand-in) on free ports, with a mail catcher of
the benchmark's own that notes when each acknowledgement arrives. Three loads, one after the other:

- latency: web forms posted open-loop at ``--rate`` per second (default 200) for ``--seconds``
  (default 300), on a fixed schedule whatever the answers (:mod:`bench.flow_load`);
- capacity: the same at ``--capacity-rate`` (default 500) for ``--capacity-seconds`` (default 300);
- burst: ``--burst`` forms (default 10,000) as fast as intake takes them, then the time until every
  one is a case and counted by stats.

Per contact: contact → case is the ``created`` entry of the case's timeline minus the contact's
``received_at``; case → stats is the moment stats' case count (polled every 0.1 s) reached the case,
taking cases in the order they were created, minus that ``created`` entry; acknowledgement is the
arrival of the e-mail in the mail catcher minus ``received_at``. Timelines are read for a sample of
``--timelines`` cases per load (all of them with ``--quick``). Benchmarks report; they never fail on a
target. Results go into the ``flow`` section of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

from bench.cpu import per_contact_ms, stack_cpu
from bench.flow_load import ORGANIZATION, Sent, address, post_burst, post_open_loop
from bench.flow_report import NAME, Phase, Result, render, summary
from bench.report import free_ports, report
from lotsen.devserver.stack import SERVICES, Stack

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "var" / "bench-logs" / "flow-bench.log"


class MailClock:
    """An SMTP server that keeps, per recipient, when the first message for them arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        now = time.time()
        for rcpt in envelope.rcpt_tos:
            self.arrived.setdefault(rcpt.lower(), now)
        return "250 Message accepted for delivery"


class StatsWatch:
    """Polls stats' case count; ``samples`` are (wall time, total)."""

    def __init__(self, client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> None:
        self.samples: list[tuple[float, int]] = []
        self._client, self._url, self._headers = client, url, headers

    async def total(self) -> int:
        answer = await self._client.get(f"{self._url}/v1/stats/volumes", headers=self._headers)
        answer.raise_for_status()
        return int(answer.json()["total"])

    async def run(self) -> None:
        while True:
            started = time.time()
            try:
                total = await self.total()
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
                continue
            self.samples.append((time.time(), total))
            await asyncio.sleep(max(0.0, 0.1 - (time.time() - started)))

    def reached(self, count: int) -> float | None:
        return next((at for at, total in self.samples if total >= count), None)


def wall(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


async def token(client: httpx.AsyncClient, stack: Stack, username: str) -> dict[str, str]:
    answer = await client.post(
        f"{stack.url('casestore')}/v1/auth/token", data={"username": username, "password": "lotsen-demo"}
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def cases_of(client: httpx.AsyncClient, stack: Stack, headers: dict[str, str], run: str) -> dict:  # type: ignore[type-arg]
    """The run's cases, n → case, read page by page from the case list."""
    found: dict[int, dict] = {}  # type: ignore[type-arg]
    cursor = None
    while True:
        params = {"organization": ORGANIZATION, "limit": 200, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(f"{stack.url('casestore')}/v1/cases", params=params, headers=headers)).json()
        for case in page["items"]:
            words = (case["subject"] or "").split()
            if len(words) == 3 and words[1] == run:
                found[int(words[2])] = case
        cursor = page["next_cursor"]
        if not cursor:
            return found


async def created_moments(
    client: httpx.AsyncClient, stack: Stack, headers: dict[str, str], refs: list[str]
) -> dict[str, float]:
    """ref → the ``at`` of the ``created`` entry of its timeline, eight requests at a time."""
    moments: dict[str, float] = {}
    queue = list(refs)

    async def reader() -> None:
        while queue:
            ref = queue.pop()
            answer = await client.get(f"{stack.url('casestore')}/v1/cases/{ref}/timeline", headers=headers)
            entry = next(e for e in answer.json() if e["type"] == "created")
            moments[ref] = wall(entry["at"])

    await asyncio.gather(*(reader() for _ in range(8)))
    return moments


async def settle(watch: StatsWatch, expected: int, timeout: float) -> float | None:
    """Wait until stats counted ``expected`` cases; the wall time it did, or None."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        at = watch.reached(expected)
        if at is not None:
            return at
        await asyncio.sleep(0.2)
    return None


async def measure_phase(
    name: str,
    sent: Sent,
    posting: tuple[float, float],
    *,
    client: httpx.AsyncClient,
    stack: Stack,
    headers: dict[str, str],
    run: str,
    watch: StatsWatch,
    counted_before: int,
    mails: MailClock,
    sample: int,
    timeout: float,
    cpu_before: dict[str, float],
) -> Phase:
    counted_at = await settle(watch, counted_before + len(sent.accepted), timeout)
    await asyncio.sleep(1.0)  # the last acknowledgements
    # The flow's CPU for this load, before the benchmark reads the cases and timelines back.
    cpu = per_contact_ms(cpu_before, stack_cpu(stack), len(sent.accepted))
    cases = await cases_of(client, stack, headers, run)
    missing = sorted(set(sent.accepted) - set(cases))
    if missing:  # counted by stats but not yet listed, or lost: say which, and look again
        print(f"  {len(missing)} accepted forms without a case yet, e.g. {missing[:5]}", flush=True)
        await asyncio.sleep(10)
        cases = await cases_of(client, stack, headers, run)
        missing = sorted(set(sent.accepted) - set(cases))
        print(f"  10 s later: {len(missing)} without a case, e.g. {missing[:5]}", flush=True)
    chosen = list(cases.values())
    if 0 < sample < len(chosen):
        chosen = random.Random(0).sample(chosen, sample)
    created = await created_moments(client, stack, headers, [c["ref"] for c in chosen])
    to_case = [created[c["ref"]] - wall(c["received_at"]) for c in chosen]
    # Stats count cases in the order they are created: the k-th created case was counted when the
    # total first reached counted_before + k.
    to_stats = []
    if len(chosen) == len(cases):
        for k, at in enumerate(sorted(created.values()), start=1):
            reached = watch.reached(counted_before + k)
            if reached is not None:
                to_stats.append(max(0.0, reached - at))
    acks = [
        mails.arrived[address(run, n).lower()] - wall(case["received_at"])
        for n, case in cases.items()
        if address(run, n).lower() in mails.arrived
    ]
    last_case = max(created.values(), default=None) if len(chosen) == len(cases) else None
    return Phase(
        name=name,
        posted=len(sent.accepted) + len(sent.failures),
        accepted=len(sent.accepted),
        failures=sent.failures[:5],
        posting_seconds=posting[1] - posting[0],
        first_post=posting[0],
        cases=len(cases),
        sampled=len(chosen),
        to_case=to_case,
        to_stats=to_stats,
        acks=acks,
        counted_at=counted_at,
        last_case_at=last_case,
        lateness=sent.lateness,
        connections=sent.connections,
        cpu_ms=cpu,
    )


async def run_phase(
    kind: str,
    args: argparse.Namespace,
    stack: Stack,
    client: httpx.AsyncClient,
    context: dict,  # type: ignore[type-arg]
) -> Phase:
    run = uuid.uuid4().hex[:8]
    watch: StatsWatch = context["watch"]
    before = await watch.total()
    cpu_before = stack_cpu(stack)
    started = time.time()
    if kind == "burst":
        print(f"burst: {args.burst} forms as fast as intake takes them …", flush=True)
        sent = await post_burst(stack.ports["intake"], run, args.burst, 32)
        timeout = args.drain_timeout
        sample = 0
    else:
        rate = args.rate if kind == "latency" else args.capacity_rate
        seconds = args.seconds if kind == "latency" else args.capacity_seconds
        count = int(rate * seconds)
        print(f"{kind}: {count} forms open-loop at {rate}/s …", flush=True)
        sent = await post_open_loop(stack.ports["intake"], run, count, rate, args.processes)
        timeout = args.drain_timeout
        sample = args.timelines
    posting = (min(sent.accepted.values(), default=started), time.time())
    print(
        f"  {len(sent.accepted)} accepted in {posting[1] - posting[0]:.1f} s; waiting for the flow …",
        flush=True,
    )
    for failure in sent.failures[:5]:
        print(f"  not accepted: {failure}", flush=True)
    return await measure_phase(
        kind,
        sent,
        posting,
        client=client,
        stack=stack,
        headers=context["headers"],
        run=run,
        watch=watch,
        counted_before=before,
        mails=context["mails"],
        sample=sample,
        timeout=timeout,
        cpu_before=cpu_before,
    )


def log_to(path: Path):  # type: ignore[no-untyped-def]
    path.parent.mkdir(parents=True, exist_ok=True)
    sink = path.open("w", encoding="utf-8", buffering=1)

    def log(name: str, line: str) -> None:
        sink.write(f"{name:>9} | {line}\n")

    return log


async def main(args: argparse.Namespace) -> Result:
    started = datetime.now(UTC)
    ports = free_ports(len(SERVICES) + 2)
    mails = MailClock()
    catcher = Controller(mails, hostname="127.0.0.1", port=ports[-1])
    catcher.start()
    stack = Stack(
        ports={**dict(zip(SERVICES, ports, strict=False)), "smtp": ports[-2]},
        extra_env={"NOTIFY_SMTP_PORT": str(ports[-1]), "LOTSEN_LOG_LEVEL": "WARNING"},
        log=log_to(LOG),
        partitions=args.partitions,
    )
    phases = []
    try:
        await stack.start(timeout=120)
        async with httpx.AsyncClient(timeout=60) as client:
            headers = await token(client, stack, "supervisor")
            watch = StatsWatch(client, stack.url("stats"), headers)
            poller = asyncio.create_task(watch.run())
            context = {"watch": watch, "headers": headers, "mails": mails}
            if args.warmup:
                print(f"warming up ({args.warmup} forms) …", flush=True)
                counted = await watch.total()
                await post_burst(stack.ports["intake"], "warmup", args.warmup, 8)
                await settle(watch, counted + args.warmup, args.drain_timeout)
            for kind in args.phases:
                phases.append(await run_phase(kind, args, stack, client, context))
                await asyncio.sleep(2)
            poller.cancel()
    finally:
        await stack.stop()
        catcher.stop()
    return Result(started, args, phases, os.getloadavg())


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.flow", description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=200, help="forms per second, latency (default 200)")
    parser.add_argument("--seconds", type=float, default=300, help="length of the latency load (default 300)")
    parser.add_argument(
        "--capacity-rate", type=float, default=500, help="forms per second, capacity (default 500)"
    )
    parser.add_argument("--capacity-seconds", type=float, default=300, help="length of the capacity load")
    parser.add_argument("--burst", type=int, default=10_000, help="forms in the burst (default 10,000)")
    parser.add_argument("--processes", type=int, default=2, help="load generator processes (default 2)")
    parser.add_argument(
        "--partitions", type=int, default=1, help="the embedded broker's partitions per topic (default 1)"
    )
    parser.add_argument("--timelines", type=int, default=0, help="timelines read per load (default 0: all)")
    parser.add_argument("--warmup", type=int, default=200, help="forms before measuring (default 200)")
    parser.add_argument("--drain-timeout", type=float, default=600, help="seconds to wait for the flow")
    parser.add_argument(
        "--phases",
        nargs="+",
        default=["latency", "capacity", "burst"],
        choices=["latency", "capacity", "burst"],
    )
    parser.add_argument("--quick", action="store_true", help="15 s loads and a burst of 2,000")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = args.capacity_seconds = 15
        args.burst = min(args.burst, 2000)
        args.timelines = 0
        args.drain_timeout = min(args.drain_timeout, 180)
    result = asyncio.run(main(args))
    report(NAME, summary(result), lambda host: render(result, host), write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(cli())
