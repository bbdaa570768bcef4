"""Stores that survive a SIGKILL of whatever uses them: a MongoDB wire server and a durable broker.

- MongoDB: ``mongoeco``'s wire server on a SQLite file, run by Python 3.13 in the virtualenv that
  ``make test-mongo-wire`` also uses (mongoeco needs 3.13; the project is on 3.11). Every service
  reaches it by ``MONGODB_URL``, so killing a service loses nothing it had written.
- Kafka: the embedded Tansu with ``s3://`` storage on ``s3rver`` (npm, installed into
  ``tests/chaos/node_modules`` by ``make chaos``): records and committed offsets are files on
  disk, so the broker itself can be killed and started again on the same port.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx

from lotsen.kafka.broker import EmbeddedBroker, free_port, port_is_free
from lotsen.process import die_with_parent
from tests.mongo_wire import __main__ as mongo_wire

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WORK = REPO / "var" / "chaos"
S3RVER = HERE / "node_modules" / ".bin" / "s3rver"
BUCKET = "tansu"


class MissingTool(RuntimeError):
    """Something the campaign needs is not installed; the message says how to get it."""


def mongoeco_python() -> Path:
    """The Python 3.13 of ``make test-mongo-wire``'s virtualenv with mongoeco, set up on first use."""
    try:
        return mongo_wire.virtualenv()
    except SystemExit as missing:  # no Python 3.13 on this machine
        raise MissingTool(str(missing)) from None


class ManagedProcess:
    """A child process that is started, SIGKILLed and started again by the harness."""

    def __init__(self, name: str, argv: list[str], *, log: Path, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.argv = argv
        self.log = log
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                self.argv, stdout=out, stderr=subprocess.STDOUT, env=self.env, preexec_fn=die_with_parent
            )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


async def wait_for_port(port: int, name: str, process: ManagedProcess, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.process is not None and process.process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.process.returncode}; see {process.log}")
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on :{port} within {timeout:.0f}s; see {process.log}")


class MongoWireServer(ManagedProcess):
    """mongoeco on ``<dir>/lotsen.sqlite``, reached as ``mongodb://127.0.0.1:<port>``."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        server = Path(mongo_wire.__file__).with_name("server.py")
        argv = [str(mongoeco_python()), str(server), str(directory / "lotsen.sqlite"), str(self.port)]
        super().__init__("mongodb", argv, log=directory / "mongodb.log")

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    async def ready(self) -> None:
        self.start()
        await wait_for_port(self.port, "the MongoDB wire server", self)


def install_s3rver() -> None:
    """``npm ci`` in tests/chaos (s3rver, pinned by its package-lock.json) unless it is there."""
    if os.access(S3RVER, os.X_OK):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise MissingTool("the durable broker needs s3rver from npm, and npm is not installed")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True)


class S3Storage(ManagedProcess):
    """s3rver serving the bucket ``tansu`` from files in ``<dir>/s3``."""

    def __init__(self, directory: Path) -> None:
        install_s3rver()
        self.port = free_port()
        (directory / "s3").mkdir(parents=True, exist_ok=True)
        argv = [str(S3RVER), "-d", str(directory / "s3"), "-a", "127.0.0.1", "-p", str(self.port)]
        super().__init__("s3", [*argv, "--silent", "--configure-bucket", BUCKET], log=directory / "s3.log")

    @property
    def broker_env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT": f"http://127.0.0.1:{self.port}",
            "AWS_ALLOW_HTTP": "true",
            "AWS_ACCESS_KEY_ID": "S3RVER",
            "AWS_SECRET_ACCESS_KEY": "S3RVER",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    async def ready(self) -> None:
        self.start()
        deadline = time.monotonic() + 30
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.head(f"http://127.0.0.1:{self.port}/{BUCKET}")).status_code < 500:
                        return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"s3rver did not answer within 30s; see {self.log}")


class DurableBroker(EmbeddedBroker):
    """Tansu on s3rver: SIGKILL it and start it again on the same port, and the topics are still there."""

    def __init__(self, storage: S3Storage, log_file: Path) -> None:
        super().__init__(log_file=log_file, storage_engine=f"s3://{BUCKET}/", env=storage.broker_env)

    async def kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            await asyncio.to_thread(self._process.wait)
        self._process = None

    async def restart(self) -> None:
        deadline = time.monotonic() + 30
        while not port_is_free(self.port) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await self.start()
