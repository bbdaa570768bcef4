"""The campaign's result in words, and in docs/reliability.md with the date and the machine."""

from __future__ import annotations

import os
import platform
import re
from collections import Counter
from datetime import UTC, datetime

from tests.chaos.campaign import Outcome
from tests.chaos.stores import REPO

DOC = REPO / "docs" / "reliability.md"
BEGIN, END = "<!-- faults-results -->", "<!-- /faults-results -->"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        names = re.findall(r"model name\s*:\s*(.+)", info.read())
    if names:
        cpu = names[0].strip()
    return f"{os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}"


def summary(outcome: Outcome) -> str:
    f = outcome.findings
    channels = Counter(s.channel for s in outcome.submissions if s.accepted)
    kills = Counter(k.target for k in outcome.kills)
    retried = sum(1 for s in outcome.submissions if s.attempts > 1)
    lines = [
        f"contacts posted {len(outcome.submissions)}, acknowledged {f.acknowledged}, "
        f"not acknowledged {f.not_acknowledged}, retried by the connector {retried}",
        "acknowledged per channel: " + ", ".join(f"{k} {v}" for k, v in sorted(channels.items())),
        "SIGKILLs: " + ", ".join(f"{k} {v}" for k, v in sorted(kills.items())),
        "exits on their own (started again): " + ("; ".join(outcome.unplanned) or "none"),
        f"cases {f.cases}; lost {len(f.lost)}; contact on two cases {len(f.on_two_cases)}; "
        f"errand twice {len(f.duplicate_errands)}; cases of no posted contact {len(f.unasked_cases)}",
        f"acknowledgement e-mails {f.acknowledgements}; twice {len(f.acknowledged_twice)}; "
        f"missing {len(f.without_acknowledgement)}",
        f"stats per channel {dict(sorted(f.volumes_stats.items()))} vs recount "
        f"{dict(sorted(f.volumes_recount.items()))}; calls {f.calls_stats} vs {f.calls_recount}",
        f"load {outcome.load_seconds:.0f} s, whole campaign {outcome.total_seconds:.0f} s",
        "PASSED" if f.passed else "FAILED: " + "; ".join(f.failures()),
    ]
    return "\n".join(lines)


def write_report(outcome: Outcome) -> None:
    """Replace the results block of the Faults section (create it under the heading if absent)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    plan = outcome.plan
    block = "\n".join(
        [
            BEGIN,
            f"Last run {stamp} on {machine()}: {plan.contacts} contacts asked for, "
            f"{plan.rounds} SIGKILL round(s) of every service"
            + (" and the broker" if plan.kill_broker else "")
            + (", all at the same moment" if plan.wave else ", one at a time")
            + f", {plan.concurrency} connectors at once.",
            "",
            "```",
            summary(outcome),
            "```",
            END,
        ]
    )
    text = DOC.read_text(encoding="utf-8")
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.replace("## Faults\n", f"## Faults\n\n{block}\n", 1)
    DOC.write_text(text, encoding="utf-8")
