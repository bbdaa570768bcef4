"""``python -m tests.chaos [--contacts N] [--rounds R] [--report]``: the long faults campaign.

With ``--report`` the result, with the date and the machine, replaces the results table in the
"Faults" section of docs/reliability.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from tests.chaos.campaign import Plan, run
from tests.chaos.report import summary, write_report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3, help="kills of every service and the broker")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--wave", action="store_true", help="kill every target at the same moment")
    parser.add_argument("--no-broker", action="store_true", help="kill the services only")
    parser.add_argument("--keep", action="store_true", help="keep var/chaos/run-*/ (logs, outbox, stores)")
    parser.add_argument("--report", action="store_true", help="write the result to docs/reliability.md")
    args = parser.parse_args()
    plan = Plan(args.contacts, args.rounds, not args.no_broker, args.wave, args.concurrency, seed=args.seed)
    outcome = asyncio.run(run(plan, keep=args.keep))
    print(summary(outcome))
    if not outcome.findings.passed:
        print("\n".join(outcome.log_tail[-80:]))
    if args.report:
        write_report(outcome)
    return 0 if outcome.findings.passed else 1


if __name__ == "__main__":
    sys.exit(main())
