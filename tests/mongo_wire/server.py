"""A MongoDB wire-protocol server on mongoeco's SQLite engine, for ``python -m tests.mongo_wire``.

Runs under the Python 3.13 interpreter that has ``mongoeco[wire]`` installed, not under Lotsen's
own: ``python server.py <sqlite file> <port>``. Prints the connection URL once it listens and
serves until it is terminated.
"""

import asyncio
import sys

from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.wire import AsyncMongoEcoProxyServer


async def serve(path: str, port: int) -> None:
    engine = SQLiteEngine(path)
    async with AsyncMongoEcoProxyServer(engine=engine, host="127.0.0.1", port=port) as server:
        print(server.address.uri, flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], int(sys.argv[2])))
