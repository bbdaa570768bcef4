"""``python -m bench.standin_scale`` (in ``make bench``): casestore's CPU per case on the stand-in at
1,000 and 100,000 stored cases.

Each size gets a fresh in-memory stand-in (``mongomock://``) with casestore's indexes, that many
generated cases (bench/casestore_queue.py) and as many handled event ids. Then ``--probes`` new
contacts each make the calls casestore's intake makes for a case: is the event handled, is there a
case for the contact (an equality on a unique index), the next reference number, the insert (its
unique indexes checked), the opening change (``find_one_and_update`` by ``_id`` and version), the
outbox emptied, the event remembered. The figure is process CPU time per case. The target: at
100,000 cases within 1.5× of the cost at 1,000 (lotsen/standin keeps what the server keeps in its
indexes). ``--scan`` measures mongomock's own scan of every document instead, at smaller sizes.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.casestore_queue import generate
from bench.report import report
from lotsen import standin
from lotsen.mongo import MongoDeduplicator, close, connect
from lotsen.standin import lookups
from services.casestore.repository import CaseRepository

NAME = "standin-scale"
TARGET_RATIO = 1.5


@dataclass
class Size:
    cases: int
    probes: int
    cpu_per_case: float = 0.0
    insert: list[float] = field(default_factory=list)
    find_by_contact: list[float] = field(default_factory=list)


async def measure(count: int, probes: int) -> Size:
    client = connect("mongomock://")
    db = client["standin_scale"]
    repo, handled = CaseRepository(db), MongoDeduplicator(db, "casestore", ttl_seconds=7 * 86400)
    await repo.ensure_indexes()
    await handled.ensure_indexes()
    now = datetime.now(UTC)
    cases = generate(count + probes, now=now)
    batch = []
    for i, case in zip(range(count), cases, strict=False):
        batch.append(case)
        if len(batch) == 2000 or i == count - 1:
            await db["cases"].insert_many(batch)
            await db["processed_events.casestore"].insert_many(
                [{"_id": str(uuid.uuid4()), "handled_at": now} for _ in batch]
            )
            batch = []
    size = Size(count, probes)
    started = time.process_time()
    for case in cases:
        event_id = str(uuid.uuid4())
        assert not await handled.seen(event_id)
        t0 = time.process_time()
        assert await repo.find_by_origin_contact(case["origin_contact_id"]) is None
        size.find_by_contact.append(time.process_time() - t0)
        await repo.next_sequence("KGA", now.year)
        case["version"] = 0
        t0 = time.process_time()
        await repo.insert_case(case)
        size.insert.append(time.process_time() - t0)
        outbox = [{"event_id": event_id, "topic": "cases.events", "key": case["_id"], "value": "{}"}]
        opened = await repo.commit(case, {"status": "new", "updated_at": now}, {"outbox": outbox})
        await repo.forget_published(opened["_id"], [event_id])
        await handled.remember(event_id)
    size.cpu_per_case = (time.process_time() - started) / probes
    await close(client)
    return size


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def lines(sizes: list[Size], scan: bool) -> list[str]:
    rows = [
        "| stored cases | CPU per case | insert_case | find by contact (unique index) |",
        "|---:|---:|---:|---:|",
    ]
    for s in sizes:
        rows.append(
            f"| {s.cases:,} | {s.cpu_per_case * 1000:.2f} ms | {median(s.insert) * 1000:.2f} ms"
            f" | {median(s.find_by_contact) * 1000:.3f} ms |"
        )
    ratio = sizes[-1].cpu_per_case / sizes[0].cpu_per_case
    verdict = "" if scan else (" — target met" if ratio <= TARGET_RATIO else " — target missed")
    rows.append("")
    rows.append(
        f"CPU per case at {sizes[-1].cases:,} cases is {ratio:.2f}× its cost at {sizes[0].cases:,}"
        f" (target ≤ {TARGET_RATIO}×){verdict}."
    )
    return rows


def render(sizes: list[Size], scan: bool, host: dict[str, str]) -> str:
    how = "mongomock's own scan of every document" if scan else "the stand-in with lotsen/standin's maps"
    body = [
        f"<!-- bench:{NAME}:start -->",
        "## The stand-in at scale: casestore's CPU per case",
        "",
        f"{datetime.now(UTC):%Y-%m-%d}, {host['cpu']} ({host['cores']} cores), {host['python']};"
        f" {how}; medians of {sizes[0].probes} cases per size (`python -m bench.standin_scale`).",
        "",
        *lines(sizes, scan),
        "",
        "`--scan` measures mongomock's own scan of every document for comparison (printed only): there",
        "every insert and every look-up reads every case, so the cost per case grows with the cases.",
        f"<!-- bench:{NAME}:end -->",
        "",
    ]
    return "\n".join(body)


async def main(args: argparse.Namespace) -> list[Size]:
    standin.prepare()
    if args.scan:
        from mongomock.collection import Collection

        Collection._iter_documents = lookups.original_iter_documents  # type: ignore[assignment]
    sizes = []
    for count in args.sizes:
        print(f"{count:,} cases …", flush=True)
        sizes.append(await measure(count, args.probes))
    return sizes


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.standin_scale", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated (default 1000,100000)")
    parser.add_argument("--probes", type=int, default=300, help="new cases timed per size (default 300)")
    parser.add_argument("--scan", action="store_true", help="measure mongomock's scan instead (prints only)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    sizes = asyncio.run(main(args))
    summary = "\n".join(lines(sizes, args.scan))
    report(NAME, summary, lambda host: render(sizes, args.scan, host), write=not (args.no_write or args.scan))
    return 0


if __name__ == "__main__":
    sys.exit(cli())
