"""The figures of ``bench.casestore_login`` and their section of ``docs/benchmarks.md``."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import datetime

from bench.report import end_mark, percentile, start_mark

NAME = "casestore-login"
TARGET_MS = 50.0


@dataclass
class Phase:
    label: str
    logins_per_second: float
    seconds: float
    list_latencies: list[float] = field(default_factory=list)
    list_failures: int = 0
    login_latencies: list[float] = field(default_factory=list)
    login_answers: dict[str, int] = field(default_factory=dict)
    wall: float = 0.0
    cpu: float = 0.0


@dataclass
class Result:
    started: datetime
    args: argparse.Namespace
    phases: list[Phase]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def _stats(values: list[float]) -> str:
    if not values:
        return "— | — | — | —"
    return " | ".join(_ms(x) for x in (*(percentile(values, q) for q in (50, 95, 99)), max(values)))


def _met(phase: Phase) -> str:
    if not phase.list_latencies:
        return "—"
    return "met" if percentile(phase.list_latencies, 99) * 1000 < TARGET_MS else "**not met**"


def render(result: Result, host: dict[str, str]) -> str:
    args = result.args
    loaded = next((p for p in result.phases if p.logins_per_second), result.phases[-1])
    answers = ", ".join(f"{n:,} × {code}" for code, n in sorted(loaded.login_answers.items())) or "none"
    lines = [
        start_mark(NAME),
        "## Case list while people log in (`bench.casestore_login`)",
        "",
        f"- **Run:** {result.started:%Y-%m-%d %H:%M} UTC, `python -m bench.casestore_login --cases "
        f"{args.cases} --seconds {args.seconds:g} --logins-per-second {args.logins_per_second:g}`; "
        f"1-minute load average {args.load_average} at the start (other processes share the cores)",
        f"- **Machine:** {host['cpu']}, {host['cores']} cores, {host['memory']} memory; {host['os']}; "
        f"{host['python']}",
        "- **Setup:** one casestore process as `make run` starts it (the in-memory MongoDB stand-in, its "
        f"own embedded broker), {args.cases:,} cases opened through `POST /v1/cases`. An agent's browser "
        "asks for `GET /v1/cases?limit=50` one request after the other; in the second phase log-ins "
        f"arrive at {args.logins_per_second:g} per second whatever the answers take (open loop), each "
        "from its own address behind a trusted proxy, with the right password, so each one checks an "
        "Argon2 hash (~85 ms of CPU). The log-in limits are raised for the run so every log-in reaches "
        "the password check.",
        f"- **Target:** the case list's p99 under {TARGET_MS:.0f} ms at 20 log-ins/s.",
        "",
        "| phase | case lists | p50 | p95 | p99 | max | target | log-ins | log-in p50 | log-in p99 "
        "| casestore CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for p in result.phases:
        logins = len(p.login_latencies)
        login_p50 = _ms(percentile(p.login_latencies, 50)) if logins else "—"
        login_p99 = _ms(percentile(p.login_latencies, 99)) if logins else "—"
        lines.append(
            f"| {p.label} ({p.logins_per_second:g}/s) | {len(p.list_latencies):,} "
            f"| {_stats(p.list_latencies)} | {_met(p)} | {logins:,} | {login_p50} | {login_p99} "
            f"| {p.cpu / max(p.wall, 1e-9) * 100:.0f} % of a core |"
        )
    quiet = next((p for p in result.phases if not p.logins_per_second), None)
    if quiet and quiet.list_latencies and loaded.list_latencies:
        before, during = (percentile(p.list_latencies, 99) for p in (quiet, loaded))
        lines += [
            "",
            f"While logging in, the case list's p99 went from {_ms(before)} to {_ms(during)} ms "
            f"(×{during / before:.1f}); the load average above says how much of the two cores other "
            "processes took meanwhile, which the quiet phase shows too.",
        ]
    lines += [
        "",
        "Latencies in ms, wall clock at the client; CPU over the phase until its last log-in was "
        f"answered. Log-in answers in the second phase: {answers}; case "
        f"lists that failed: {sum(p.list_failures for p in result.phases)}. The password check runs in "
        "worker threads at a lower priority (nice +10), at most `CASESTORE_LOGIN_HASHING_THREADS` "
        "(default 2) at a time; argon2-cffi releases the GIL while it hashes, so the event loop goes on "
        "answering the case list, the consumers and the SLA scheduler, and when the cores are busy it "
        "goes first. Log-ins beyond what the hashing threads manage wait for one (the log-in p99 above), "
        "and past `CASESTORE_LOGIN_QUEUE_LIMIT` (40) waiting they are answered 503 with Retry-After. "
        "Before, the check ran on the event loop: ten log-ins in flight held every other request for "
        "their whole duration (a 10 ms sleep took 859 ms). 20 log-ins/s need about 1.7 cores of "
        "Argon2 alone; a machine that must take that rate and answer everything else quickly needs the "
        "cores for it.",
        end_mark(NAME),
    ]
    return "\n".join(lines) + "\n"


def summary(result: Result) -> str:
    out = [f"Lotsen casestore log-in benchmark — {result.started:%Y-%m-%d %H:%M} UTC"]
    for p in result.phases:
        out.append(
            f"  {p.label:<18} case list n={len(p.list_latencies):>5} "
            f"p50/p95/p99/max {_stats(p.list_latencies)} ms ({_met(p)}); "
            f"log-ins {len(p.login_latencies)} {p.login_answers}; CPU {p.cpu:.1f} s"
        )
    return "\n".join(out)
