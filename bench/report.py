"""What every benchmark shares: the machine it ran on, percentiles, memory readings and the results file.

Each benchmark owns one section of ``docs/benchmarks.md``, between
``<!-- bench:<name>:start -->`` and ``<!-- bench:<name>:end -->``, and replaces only that section.
"""

from __future__ import annotations

import contextlib
import os
import platform
from collections.abc import Callable
from pathlib import Path

from lotsen.kafka.broker import free_port

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
DOC_INTRO = (
    "# Benchmarks\n\n"
    "How to run: `make bench`; each section states the machine and the date.\n"
    "Benchmarks report figures against their targets; they never fail on a target.\n"
)


def start_mark(name: str) -> str:
    return f"<!-- bench:{name}:start -->"


def end_mark(name: str) -> str:
    return f"<!-- bench:{name}:end -->"


def rss_kb(pid: int | None) -> int | None:
    """VmRSS of a process in kB, or None when it is gone (or this is not Linux)."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n*q/100), at least 1
    return ordered[int(rank) - 1]


def _first_line(path: str, key: str) -> str | None:
    with contextlib.suppress(OSError), open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    return None


def machine() -> dict[str, str]:
    cpu = _first_line("/proc/cpuinfo", "model name") or platform.processor() or platform.machine()
    mem = _first_line("/proc/meminfo", "MemTotal")
    mem_text = f"{int(mem.split()[0]) / 1024 / 1024:.1f} GiB" if mem else "unknown"
    os_text = platform.platform()
    with contextlib.suppress(OSError):
        os_release = dict(
            line.rstrip("\n").split("=", 1)
            for line in Path("/etc/os-release").read_text().splitlines()
            if "=" in line
        )
        if "PRETTY_NAME" in os_release:
            os_text = f"{os_release['PRETTY_NAME'].strip(chr(34))} ({os_text})"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count() or "?"),
        "memory": mem_text,
        "os": os_text,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
    }


def mb(kb: int | None) -> str:
    return "—" if kb is None else f"{kb / 1024:.1f}"


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.1f} ms"


def secs(seconds: float | None) -> str:
    return "not reached" if seconds is None else f"{seconds:.2f} s"


def write_section(name: str, section: str, path: Path = DOCS) -> None:
    """Put ``section`` (which starts and ends with its marks) into the results file."""
    text = path.read_text(encoding="utf-8") if path.exists() else DOC_INTRO
    start, end = text.find(start_mark(name)), text.find(end_mark(name))
    if start != -1 and end > start:
        text = text[:start] + section.rstrip("\n") + text[end + len(end_mark(name)) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def report(name: str, summary: str, render: Callable[[dict[str, str]], str], *, write: bool) -> None:
    """Print a benchmark's summary and, unless ``--no-write``, put its section into the results file."""
    print()
    print(summary)
    if write:
        write_section(name, render(machine()))
        print(f"\nwritten to {DOCS.relative_to(ROOT)}")
