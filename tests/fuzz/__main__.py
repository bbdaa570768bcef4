"""``make fuzz``: the long schema-fuzzing run, written to docs/reliability.md with the machine and date.

python -m tests.fuzz [examples per operation]
"""

from __future__ import annotations

import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.fuzz.campaign import ServiceResult, fuzz_service
from tests.fuzz.servers import SERVICES, running_services

REPORT = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
# What earlier runs found; each was fixed with a regression test of its own.
FOUND_EARLIER = [
    "Found by earlier runs and fixed:",
    "",
    "- `GET /v1/stats/*?from=0001-01-01`: a 500 (the period's month arithmetic left the calendar); "
    "dates are now bounded to 1900-01-01…9998-12-31 with a 422 naming the bounds "
    "(`tests/unit/test_stats_periods.py`).",
    "- `GET /v1/directory`: opening hours such as `07:30:00` were described as JSON Schema `time`, which "
    "demands a UTC offset; they are local times, and the schema now says so.",
]
HEADING = "## Schema fuzzing"


def section(results: list[ServiceResult], examples: int, seconds: float) -> str:
    lines = [
        HEADING,
        "",
        "schemathesis drives every operation of every service's OpenAPI description as every caller "
        "(anonymous, connector key, agent, handler, supervisor, admin) and checks that no answer is a 5xx, "
        "that every answer matches the schema its operation documents, and that its content type is the "
        "documented one. `make test` runs a short, derandomised form (`tests/fuzz/`, 6 examples per "
        "operation); `make fuzz` runs the long, random form below and rewrites this section.",
        "",
        f"Last long run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'} "
        f"({platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}), "
        f"up to {examples} generated examples per operation, {seconds:.0f} s in all.",
        "",
        "| service | operations | examples | requests | failures |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        lines.append(
            f"| {result.service} | {len(result.operations)} | {result.examples} | {result.examples * 6} "
            f"| {len(result.failures)} |"
        )
    failures = [f for result in results for f in result.failures]
    lines.extend(["", *FOUND_EARLIER])
    lines.append("")
    if failures:
        lines.append("What the run found (each needs a fix and a regression test):")
        lines.append("")
        lines.extend(f"- `{failure.splitlines()[0]}`" for failure in failures)
    else:
        lines.append("The run found nothing: no 5xx and no answer outside its schema.")
    return "\n".join(lines) + "\n"


def write(text: str) -> None:
    current = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Reliability\n\n"
    start = current.find(HEADING)
    if start < 0:
        REPORT.write_text(current.rstrip("\n") + "\n\n" + text, encoding="utf-8")
        return
    end = current.find("\n## ", start + len(HEADING))
    rest = current[end + 1 :] if end >= 0 else ""
    REPORT.write_text(current[:start] + text + ("\n" + rest if rest else ""), encoding="utf-8")


def main() -> int:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    os.environ["LOTSEN_FUZZ_EXAMPLES"] = str(examples)
    os.environ["LOTSEN_FUZZ_RANDOM"] = "1"
    os.environ.setdefault("LOTSEN_ENV", "dev")
    os.environ.setdefault("MONGODB_URL", "mongomock://")
    from tests.fuzz.test_openapi_fuzz import seed

    started = time.monotonic()
    with running_services() as servers:
        seed(servers)
        results = [fuzz_service(service, servers[service].url) for service in SERVICES]
    write(section(results, examples, time.monotonic() - started))
    for result in results:
        print(
            f"{result.service}: {len(result.operations)} operations, {result.examples} examples, "
            f"{len(result.failures)} failures"
        )
        for failure in result.failures:
            print("   ", failure[:2000])
    return 1 if any(r.failures for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
