"""``python -m bench.routing`` (part of ``make bench``): the time of one routing decision.

A decision is pure computation on a loaded ruleset (DESIGN §6; issue 4: p99 under 2 ms per contact).
This loads the demo directory and the shipped default ruleset as the routing service does at start-up,
then decides the labelled contacts of ``tests/data/routing/labelled_contacts.yaml`` over and over
(all channels, the three demo organisations, short and long texts, Swedish, English and Arabic),
timing each call to ``Router.decide`` on its own. Reported:

- start-up: building the router (the classifiers of every organisation) and compiling the ruleset;
- the first pass over the contacts, while the stemming and word caches are still cold;
- ``--decisions`` decisions after that (default 20,000): p50, p99, max, mean and decisions per second;
- the same with the ``contact.routed`` event built around each decision, as the handler does;
- each both as wall-clock time and as the CPU time of the thread, with the load average of the
  machine, since other processes on the same cores stretch the wall-clock tail.

Benchmarks report; they never fail on a target. Results are printed and written into the routing
section of ``docs/benchmarks.md`` (the other sections are left alone).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench.report import DOCS, end_mark, machine, percentile, start_mark, write_section
from lotsen.contracts.contacts import ContactReceived
from lotsen.directory import directory_from
from services.routing.decide import Router
from services.routing.handlers import routed_event
from services.routing.rules import Ruleset
from services.routing.rulesets import default_ruleset
from tests.routing_cases import LabelledContact, load_labelled

NAME = "routing"
TARGET_P99_MS = 2.0


def timed(
    calls: int, cases: list[LabelledContact], run: Callable[[LabelledContact], Any]
) -> tuple[list[float], list[float]]:
    """Seconds per call, cycling through ``cases``: wall-clock time, and this thread's CPU time."""
    wall, cpu = [], []
    wall_clock, cpu_clock = time.perf_counter, time.thread_time
    for i in range(calls):
        case = cases[i % len(cases)]
        started, started_cpu = wall_clock(), cpu_clock()
        run(case)
        cpu.append(cpu_clock() - started_cpu)
        wall.append(wall_clock() - started)
    return wall, cpu


def row(label: str, durations: list[float]) -> str:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.3f} ms"

    p99 = percentile(durations, 99)
    met = "met" if p99 * 1000 < TARGET_P99_MS else "missed"
    rate = len(durations) / sum(durations)
    return (
        f"| {label} | {len(durations)} | {ms(percentile(durations, 50))} | {ms(p99)} | "
        f"{ms(max(durations))} | {ms(statistics.fmean(durations))} | {rate:,.0f}/s | {met} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--decisions", type=int, default=20_000)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    directory = directory_from()
    router = Router(directory)
    ruleset = Ruleset(default_ruleset(directory))
    startup = time.perf_counter() - started
    cases = load_labelled()
    orgs = {o.id: o for o in directory.organizations}
    events = {
        c.id: ContactReceived(producer="intake", organization=c.organization, data=c.contact) for c in cases
    }

    def decide(case: LabelledContact) -> Any:
        return router.decide(case.contact, orgs[case.organization], ruleset)

    def decide_and_build(case: LabelledContact) -> Any:
        return routed_event(events[case.id], router, ruleset)

    load_before = os.getloadavg()[0]
    cold, cold_cpu = timed(len(cases), cases, decide)
    warm, warm_cpu = timed(args.decisions, cases, decide)
    with_event, with_event_cpu = timed(args.decisions, cases, decide_and_build)
    load_after = os.getloadavg()[0]
    words = [len((c.contact.subject or "").split()) + len(c.contact.text.split()) for c in cases]

    now = datetime.now(UTC)
    host = machine()
    header = "| | decisions | p50 | p99 | max | mean | throughput | p99 < 2 ms |"
    section = "\n".join(
        [
            start_mark(NAME),
            "## Routing: one decision on a loaded ruleset (`bench.routing`)",
            "",
            f"- **Run:** {now:%Y-%m-%d %H:%M} UTC, `python -m bench.routing --decisions {args.decisions}`",
            f"- **Machine:** {host['cpu']}, {host['cores']} cores, {host['memory']} memory; {host['os']}; "
            f"{host['python']}",
            f"- **Input:** the {len(cases)} labelled contacts (tests/data/routing/labelled_contacts.yaml), "
            f"{min(words)}–{max(words)} words each (median {statistics.median(words):g}); demo directory "
            f"({sum(len(o.categories) for o in directory.organizations)} categories in "
            f"{len(directory.organizations)} organisations); "
            f"default ruleset v1 ({len(ruleset.stored.rules)} rules)",
            f"- **Start-up:** directory, classifiers and ruleset ready in {startup * 1000:.0f} ms",
            "",
            "### Time per decision — target: p99 under 2 ms",
            "",
            header,
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
            row("first pass, cold caches — wall clock", cold),
            row("first pass, cold caches — CPU", cold_cpu),
            row("`Router.decide` — wall clock", warm),
            row("`Router.decide` — CPU", warm_cpu),
            row("decide + build the `contact.routed` event — wall clock", with_event),
            row("decide + build the `contact.routed` event — CPU", with_event_cpu),
            "",
            "Each call is timed on its own, in one process, one thread, the garbage collector on: wall clock "
            "(`time.perf_counter`) and the CPU time of the thread (`time.thread_time`). The machine's load "
            f"average was {load_before:.2f} before and {load_after:.2f} after the run on {host['cores']} "
            "cores: with other processes busy, the wall-clock tail includes the time this process waited "
            "for a core, which the CPU time leaves out. No I/O is involved: the handler's only other work "
            "per contact is the ruleset refresh check (a MongoDB query at most every "
            "`ROUTING_RULES_REFRESH_SECONDS`) and publishing.",
            end_mark(NAME),
        ]
    )
    print(section)
    write_section(NAME, section, DOCS)
    print(f"written to {DOCS}", file=sys.stderr)


if __name__ == "__main__":
    main()
