"""``python -m bench.casestore_login`` (part of ``make bench``): the case list while people log in.

Every log-in checks an Argon2 hash (~85 ms of CPU). One casestore process, started as ``make run``
starts it (``python -m services.casestore``, ``LOTSEN_ENV=dev``, the in-memory MongoDB stand-in, its
own embedded Tansu broker, free ports), gets ``--cases`` cases through ``POST /v1/cases``. Then, one
phase after the other, for ``--seconds`` each:

- **quiet**: an agent's browser asks for the first page of ``GET /v1/cases`` (limit 50) again and
  again, one request after the other;
- **while logging in**: the same, while ``--logins-per-second`` log-ins arrive at a steady rate
  (open loop: a new one every 1/rate seconds, however long the earlier ones take), each with its own
  client address (``X-Forwarded-For`` from a trusted proxy, as behind the municipality's load
  balancer) and the demo accounts' right password.

The log-in limits are raised for the run (every log-in must reach the password check, which is
what is measured); the lock-out plays no part, as no password is wrong. Measured: the case list's
latency (p50, p95, p99, max) per phase, the log-ins' latency and answers, and casestore's CPU.
Target: the case list's p99 under 50 ms at 20 log-ins/s. Benchmarks report; they never fail on a
target. Results go into the ``casestore-login`` section of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.casestore_login_report import NAME, Phase, Result, render, summary
from bench.report import free_ports, report
from lotsen.kafka.broker import EmbeddedBroker

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "var" / "bench-logs" / "casestore-login-bench.log"
ACCOUNTS = ("agent", "handler", "supervisor", "admin")
UNLIMITED = "1000000"


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def start_casestore(broker: EmbeddedBroker, port: int) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "LOTSEN_ENV": "dev",
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "MONGODB_URL": "mongomock://",
        "CASESTORE_PORT": str(port),
        "CASESTORE_TRUSTED_PROXIES": '["127.0.0.1"]',
        "CASESTORE_LOGIN_ATTEMPTS_PER_CLIENT_PER_MINUTE": UNLIMITED,
        "CASESTORE_LOGIN_ATTEMPTS_PER_CLIENT_PER_HOUR": UNLIMITED,
        "CASESTORE_LOGIN_ATTEMPTS_PER_ACCOUNT_PER_MINUTE": UNLIMITED,
        "LOTSEN_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    LOG.parent.mkdir(parents=True, exist_ok=True)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.casestore",
        env=env,
        cwd=ROOT,
        stdout=LOG.open("w"),
        stderr=asyncio.subprocess.STDOUT,
    )
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(600):
            if process.returncode is not None:
                raise RuntimeError(f"casestore exited with {process.returncode}; see {LOG}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return process
            await asyncio.sleep(0.1)
    raise RuntimeError(f"casestore was not ready; see {LOG}")


async def log_in(client: httpx.AsyncClient, username: str, address: str) -> httpx.Response:
    return await client.post(
        "/v1/auth/token",
        data={"username": username, "password": "lotsen-demo"},
        headers={"X-Forwarded-For": address},
    )


async def load_cases(client: httpx.AsyncClient, count: int) -> dict[str, str]:
    token = (await log_in(client, "agent", "198.51.100.1")).json()["access_token"]
    agent = {"Authorization": f"Bearer {token}"}
    for n in range(count):
        errand = {
            "organization": "karlskoga",
            "channel": "phone",
            "category": ("bygglov", "snorojning", "bibliotek")[n % 3],
            "message": f"Samtal {n}: frågade om handläggningstiden.",
            "name": f"Bänk Testsson {n}",
            "phone": f"+4670{n:07d}",
        }
        response = await client.post("/v1/cases", json=errand, headers=agent)
        response.raise_for_status()
    return agent


async def phase(
    client: httpx.AsyncClient, agent: dict[str, str], pid: int, *, label: str, seconds: float, rate: float
) -> Phase:
    result = Phase(label=label, logins_per_second=rate, seconds=seconds)
    answers: Counter[str] = Counter()
    logins: list[asyncio.Task[None]] = []

    async def one_login(n: int) -> None:
        started = time.perf_counter()
        address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        try:
            response = await log_in(client, ACCOUNTS[n % len(ACCOUNTS)], address)
        except httpx.TimeoutException:
            answers["no answer in 120 s"] += 1
            return
        except httpx.TransportError as exc:  # the connection went away under the client
            answers[type(exc).__name__] += 1
            return
        result.login_latencies.append(time.perf_counter() - started)
        answers[str(response.status_code)] += 1

    async def arrivals() -> None:
        n, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            logins.append(asyncio.create_task(one_login(n)))
            n += 1
            await asyncio.sleep(max(0.0, n / rate - elapsed))

    cpu_before, start = cpu_seconds(pid), time.perf_counter()
    arriving = asyncio.create_task(arrivals()) if rate else None
    while time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        try:
            response = await client.get("/v1/cases", params={"limit": 50}, headers=agent)
        except httpx.TransportError:
            result.list_failures += 1
            continue
        result.list_latencies.append(time.perf_counter() - t0)
        if response.status_code != 200:
            result.list_failures += 1
    if arriving is not None:
        await arriving
        await asyncio.gather(*logins)
    result.wall = time.perf_counter() - start
    result.cpu = cpu_seconds(pid) - cpu_before
    result.login_answers = dict(answers)
    return result


async def main(args: argparse.Namespace) -> Result:
    started = datetime.now(UTC)
    (port,) = free_ports(1)
    broker = EmbeddedBroker(partitions=1)
    await broker.start()
    process = await start_casestore(broker, port)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=120, limits=limits
        ) as client:
            print(f"opening {args.cases} cases …", flush=True)
            agent = await load_cases(client, args.cases)
            await phase(client, agent, process.pid, label="warm-up", seconds=2, rate=0)
            phases = []
            for label, rate in (("quiet", 0.0), ("while logging in", args.logins_per_second)):
                print(f"{label}: {args.seconds:.0f} s of case lists at {rate:g} log-ins/s …", flush=True)
                phases.append(
                    await phase(client, agent, process.pid, label=label, seconds=args.seconds, rate=rate)
                )
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), timeout=30)
            except TimeoutError:
                process.kill()
        await broker.stop()
    return Result(started=started, args=args, phases=phases)


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.casestore_login", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--cases", type=int, default=300, help="cases opened before measuring (default 300)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase (default 20)")
    parser.add_argument(
        "--logins-per-second", type=float, default=20.0, help="log-ins arriving per second (default 20)"
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.seconds <= 0 or args.logins_per_second <= 0:
        parser.error("--cases, --seconds and --logins-per-second must be positive")
    args.load_average = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    result = asyncio.run(main(args))
    report(NAME, summary(result), lambda host: render(result, host), write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(cli())
