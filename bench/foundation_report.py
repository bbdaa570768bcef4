"""The foundation benchmark's measurements, its section of ``docs/benchmarks.md`` and its console summary."""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass, field
from datetime import datetime

from bench.report import end_mark, mb, ms, percentile, secs, start_mark
from lotsen.devserver.stack import SERVICES

NAME = "foundation"
RSS_TARGET_MB = 150.0


@dataclass
class Flow:
    contacts: int
    concurrency: int
    accept_latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    post_started: dict[str, float] = field(default_factory=dict)  # subject → perf_counter at POST start
    first_listed: dict[str, float] = field(default_factory=dict)  # subject → end of the first listing
    load_started: float = 0.0
    load_ended: float = 0.0
    all_listed_at: float | None = None
    stats_reached_at: float | None = None
    poll_cycles: list[float] = field(default_factory=list)
    cases_before: int = 0
    cases_after: int = 0
    stats_before: int = 0
    stats_after: int | None = None
    stats_webform_before: int = 0
    stats_webform_after: int | None = None
    stats_error: str | None = None

    @property
    def accepted(self) -> int:
        return len(self.accept_latencies)

    @property
    def e2e_latencies(self) -> list[float]:
        return [self.first_listed[s] - t for s, t in self.post_started.items() if s in self.first_listed]

    @property
    def all_listed_after(self) -> float | None:
        return None if self.all_listed_at is None else self.all_listed_at - self.load_started

    @property
    def stats_counted_after(self) -> float | None:
        return None if self.stats_reached_at is None else self.stats_reached_at - self.load_started

    @property
    def stats_ok(self) -> bool:
        return (
            self.stats_after is not None
            and self.stats_after - self.stats_before == self.contacts
            and self.stats_webform_after is not None
            and self.stats_webform_after - self.stats_webform_before == self.contacts
        )


@dataclass
class Result:
    started: datetime
    args: argparse.Namespace
    broker: str
    database: str
    rss_idle: dict[str, int | None]
    rss_after: dict[str, int | None]
    restarts: dict[str, int]
    flow: Flow
    probes: list[float]
    probe_failures: int
    duration: float


def render(result: Result, host: dict[str, str]) -> str:
    flow = result.flow
    lines = [
        start_mark(NAME),
        "## Foundation: web form → case → figures (`bench.foundation`)",
        "",
        f"- **Run:** {result.started:%Y-%m-%d %H:%M} UTC, "
        f"`python -m bench.foundation --contacts {flow.contacts} --concurrency {flow.concurrency}`, "
        f"{result.duration:.0f} s in all",
        f"- **Machine:** {host['cpu']}, {host['cores']} cores, {host['memory']} memory; "
        f"{host['os']}; {host['python']}",
        f"- **Broker:** {result.broker}",
        f"- **Database:** {result.database}",
        "- **Services:** `LOTSEN_ENV=dev`, one process each, started by `lotsen.devserver.stack.Stack` "
        "on free ports; logs in `var/bench-logs/`. The load generator runs on the same machine and cores.",
        "",
        f"### Memory (VmRSS) — target: under {RSS_TARGET_MB:.0f} MB per service idle",
        "",
        "| service | idle after start-up (MB) | after the flow (MB) | target met (idle) |",
        "| --- | ---: | ---: | --- |",
    ]
    for name in SERVICES:
        idle = result.rss_idle.get(name)
        met = "—" if idle is None else ("met" if idle / 1024 < RSS_TARGET_MB else "**not met**")
        lines.append(f"| {name} | {mb(idle)} | {mb(result.rss_after.get(name))} | {met} |")
    if "broker (Tansu)" in result.rss_idle:
        lines.append(
            f"| broker (Tansu, no target) | {mb(result.rss_idle['broker (Tansu)'])} "
            f"| {mb(result.rss_after.get('broker (Tansu)'))} | — |"
        )
    restarted = {n: c for n, c in result.restarts.items() if c}
    if restarted:
        lines += [
            "",
            "Restarted during the run (figures after a restart are of the new process): "
            + ", ".join(f"{n} ×{c}" for n, c in restarted.items()),
        ]
    lines += [
        "",
        "Idle is read 3 s after every service answered `/readyz`; after is read once the flow ended.",
    ]

    lat = flow.accept_latencies
    load_time = flow.load_ended - flow.load_started
    lines += [
        "",
        f"### Intake: `POST /v1/contacts/webform`, {flow.contacts} contacts from "
        f"{flow.concurrency} concurrent clients",
        "",
    ]
    if lat:
        lines += [
            "| accepted (202) | failed | p50 | p95 | p99 | max | throughput |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| {len(lat)} | {len(flow.failures)} | {ms(percentile(lat, 50))} | {ms(percentile(lat, 95))} "
            f"| {ms(percentile(lat, 99))} | {ms(max(lat))} | {len(lat) / load_time:.1f} contacts/s |",
            "",
            "Latency is per request, from sending to the 202 (given only after Kafka acknowledged the "
            "contact); throughput is accepted contacts over the time from the first POST to the last answer "
            f"({load_time:.2f} s).",
        ]
    else:
        lines.append(f"No contact was accepted ({len(flow.failures)} failures).")
    if flow.failures:
        lines += ["", f"First failure: `{flow.failures[0]}`"]

    e2e = flow.e2e_latencies
    cycles = flow.poll_cycles
    lines += [
        "",
        "### End to end: POST → case listed by casestore",
        "",
        "Each contact has a unique subject, which its case keeps. While the load runs, a poller pages "
        "through `GET /v1/cases?limit=200` (as the demo agent) back to back, 50 ms apart; a case's "
        "end-to-end time runs from the start of its POST to the end of the first listing that showed it "
        "(an upper bound, by at most one poll cycle). The drain times run from the first POST.",
        "",
    ]
    if e2e:
        lines += [
            "| cases listed | p50 | p95 | p99 | max | all listed after | stats counted all after "
            "| poll cycle (mean / max) |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| {len(e2e)} of {flow.accepted} | {ms(percentile(e2e, 50))} | {ms(percentile(e2e, 95))} "
            f"| {ms(percentile(e2e, 99))} | {ms(max(e2e))} "
            f"| {secs(flow.all_listed_after)} "
            f"| {secs(flow.stats_counted_after)} "
            f"| {ms(statistics.fmean(cycles))} / {ms(max(cycles))} |",
        ]
    else:
        lines.append("No case was listed within the time limit.")

    probes = result.probes
    lines += [
        "",
        f"Single contact on an otherwise idle system ({len(probes)} probes after the load, posted one at a "
        "time; after each POST, `GET /v1/cases?limit=20` is polled every 10 ms until its case shows):",
        "",
    ]
    if probes:
        lines += [
            "| probes | failed | p50 | p95 | max |",
            "| ---: | ---: | ---: | ---: | ---: |",
            f"| {len(probes)} | {result.probe_failures} | {ms(percentile(probes, 50))} "
            f"| {ms(percentile(probes, 95))} | {ms(max(probes))} |",
        ]
    else:
        lines.append(f"No probe completed ({result.probe_failures} failed).")

    lines += ["", "### Stats check", ""]
    verdict = "OK" if flow.stats_ok else "FAIL"
    if flow.stats_after is None:
        lines.append(f"**{verdict}** — the figures could not be read: {flow.stats_error}")
    else:
        lines.append(
            f"**{verdict}** — `GET /v1/stats/volumes?group_by=channel`: total {flow.stats_before} before, "
            f"{flow.stats_after} after (+{flow.stats_after - flow.stats_before}, expected +{flow.contacts}); "
            f"webform {flow.stats_webform_before} → {flow.stats_webform_after}. "
            f"Casestore listed {flow.cases_before} → {flow.cases_after} cases."
        )
    lines.append(end_mark(NAME))
    return "\n".join(lines) + "\n"


