"""The flow section of ``docs/benchmarks.md``: what ``bench.flow`` measured, against the targets."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import datetime

from bench.report import end_mark, percentile, start_mark

NAME = "flow"
TO_CASE_P99 = 0.25  # seconds, at 200 contacts/s
TO_STATS_P99 = 0.5
ACK_P99 = 1.0
CAPACITY = 500.0  # contacts per second, intake to case
BURST_DRAIN = 60.0  # seconds for 10,000 contacts

# The flow before the consumers handled partitions and keys concurrently (2026-12-03, same machine,
# load average 13 from other work): 200 forms/s open loop, nothing else running in the stack.
BEFORE = """\
| Measure (200 forms/s, open loop) | Before |
|---|---|
| contact → case p50 / p99 (15 s of load) | 96 s / 226 s |
| cases 3 minutes after the last post | 780 of 3,000 |
| acknowledgement p50 / p99 | 73 s / 249 s (305 of 3,000 arrived) |
| contact → case p50 / p99, 30 s at 200/s on `make run` | 88 s / 272 s |
"""


@dataclass
class Phase:
    name: str
    posted: int
    accepted: int
    failures: list[str]
    posting_seconds: float
    first_post: float
    cases: int
    sampled: int
    to_case: list[float]
    to_stats: list[float]
    acks: list[float]
    counted_at: float | None
    last_case_at: float | None
    lateness: list[float] = field(default_factory=list)
    connections: int = 0
    cpu_ms: dict[str, float] = field(default_factory=dict)  # process → CPU milliseconds per contact

    @property
    def throughput(self) -> float | None:
        """Contacts turned into cases per second, from the first post to the last case."""
        if self.last_case_at is None or self.last_case_at <= self.first_post:
            return None
        return self.cases / (self.last_case_at - self.first_post)

    @property
    def drained(self) -> float | None:
        """Seconds from the first post until every case was listed and counted."""
        if self.counted_at is None or self.last_case_at is None or self.cases < self.accepted:
            return None
        return max(self.counted_at, self.last_case_at) - self.first_post


@dataclass(frozen=True)
class Result:
    started: datetime
    args: argparse.Namespace
    phases: list[Phase]
    load: tuple[float, float, float]


def _pct(values: list[float], q: float) -> str:
    return f"{percentile(values, q) * 1000:,.0f} ms" if values else "—"


def _met(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


def _p99_row(what: str, values: list[float], target: float) -> str:
    ok = percentile(values, 99) < target if values else None
    return f"| {what} | p99 < {target * 1000:.0f} ms | {_pct(values, 50)} / {_pct(values, 99)} | {_met(ok)} |"


def target_rows(result: Result) -> list[str]:
    rows = ["| Target | Wanted | Measured (p50 / p99, or figure) | |", "|---|---|---|---|"]
    for phase in result.phases:
        if phase.name == "latency":
            rate = result.args.rate
            rows.append(_p99_row(f"contact → case at {rate:.0f}/s", phase.to_case, TO_CASE_P99))
            rows.append(_p99_row(f"case → counted in stats at {rate:.0f}/s", phase.to_stats, TO_STATS_P99))
            rows.append(_p99_row(f"acknowledgement in the mail catcher at {rate:.0f}/s", phase.acks, ACK_P99))
        elif phase.name == "capacity":
            rate = phase.throughput
            shown = "—" if rate is None else f"{rate:,.0f} contacts/s ({phase.cases:,} cases)"
            ok = None if rate is None else rate >= CAPACITY * 0.98 and phase.cases >= phase.accepted
            latency = f"contact → case {_pct(phase.to_case, 50)} / {_pct(phase.to_case, 99)}"
            rows.append(
                f"| end to end at {result.args.capacity_rate:.0f}/s offered | ≥ {CAPACITY:.0f}/s sustained "
                f"| {shown}; {latency} | {_met(ok)} |"
            )
        else:
            drained = phase.drained
            shown = "not drained" if drained is None else f"{drained:.1f} s"
            ok = drained is not None and drained <= BURST_DRAIN * phase.accepted / 10_000
            rows.append(
                f"| burst of {phase.accepted:,} drained (listed and counted) "
                f"| {BURST_DRAIN:.0f} s per 10,000 | {shown} | {_met(ok)} |"
            )
    return rows


def phase_rows(result: Result) -> list[str]:
    rows = [
        "| Load | Posted | Accepted | Cases | Posting | Sent late, p99 | Connections | "
        "contact → case p50 / p99 / max | case → stats p50 / p99 | ack p50 / p99 (of) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in result.phases:
        to_case = f"{_pct(p.to_case, 50)} / {_pct(p.to_case, 99)} / {_pct(p.to_case, 100)}"
        rows.append(
            f"| {p.name} | {p.posted:,} | {p.accepted:,} | {p.cases:,} | {p.posting_seconds:.1f} s "
            f"| {_pct(p.lateness, 99)} | {p.connections} | {to_case} "
            f"| {_pct(p.to_stats, 50)} / {_pct(p.to_stats, 99)} "
            f"| {_pct(p.acks, 50)} / {_pct(p.acks, 99)} ({len(p.acks):,}) |"
        )
    return rows


CPU_COLUMNS = ("intake", "routing", "casestore", "notify", "stats", "broker", "load generator")


def cpu_rows(result: Result) -> list[str]:
    """CPU milliseconds per contact of each process, per load; what a replica's capacity follows from."""
    measured = [p for p in result.phases if p.cpu_ms]
    if not measured:
        return []
    rows = [
        "| Load | " + " | ".join(CPU_COLUMNS) + " | all |",
        "|---|" + "---:|" * (len(CPU_COLUMNS) + 1),
    ]
    for p in measured:
        cells = [f"{p.cpu_ms[name]:.1f}" if name in p.cpu_ms else "—" for name in CPU_COLUMNS]
        rows.append(f"| {p.name} | " + " | ".join(cells) + f" | {sum(p.cpu_ms.values()):.1f} |")
    return [
        "CPU per contact (ms; each process's CPU time from the first post until the load was counted, "
        "divided by the contacts; the load generator includes the benchmark's mail catcher and its "
        "stats poll every 0.1 s):",
        "",
        *rows,
    ]


