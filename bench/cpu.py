"""CPU time per process of a running stack, so a benchmark can say what one contact costs each part.

Read from ``/proc/<pid>/stat`` (user + system time of the process and its threads); the benchmark's
own share (its load generator processes once they have finished, the mail catcher, the stats
watch) from :func:`os.times`. Linux only; elsewhere nothing is read and the report leaves the table out.
"""

from __future__ import annotations

import os
from pathlib import Path

from lotsen.devserver.stack import Stack

BENCHMARK = "load generator"


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except OSError:
        return None
    # Fields after the command name start at the state (field 3); utime and stime are fields 14, 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def stack_cpu(stack: Stack) -> dict[str, float]:
    """CPU seconds so far of each service process, the broker and the benchmark itself."""
    pids = {name: svc.process.pid for name, svc in stack.services.items() if svc.process is not None}
    if stack.broker is not None and stack.broker.pid is not None:
        pids["broker"] = stack.broker.pid
    seconds = {name: cpu_seconds(pid) for name, pid in pids.items()}
    found = {name: value for name, value in seconds.items() if value is not None}
    return {**found, BENCHMARK: own_cpu_seconds()} if found else {}


def per_contact_ms(before: dict[str, float], after: dict[str, float], contacts: int) -> dict[str, float]:
    """Milliseconds of CPU per contact of each process measured both times."""
    if contacts <= 0:
        return {}
    return {
        name: (after[name] - before[name]) * 1000 / contacts
        for name in before
        if name in after and after[name] >= before[name]  # a process restarted meanwhile is left out
    }
