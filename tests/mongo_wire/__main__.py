"""The unit tests against a MongoDB wire-protocol server instead of the in-memory stand-in.

    python -m tests.mongo_wire [pytest arguments]        (or: make test-mongo-wire)

Sets up a Python 3.13 virtualenv with ``mongoeco[wire]`` (once; ``MONGO_WIRE_VENV``, by default
``var/mongo-wire-venv``), starts mongoeco's wire server on its SQLite engine on a free loopback
port, runs pytest's unit tests (``-m "not integration"``, ``tests/unit`` unless the arguments name
other paths or a ``-k``) with ``MONGODB_URL`` pointing at it, and stops the server and deletes its
files afterwards. The exit code is pytest's.
``MONGO_WIRE_PYTHON`` names the Python 3.13 interpreter when it is not found by itself.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymongo

REPO = Path(__file__).resolve().parents[2]
MONGOECO = "mongoeco[wire]==4.11.0"
UNIT_TESTS = ["-q", "-m", "not integration"]


def python_313() -> str:
    """The first interpreter that really is Python 3.13 (a pyenv shim may exist and not work)."""
    pyenv = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.13*/bin/python")), reverse=True)
    candidates = [os.environ.get("MONGO_WIRE_PYTHON"), *pyenv, shutil.which("python3.13")]
    for candidate in filter(None, candidates):
        probe = [candidate, "-c", "import sys; sys.exit(sys.version_info[:2] != (3, 13))"]
        if subprocess.run(probe, capture_output=True, check=False).returncode == 0:
            return candidate
    sys.exit("mongoeco needs Python 3.13: install it, or name it in MONGO_WIRE_PYTHON")


def virtualenv() -> Path:
    venv = Path(os.environ.get("MONGO_WIRE_VENV", REPO / "var" / "mongo-wire-venv"))
    python = venv / "bin" / "python"
    installed = (
        subprocess.run(
            [str(python), "-c", "import mongoeco.wire, bson"], capture_output=True, check=False
        ).returncode
        == 0
        if python.exists()
        else False
    )
    if not installed:
        print(f"setting up {venv} with {MONGOECO} …", flush=True)
        subprocess.run([python_313(), "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", MONGOECO], check=True)
    return python


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ready(url: str, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the wire server stopped at start-up (exit code {server.returncode})")
        try:
            with pymongo.MongoClient(url, serverSelectionTimeoutMS=500) as client:
                client.admin.command("ping")
                return
        except pymongo.errors.PyMongoError:
            time.sleep(0.2)
    sys.exit(f"the wire server did not answer on {url} within {timeout:.0f} s")


def main(pytest_args: list[str]) -> int:
    python = virtualenv()
    with tempfile.TemporaryDirectory(prefix="lotsen-mongo-wire-") as workdir:
        port = free_port()
        url = f"mongodb://127.0.0.1:{port}/?directConnection=true"
        server = subprocess.Popen(
            [str(python), str(Path(__file__).with_name("server.py")), f"{workdir}/store.sqlite", str(port)],
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_until_ready(url, server)
            print(f"MONGODB_URL={url}", flush=True)
            env = {**os.environ, "MONGODB_URL": url}
            command = [sys.executable, "-m", "pytest", *UNIT_TESTS, *(pytest_args or ["tests/unit"])]
            return subprocess.run(command, cwd=REPO, env=env, check=False).returncode
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
