"""``python -m bench.search`` (in ``make bench``): ranked case search at 100,000 cases.

Loads the queue benchmark's generated cases (bench.casestore_queue: three organisations, three
years, a citizen's message and mostly a reply), gives every fifth an internal note and every tenth
an attachment, indexes them as casestore does (``search.index``) and times a first page of
``GET /v1/cases?q=`` as the API answers it (``search_results.page``: the ranked window, the page's
cases read whole and their excerpts), limit 50, for the queries people type.

``MONGODB_URL`` picks the store: unset or ``mongomock://`` is the in-memory stand-in, a
``mongodb://`` URL a real server (a temporary database, dropped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice

from bench.casestore_queue import HANDLER_DEPARTMENTS, ME, ORG, STAND_IN, generate
from bench.report import end_mark, percentile, report, start_mark
from lotsen.auth import Principal
from lotsen.mongo import close, connect
from services.casestore import case_filters, permissions, search, search_results
from services.casestore.repository import CaseQuery, CaseRepository, Document

NAME = "casestore-search"
NOTES = ("Ringde grannen om staketet", "Väntar på ritning från sökanden", "Har pratat med entreprenören")
ATTACHMENTS = ("ritning-altan.pdf", "foto_skadan.jpg", "faktura-mars.pdf")


@dataclass
class Result:
    started: datetime
    cases: int
    store: str
    repeat: int
    load_seconds: float = 0.0
    matching: dict[str, int] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)


def with_more_text(docs: list[Document], seed: int) -> list[Document]:
    """Notes on every fifth case, an attachment on every tenth, and the search fields recomputed."""
    rng = random.Random(seed)
    for n, case in enumerate(docs):
        first = case["messages"][0]
        if n % 10 == 0:
            first["attachments"] = [{"name": rng.choice(ATTACHMENTS), "sha256": f"{n:064x}"}]
        if n % 5 == 0:
            note = {"key": f"{case['_id']}.n", "direction": "internal", "channel": "internal"}
            case["messages"].append(note | {"at": first["at"], "text": rng.choice(NOTES), "automatic": False})
        case.update(search.index(case))
    return docs


def queries(reference: str) -> dict[str, tuple[Principal, CaseQuery]]:
    agent = Principal(ME, "agent")
    handler = Principal("h1", "handler", departments=HANDLER_DEPARTMENTS, organizations=(ORG,))
    return {
        'a. one word, many cases: "bygglov"': (agent, CaseQuery(organization=ORG, text="bygglov")),
        'b. typed so far: "snöröj"': (agent, CaseQuery(organization=ORG, text="snöröj")),
        'c. two words: "altan bygglov"': (agent, CaseQuery(text="altan bygglov")),
        'd. a surname: "karlsson"': (agent, CaseQuery(text="karlsson")),
        'e. a word of notes: "staketet"': (agent, CaseQuery(organization=ORG, text="staketet")),
        "f. a reference": (agent, CaseQuery(text=reference)),
        'g. handler: "mögel"': (handler, CaseQuery(text="mögel")),
        'h. nothing found: "xyzzy"': (agent, CaseQuery(text="xyzzy")),
    }


async def run(args: argparse.Namespace) -> Result:
    url = os.environ.get("MONGODB_URL") or "mongomock://"
    mock = url.startswith("mongomock")
    store = STAND_IN if mock else "a real MongoDB from `MONGODB_URL` (a temporary database, dropped after)"
    result = Result(started=datetime.now(UTC), cases=args.cases, store=store, repeat=args.repeat)
    client = connect(url)
    name = f"lotsen_bench_search_{uuid.uuid4().hex[:8]}"
    db = client[name]
    repo = CaseRepository(db)
    try:
        started = time.perf_counter()
        if not mock:
            await repo.ensure_indexes()
        docs = generate(args.cases, now=result.started, seed=args.seed)
        reference = ""
        while batch := list(islice(docs, 5000)):
            await db["cases"].insert_many(with_more_text(batch, args.seed))
            reference = batch[len(batch) // 2]["ref"]
        if mock:  # as bench.casestore_queue: loaded first, indexed after
            await repo.ensure_indexes()
        result.load_seconds = time.perf_counter() - started
        print(f"  {args.cases:,} cases loaded and indexed in {result.load_seconds:.1f} s", flush=True)
        asked = {label: permissions.narrow(q, who) for label, (who, q) in queries(reference).items()}
        for label, query in asked.items():
            result.matching[label] = await db["cases"].count_documents(case_filters.of(query))
            await search_results.page(repo, query, limit=50, cursor=None)  # warm-up
            result.latencies[label] = []
        for _ in range(args.repeat):
            for label, query in asked.items():
                t0 = time.perf_counter()
                await search_results.page(repo, query, limit=50, cursor=None)
                result.latencies[label].append(time.perf_counter() - t0)
    finally:
        if not mock:
            await client.drop_database(name)
        await close(client)
    return result


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def summary(result: Result) -> str:
    lines = [f"search at {result.cases:,} cases (p50 / p99 / max ms):"]
    for label, values in result.latencies.items():
        figures = " / ".join(_ms(x) for x in (percentile(values, 50), percentile(values, 99), max(values)))
        lines.append(f"  {label}: {result.matching[label]:,} found, {figures}")
    return "\n".join(lines)


def render(result: Result, host: dict[str, str]) -> str:
    lines = [
        start_mark(NAME),
        "## Case search (`bench.search`)",
        "",
        f"- **Run:** {result.started:%Y-%m-%d %H:%M} UTC, `python -m bench.search --cases {result.cases}"
        f" --repeat {result.repeat}`; {result.store}.",
        *(
            ["- A short run to check the benchmark; `make bench` measures 100,000 cases."]
            if result.cases < 100_000
            else []
        ),
        f"- **Machine:** {host['cpu']}, {host['cores']} cores, {host['memory']}; {host['os']};"
        f" {host['python']}.",
        f"- **Data:** {result.cases:,} generated cases (bench.casestore_queue's), every fifth with an "
        f"internal note and every tenth with an attachment, indexed by `search.index`; loaded and indexed in "
        f"{result.load_seconds:.1f} s.",
        "- **Measured:** one first page of `GET /v1/cases?q=` as the API answers it (`search_results.page`, "
        f"limit 50): the newest {search_results.WINDOW} cases the query finds with their terms, ranked,"
        " then the page's 50 read whole for their excerpts. Wall time in the benchmark's process,"
        " after one warm-up.",
        "",
        "| query | cases found | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, values in result.latencies.items():
        figures = " | ".join(_ms(x) for x in (percentile(values, 50), percentile(values, 99), max(values)))
        lines.append(f"| {label} | {result.matching[label]:,} | {figures} |")
    lines += [
        "",
        'A query that finds more than 500 cases ranks the newest 500 (docs/cases.md, "Queues and '
        'search"); its cost grows with those 500, not with the archive.',
        end_mark(NAME),
    ]
    return "\n".join(lines) + "\n"


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases stored (default 100000)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each query (default 20)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated cases (default 7)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    if args.cases < 1000 or args.repeat < 1:
        parser.error("--cases must be at least 1000 and --repeat at least 1")
    result = asyncio.run(run(args))
    report(NAME, summary(result), lambda host: render(result, host), write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(cli())
