"""The open-loop load of ``bench.flow``: web forms posted on a fixed schedule, whatever the answers.

Each form has its moment (``start + n / rate``); it is sent then on a free keep-alive connection, or on
a new one when every connection is waiting for an answer, so a slow answer never delays the next form
(a closed-loop generator would slow down with the system and hide its queueing). The schedule is
shared out over several processes, each with its own event loop, so that generating the load is not
what limits it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

CONNECTOR_KEY = "dev-connector-key"
ORGANIZATION = "karlskoga"


def address(run: str, n: int) -> str:
    return f"flow-{run}-{n}@example.se"


def subject(run: str, n: int) -> str:
    return f"Öppettider {run} {n}"


def form_request(port: int, run: str, n: int) -> bytes:
    body = json.dumps(
        {
            "form_id": "kontakta-oss",
            "organization": ORGANIZATION,
            "name": f"Flöde Testsson {n}",
            "email": address(run, n),
            "subject": subject(run, n),
            "message": "Hej! Har återvinningscentralen öppet på lördag? Jag behöver lämna grovsopor.",
        },
        ensure_ascii=False,
    ).encode()
    head = (
        f"POST /v1/contacts/webform HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"X-Connector-Key: {CONNECTOR_KEY}\r\n\r\n"
    )
    return head.encode() + body


@dataclass
class Sent:
    """What one generator process saw: per form its scheduled and actual send time, and the answer."""

    accepted: dict[int, float] = field(default_factory=dict)  # n → wall time the form was sent
    lateness: list[float] = field(default_factory=list)  # seconds each send was behind its moment
    failures: list[str] = field(default_factory=list)
    connections: int = 0


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> bytes:
    writer.write(request)
    status_line = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length)
    status = status_line.split(b" ", 2)[1] if status_line else b"---"
    return status if status == b"202" else status + b" " + body[:200]


async def _open_loop(port: int, run: str, numbers: list[int], rate: float, start: float) -> Sent:
    sent = Sent()
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    requests = {n: form_request(port, run, n) for n in numbers}

    async def send(n: int) -> None:
        # A connection left idle longer than the server's keep-alive timeout (uvicorn: 5 s) was closed
        # by the server; a client must not send on it, as browsers and HTTP libraries do not.
        while idle and idle[-1][0].at_eof():
            idle.pop()[1].close()
        if idle:
            reader, writer = idle.pop()
        else:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            sent.connections += 1
        at = time.time()
        try:
            answer = await _exchange(reader, writer, requests[n])
        except (OSError, asyncio.IncompleteReadError) as exc:
            sent.failures.append(f"form {n}: {exc!r}")
            writer.close()
            return
        if answer == b"202":
            sent.accepted[n] = at
        else:
            sent.failures.append(f"form {n}: HTTP {answer.decode('utf-8', 'replace')}")
        idle.append((reader, writer))

    tasks = []
    for n in numbers:
        due = start + n / rate
        delay = due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        sent.lateness.append(max(0.0, time.time() - due))
        tasks.append(asyncio.create_task(send(n)))
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return sent


def _generate(port: int, run: str, numbers: list[int], rate: float, start: float) -> Sent:
    return asyncio.run(_open_loop(port, run, numbers, rate, start))


async def post_open_loop(port: int, run: str, count: int, rate: float, processes: int) -> Sent:
    """Post ``count`` forms at ``rate`` per second (``inf``: all at once) from ``processes`` processes."""
    loop = asyncio.get_running_loop()
    start = time.time() + 1.0  # every process has started before the first moment
    per_second = rate if rate != float("inf") else 1e12
    with ProcessPoolExecutor(processes) as pool:
        parts = await asyncio.gather(
            *(
                loop.run_in_executor(
                    pool, _generate, port, run, list(range(i, count, processes)), per_second, start
                )
                for i in range(processes)
            )
        )
    total = Sent()
    for part in parts:
        total.accepted.update(part.accepted)
        total.lateness.extend(part.lateness)
        total.failures.extend(part.failures)
        total.connections += part.connections
    return total


async def post_burst(port: int, run: str, count: int, connections: int) -> Sent:
    """``count`` forms as fast as intake takes them, from ``connections`` keep-alive connections."""
    sent = Sent(connections=connections)

    async def client(numbers: list[int]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for n in numbers:
                at = time.time()
                answer = await _exchange(reader, writer, form_request(port, run, n))
                if answer == b"202":
                    sent.accepted[n] = at
                else:
                    sent.failures.append(f"form {n}: HTTP {answer.decode('utf-8', 'replace')}")
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    await asyncio.gather(*(client(list(range(i, count, connections))) for i in range(connections)))
    return sent
