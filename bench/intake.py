"""``python -m bench.intake`` (part of ``make bench``): one intake process, web forms and SMTP under load.

Started as ``make run`` starts it (``python -m services.intake``, ``LOTSEN_ENV=dev``, the in-memory
MongoDB stand-in) against its own embedded Tansu broker, on free ports. Measured, one after the other:

- web forms as citizens' browsers send them (no ``Idempotency-Key``): ``--forms`` posts of
  ``POST /v1/contacts/webform`` from ``--clients`` concurrent keep-alive connections;
- web forms as an e-service platform sends them (an ``Idempotency-Key`` each, so every contact also
  claims and confirms a record in MongoDB): ``--keyed-forms`` posts;
- e-mail: ``--mails`` messages over SMTP from ``--smtp-clients`` concurrent sessions (aiosmtplib), each
  session delivering one message after the other as an MTA does (idempotent on the Message-ID);
- per load: latency per request until the 202 / 250 (given only after Kafka acknowledged the contact
  with ``acks=all``), throughput over the wall time, and the CPU time the intake process used;
- then a second, smaller run with intake under cProfile: its top functions go into the section
  (``--no-profile`` skips it).

Targets: web forms ≥ 1,500 contacts/s with p99 < 50 ms; e-mail ≥ 300 messages/s. The load generator
is a lean HTTP/1.1 client (pre-encoded requests on keep-alive connections) so that as little as possible
of the shared cores goes to generating load. All requests carry the connector key (no rate limit).
Benchmarks report; they never fail on a target. Results go into the ``intake`` section of
``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx

from bench.intake_report import NAME, Load, Result, render, server_stack, summary, top_functions
from bench.report import free_ports, report
from lotsen.contracts import topics
from lotsen.kafka.broker import EmbeddedBroker
from lotsen.kafka.publisher import KafkaPublisher

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "var" / "bench-logs" / "intake-bench.log"
CONNECTOR_KEY = "dev-connector-key"


# --- the intake process ----------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def start_intake(
    broker: EmbeddedBroker, http: int, smtp: int, profile: Path | None
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "LOTSEN_ENV": "dev",
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "MONGODB_URL": "mongomock://",
        "INTAKE_PORT": str(http),
        "INTAKE_SMTP_PORT": str(smtp),
        "LOTSEN_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    command = ["-m", "services.intake"]
    if profile is not None:
        command = ["-m", "cProfile", "-o", str(profile), *command]
    LOG.parent.mkdir(parents=True, exist_ok=True)
    process = await asyncio.create_subprocess_exec(
        sys.executable, *command, env=env, cwd=ROOT, stdout=LOG.open("w"), stderr=asyncio.subprocess.STDOUT
    )
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(300):
            if process.returncode is not None:
                raise RuntimeError(f"intake exited with {process.returncode}; see {LOG}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"http://127.0.0.1:{http}/readyz")).status_code == 200:
                    return process
            await asyncio.sleep(0.1)
    raise RuntimeError(f"intake was not ready; see {LOG}")


# --- web forms ---------------------------------------------------------------------------------------------


def form_request(port: int, run: str, n: int, *, keyed: bool) -> bytes:
    body = json.dumps(
        {
            "form_id": "kontakta-oss",
            "organization": "karlskoga",
            "name": f"Bänk Testsson {n}",
            "email": f"bench{n}@example.se",
            "subject": f"Öppettider {run} {n}",
            "message": "Hej! Har återvinningscentralen öppet på lördag? Jag behöver lämna grovsopor.",
        },
        ensure_ascii=False,
    ).encode()
    head = (
        f"POST /v1/contacts/webform HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"X-Connector-Key: {CONNECTOR_KEY}\r\n"
        + (f"Idempotency-Key: bench-{run}-{n}\r\n" if keyed else "")
        + "\r\n"
    )
    return head.encode() + body


async def http_client(port: int, requests: list[bytes], load: Load) -> None:
    """A keep-alive HTTP/1.1 connection sending its share one after the other."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for request in requests:
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await reader.readexactly(length)
            status = status_line.split(b" ", 2)[1] if status_line else b"---"
            if status == b"202":
                load.latencies.append(time.perf_counter() - started)
            else:
                load.failures.append(f"HTTP {status.decode()}: {body[:200].decode('utf-8', 'replace')}")
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def measured(
    pid: int, items: list[bytes], clients: int, sender: Callable[[list[bytes], Load], Awaitable[None]]
) -> Load:
    """``items`` shared out over ``clients`` concurrent senders; wall time and intake's CPU time."""
    load = Load(len(items), clients)
    cpu = cpu_seconds(pid)
    started = time.perf_counter()
    await asyncio.gather(*(sender(items[i::clients], load) for i in range(clients)))
    load.wall = time.perf_counter() - started
    load.cpu = cpu_seconds(pid) - cpu
    return load


async def form_load(port: int, pid: int, count: int, clients: int, *, keyed: bool) -> Load:
    run = uuid.uuid4().hex[:8]
    requests = [form_request(port, run, n, keyed=keyed) for n in range(count)]
    return await measured(pid, requests, clients, functools.partial(http_client, port))


# --- e-mail over SMTP ------------------------------------------------------------------------------------


