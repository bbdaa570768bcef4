"""A MongoDB wire server on a durable SQLite file (``mongoeco``), for stores that must survive a kill.

Run with the Python 3.13 interpreter of the harness's own virtualenv (mongoeco needs 3.13):
``python mongo_server.py --port N --path FILE``. It prints ``ready <uri>`` once it accepts
connections, and serves until it is stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.wire import AsyncMongoEcoProxyServer


async def serve(port: int, path: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with AsyncMongoEcoProxyServer(engine=SQLiteEngine(path), port=port) as server:
        print(f"ready {server.address.uri}", flush=True)
        await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.path))
