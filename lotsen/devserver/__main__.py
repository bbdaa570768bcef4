"""``python -m lotsen.devserver`` (what ``make run`` starts): Lotsen on this machine, Ctrl-C to stop."""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import sys
from pathlib import Path

from lotsen.devserver.gateway import DEFAULT_DIST, start_gateway
from lotsen.devserver.mailcatcher import start_mailcatcher
from lotsen.devserver.smscatcher import start_smscatcher
from lotsen.devserver.stack import SERVICES, Stack
from lotsen.kafka.broker import port_is_free

ROOT = Path(__file__).resolve().parents[2]
VAR = Path(os.environ.get("LOTSEN_VAR_DIR") or ROOT / "var")


def _take_lock() -> int:
    VAR.mkdir(exist_ok=True)
    fd = os.open(VAR / "run.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = os.pread(fd, 32, 0).decode().strip() or "?"
        sys.exit(f"Lotsen is already running here (pid {pid}). Stop it with Ctrl-C in its terminal first.")
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


async def main() -> None:
    _take_lock()
    broker_port = 9092
    external_kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    busy = [
        str(p)
        for p in (*range(8001, 8007), 1025, 2525, 8080, *(() if external_kafka else (broker_port,)))
        if not port_is_free(p)
    ]
    if busy:
        sys.exit(f"Ports {', '.join(busy)} on 127.0.0.1 are in use by another program; Lotsen needs them.")
    mail = start_mailcatcher(VAR / "outbox", port=1025)
    sms = start_smscatcher(VAR / "sms", port=8006)
    stack = Stack(
        kafka_bootstrap_servers=external_kafka,
        broker_port=broker_port,
        mongodb_url=os.environ.get("MONGODB_URL", "mongomock://"),
        sms_url=sms.url,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    gateway = None
    try:
        await stack.start()
        # LOTSEN_DEV_TILES=1: the fault-report map without the internet (lotsen/devserver/devtiles.py).
        dev_tiles = os.environ.get("LOTSEN_DEV_TILES", "") not in ("", "0")
        gateway = start_gateway(stack.ports, DEFAULT_DIST, port=8080, dev_tiles=dev_tiles)
        print(
            "\nLotsen is running:\n"
            + f"  web app   {gateway.url}  (workspace: {gateway.url}/arbetsyta)\n"
            + "".join(
                f"  {name:<9} {stack.url(name)}  (OpenAPI: {stack.url(name)}/docs)\n" for name in SERVICES
            )
            + f"  kafka     {stack.bootstrap_servers}\n"
            + f"  mail      smtp://127.0.0.1:1025 → {VAR / 'outbox'}\n"
            + f"  sms       {sms.url} → {VAR / 'sms'}\n"
            + "  demo accounts: agent, handler, supervisor, admin (password lotsen-demo); "
            + "connector key dev-connector-key; Open311 key dev-open311-key\n"
            + "Press Ctrl-C to stop.\n",
            flush=True,
        )
        await stop.wait()
    finally:
        print("\nStopping Lotsen …", flush=True)
        await stack.stop()
        if gateway is not None:
            gateway.stop()
        mail.stop()
        sms.stop()


if __name__ == "__main__":
    asyncio.run(main())