def render(result: Result, host: dict[str, str]) -> str:
    args = result.args
    failures = [f"- {p.name}: {f}" for p in result.phases for f in p.failures]
    lines = [
        start_mark(NAME),
        "## The whole flow (`bench.flow`)",
        "",
        f"Run {result.started:%Y-%m-%d %H:%M} UTC on {host['cpu']} "
        f"({host['cores']} cores, {host['memory']}), "
        f"{host['os']}, {host['python']}; load average afterwards "
        + " / ".join(f"{x:.1f}" for x in result.load)
        + ". Everything on the same machine: the embedded Tansu broker, the five services on the "
        "in-memory MongoDB stand-in, the mail catcher and the load generator "
        f"({args.processes} processes, open loop).",
        "",
        f"Loads: {args.rate:.0f}/s for {args.seconds:.0f} s, {args.capacity_rate:.0f}/s for "
        f"{args.capacity_seconds:.0f} s, a burst of {args.burst:,}"
        + (" (`--quick`)." if args.quick else "."),
        "",
        *target_rows(result),
        "",
        *phase_rows(result),
        "",
        *cpu_rows(result),
        "",
        "contact → case: the `created` entry of the case's timeline minus the contact's `received_at`. "
        "case → stats: when stats' case count (polled every 0.1 s) reached the case, cases taken in the "
        "order they were created. ack: the acknowledgement's arrival in the mail catcher minus "
        "`received_at`. Sent late: how far behind its moment the generator sent a form.",
        "",
        "Before (the same flow before the consumers handled partitions concurrently and records in batches):",
        "",
        BEFORE,
        *(["Failures (first five per load):", "", *failures, ""] if failures else []),
        end_mark(NAME),
        "",
    ]
    return "\n".join(lines)


def summary(result: Result) -> str:
    return "\n".join([*target_rows(result), "", *phase_rows(result), "", *cpu_rows(result)])