def summary(result: Result) -> str:
    flow = result.flow
    out = [
        f"Lotsen foundation benchmark — {result.started:%Y-%m-%d %H:%M} UTC",
        f"broker: {result.broker}",
        "",
    ]
    out.append(f"{'memory (MB)':<18}{'idle':>8}{'after':>8}   target < {RSS_TARGET_MB:.0f} MB idle")
    for name in (*SERVICES, "broker (Tansu)"):
        if name not in result.rss_idle:
            continue
        idle = result.rss_idle[name]
        met = (
            ""
            if name not in SERVICES or idle is None
            else ("met" if idle / 1024 < RSS_TARGET_MB else "NOT MET")
        )
        out.append(f"{name:<18}{mb(idle):>8}{mb(result.rss_after.get(name)):>8}   {met}")
    lat = flow.accept_latencies
    out.append("")
    if lat:
        rate = len(lat) / (flow.load_ended - flow.load_started)
        out.append(
            f"intake: {len(lat)}/{flow.contacts} accepted, {len(flow.failures)} failed; "
            f"p50 {ms(percentile(lat, 50))}, p95 {ms(percentile(lat, 95))}, p99 {ms(percentile(lat, 99))}, "
            f"max {ms(max(lat))}; {rate:.1f} contacts/s"
        )
    else:
        out.append(f"intake: nothing accepted ({len(flow.failures)} failures)")
    e2e = flow.e2e_latencies
    if e2e:
        out.append(
            f"end to end: {len(e2e)}/{flow.accepted} listed; p50 {ms(percentile(e2e, 50))}, "
            f"p95 {ms(percentile(e2e, 95))}, p99 {ms(percentile(e2e, 99))}, max {ms(max(e2e))}; all listed "
            f"after {secs(flow.all_listed_after)}, stats after "
            f"{secs(flow.stats_counted_after)}"
        )
    else:
        out.append("end to end: no case listed")
    if result.probes:
        out.append(
            f"end to end, one at a time on an idle system: {len(result.probes)} probes "
            f"({result.probe_failures} failed); p50 {ms(percentile(result.probes, 50))}, "
            f"p95 {ms(percentile(result.probes, 95))}, max {ms(max(result.probes))}"
        )
    out.append(
        f"stats check: {'OK' if flow.stats_ok else 'FAIL'} "
        f"(total {flow.stats_before} → {flow.stats_after}, expected +{flow.contacts})"
    )
    return "\n".join(out)


# --- main ----------------------------------------------------------------------------------------