def mail(run: str, n: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Bänk Testsson <bench{n}@example.se>"
    message["To"] = "kommun@karlskoga.example"
    message["Subject"] = f"Fråga om bygglov {run} {n}"
    message["Message-ID"] = f"<bench-{run}-{n}@example.se>"
    message["Date"] = "Mon, 02 Mar 2026 08:41:12 +0100"
    message.set_content(
        "Hej!\n\nBehöver jag bygglov för att bygga en altan på 25 kvm som är 1,2 meter hög?\n\n"
        "Med vänliga hälsningar\nBänk Testsson\n"
    )
    return message.as_bytes()


async def smtp_session(port: int, messages: list[bytes], load: Load) -> None:
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=60) as smtp:
        for raw in messages:
            started = time.perf_counter()
            try:
                await smtp.sendmail("mta@karlskoga.example", ["kommun@karlskoga.example"], raw)
            except aiosmtplib.SMTPException as exc:
                load.failures.append(f"SMTP: {exc}")
                continue
            load.latencies.append(time.perf_counter() - started)


async def smtp_load(port: int, pid: int, count: int, clients: int) -> Load:
    run = uuid.uuid4().hex[:8]
    messages = [mail(run, n) for n in range(count)]
    return await measured(pid, messages, clients, functools.partial(smtp_session, port))


# --- the run ------------------------------------------------------------------------------------------------


async def kafka_load(bootstrap: str, count: int, clients: int) -> Load:
    """The broker alone: records of a contact's size published as intake does, ``clients`` in flight."""
    publisher = KafkaPublisher(bootstrap, client_id="bench-intake")
    await publisher.start()
    load = Load(count, clients)
    value = b"x" * 900

    async def client(n: int) -> None:
        for _ in range(n):
            started = time.perf_counter()
            await publisher.publish_raw(topics.CONTACTS_RECEIVED, value, key=uuid.uuid4().bytes)
            load.latencies.append(time.perf_counter() - started)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(client(count // clients) for _ in range(clients)))
        load.wall = time.perf_counter() - started
    finally:
        await publisher.stop()
    return load


async def measure(args: argparse.Namespace, profile_file: Path | None) -> tuple[Load, Load, Load, Load]:
    """One intake process on its own broker: warm-up, the three loads one after the other, then the
    broker alone."""
    http, smtp = free_ports(2)
    broker = EmbeddedBroker(partitions=4)
    await broker.start()
    process = await start_intake(broker, http, smtp, profile_file)
    try:
        print(f"warming up ({args.warmup} forms) …", flush=True)
        await form_load(http, process.pid, args.warmup, min(args.clients, args.warmup), keyed=False)
        print(f"web forms without Idempotency-Key: {args.forms} from {args.clients} clients …", flush=True)
        forms = await form_load(http, process.pid, args.forms, args.clients, keyed=False)
        print(f"web forms with Idempotency-Key: {args.keyed_forms} from {args.clients} clients …", flush=True)
        keyed = await form_load(http, process.pid, args.keyed_forms, args.clients, keyed=True)
        print(f"e-mail: {args.mails} over SMTP from {args.smtp_clients} sessions …", flush=True)
        mails = await smtp_load(smtp, process.pid, args.mails, args.smtp_clients)
        print(f"the broker alone: {args.forms} records, {args.clients} in flight …", flush=True)
        kafka = await kafka_load(broker.bootstrap_servers, args.forms, args.clients)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)  # uvicorn stops cleanly, and cProfile writes its file
            try:
                await asyncio.wait_for(process.wait(), timeout=30)
            except TimeoutError:
                process.kill()
        await broker.stop()
    return forms, keyed, mails, kafka


async def main(args: argparse.Namespace) -> Result:
    started = datetime.now(UTC)
    forms, keyed, mails, kafka = await measure(args, None)
    profile = None
    if args.profile:
        # A second, smaller run under cProfile, so the profiler's overhead stays out of the figures.
        print("profiling a second run …", flush=True)
        halves = {name: max(1, getattr(args, name) // 2) for name in ("forms", "keyed_forms", "mails")}
        small = argparse.Namespace(**{**vars(args), **halves})
        profile_file = Path(tempfile.mkstemp(suffix=".prof")[1])
        await measure(small, profile_file)
        profile = top_functions(profile_file)
    return Result(started, args, forms, keyed, mails, kafka, server_stack(), profile)


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.intake", description=__doc__.split("\n")[0])
    parser.add_argument("--forms", type=int, default=4000, help="web forms without a key (default 4000)")
    parser.add_argument(
        "--keyed-forms", type=int, default=1000, help="web forms with an Idempotency-Key (default 1000)"
    )
    parser.add_argument("--clients", type=int, default=32, help="concurrent HTTP clients (default 32)")
    parser.add_argument("--mails", type=int, default=1000, help="messages over SMTP (default 1000)")
    parser.add_argument("--smtp-clients", type=int, default=16, help="concurrent SMTP sessions (default 16)")
    parser.add_argument("--warmup", type=int, default=300, help="forms posted before measuring (default 300)")
    parser.add_argument(
        "--no-profile", dest="profile", action="store_false", help="skip the profiled second run"
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    if min(args.forms, args.keyed_forms, args.clients, args.mails, args.smtp_clients, args.warmup) < 1:
        parser.error("every count must be at least 1")
    args.load_average = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    result = asyncio.run(main(args))
    report(NAME, summary(result), lambda host: render(result, host), write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(cli())
