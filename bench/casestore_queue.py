"""``python -m bench.casestore_queue`` (in ``make bench``): the case queue's first page at up to 1M cases.

Loads generated cases (three organisations, ~60 categories, three years, mostly closed) into a
temporary database and times ``CaseRepository.list`` for the queues agents and handlers open all
day, each with ``limit=50`` and no cursor, plus a second page through the cursor. The target is a
p99 under 50 ms for a filtered first page at 1M cases on MongoDB.

``MONGODB_URL`` picks the store: unset or ``mongomock://`` is the in-memory stand-in, a
``mongodb://`` URL a real server, where the benchmark creates its own database and drops it
afterwards, and also records the server's winning plan for each query (``explain``).

On the stand-in the cases are loaded first and indexed afterwards (mongomock once checked a unique
index by scanning the whole collection for every inserted document, so loading behind
``ensure_indexes()`` was quadratic), and the cost of one ``insert_case`` with the indexes in place is
measured separately. A real server gets its indexes first, as in production. The issue's target on
the stand-in is a p99 under 100 ms per query at 20,000 cases (``--sizes 20000``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from bench.casestore_queue_report import NAME, PAGE_2, Run, SizeResult, plan_text, render, summary
from bench.report import report, rss_kb
from lotsen.auth import Principal
from lotsen.mongo import close, connect
from services.casestore import case_filters, permissions, repository, search
from services.casestore.repository import CaseQuery, CaseRepository, Document

STAND_IN = "the in-memory stand-in (`mongomock://`: mongomock 4.3 through pymongo-async-mock)"
ORG, GROUP, HANDLER_DEPARTMENTS = "karlskoga", "bygg-miljo", ("samhallsbyggnad", "skola")
ORGANIZATIONS = (("karlskoga", "KGA", 80), ("degerfors", "DEG", 12), ("karlskogahem", "KHEM", 8))
CHANNELS = (("email", 40), ("phone", 25), ("webform", 20), ("facebook", 8), ("visit", 4), ("letter", 3))
# department (answer group, share of a municipality's cases): category keywords|… ; the social
# categories are confidential. Karlskogahem's cases are about housing.
CATALOGUE = {
    ("samhallsbyggnad", "bygg-miljo", 34): (
        "bygglov:bygglov|altan|bygglov_för_altan|uterum|carport|inglasning_av_altan ritningsarkiv:ritning"
        " detaljplan:detaljplan tomter-mark:tomtkö kartor-matning:nybyggnadskarta"
        " bostadsanpassning:bostadsanpassning miljoskydd:miljötillsyn halsoskydd:mögel|buller"
        " livsmedel:livsmedelskontroll eldning-kompost:eldning|kompost skadedjur:råttor sotning:sotning"
        " felanmalan-gata-park:gatlampa|gupp trafik:hastighet|trafiksäkerhet trad-gronytor:trädfällning"
        " snorojning:snöröjning|plogning vatten-avlopp:vattenläcka avfall:sophämtning|soptunna"
        " parkering:parkeringsbot parkeringstillstand:parkeringstillstånd"
    ),
    ("skola", "barn-skola", 18): (
        "forskoleplacering:förskoleplats barnomsorgsavgift:maxtaxa fritidshem:fritids"
        " skolplacering:skolval|skolbyte skolskjuts:skolskjuts gymnasium:gymnasieval vuxenutbildning:komvux"
        " skolmat:skolmat elevhalsa:skolsköterska krankande-behandling:mobbning"
    ),
    ("social", "aldre-funktionsstod", 3): (
        "bistand-aldre:hemtjänst trygghetslarm:trygghetslarm fardtjanst:färdtjänst hjalpmedel:rullator"
    ),
    ("social", "socialtjanst", 3): (
        "forsorjningsstod:försörjningsstöd orosanmalan:orosanmälan vardnad-umgange:umgänge"
        " budget-skuldradgivning:skuldrådgivning"
    ),
    ("kultur", "ovrigt", 12): (
        "bibliotek:lånekort kultur-fritid:evenemang idrott-anlaggningar:simhall lokalbokning:halltider"
        " foreningsbidrag:föreningsbidrag kulturskola:kulturskolan"
    ),
    ("folkhalsa", "ovrigt", 3): "folkhalsa-forebyggande:folkhälsa trygghet-brottsforebyggande:otrygg",
    ("ledningskontoret", "ovrigt", 27): (
        "synpunkt:synpunkt|klagomål allmanna-handlingar:allmän_handling val:förtidsröstning"
        " fakturor:faktura|autogiro lediga-jobb:lediga_jobb foretag:företagslots vigsel:vigsel"
    ),
}
HOUSING = {
    ("fastighet", "hyresgastservice", 60): "felanmalan-lagenhet:kylskåp|balkong storningar:störning",
    ("uthyrning", "hyresgastservice", 40): "hyra:hyresavi bostadsko:bostadskö uppsagning-flytt:uppsägning"
    " andrahand:andrahandsuthyrning",
}
# Status by the case's age in days: new work is recent; a tail of old cases is still open.
STATUS_BY_AGE = (
    (2, {"new": 30, "open": 40, "pending_citizen": 10, "handed_off": 12, "resolved": 8}),
    (14, {"new": 3, "open": 17, "pending_citizen": 8, "handed_off": 14, "resolved": 50, "closed": 8}),
    (60, {"open": 5, "pending_citizen": 2, "handed_off": 5, "resolved": 2, "closed": 86}),
    (None, {"open": 0.6, "pending_citizen": 0.2, "handed_off": 0.5, "closed": 98.7}),
)
AGENTS = tuple(f"agent{n:02d}" for n in range(1, 41))
ME = "agent07"
FIRST = ("anna", "erik", "maria", "lars", "karin", "per", "eva", "johan", "sara", "ali", "fatima", "nils")
LAST = ("andersson", "johansson", "karlsson", "nilsson", "eriksson", "larsson", "olsson", "persson", "berg")
SUBJECTS = ("Fråga om {}", "{} – hur gör jag?", "Angående {}", "Hej, gäller {}", "{}")
Row = tuple[str, str, str, list[str]]  # category, department, answer group, subject words


def _categories(table: dict[tuple[str, str, int], str]) -> tuple[list[Row], list[float]]:
    rows, weights = [], []
    for (department, group, share), text in table.items():
        entries = [e.split(":", 1) for e in text.split()]
        for category, words in entries:
            rows.append((category, department, group, words.replace("_", " ").split("|")))
            weights.append(share / len(entries))
    return rows, weights


def generate(count: int, *, now: datetime, seed: int = 7) -> Iterator[Document]:
    """``count`` cases in the order they were created, over the three years before ``now``."""
    rng = random.Random(seed)
    municipal, housing = _categories(CATALOGUE), _categories(HOUSING)
    orgs, org_weights = [(o, c) for o, c, _ in ORGANIZATIONS], [w for *_, w in ORGANIZATIONS]
    buckets = [(days, list(s), list(s.values())) for days, s in STATUS_BY_AGE]
    span = timedelta(days=3 * 365).total_seconds()
    start = now - timedelta(days=3 * 365, minutes=5)
    sequences: dict[tuple[str, int], int] = {}
    for i in range(count):
        created = start + timedelta(seconds=span * (i + rng.random()) / count)
        org, code = rng.choices(orgs, org_weights)[0]
        rows, weights = housing if org == "karlskogahem" else municipal
        age = (now - created).total_seconds() / 86400
        _, statuses, status_weights = next(b for b in buckets if b[0] is None or age < b[0])
        key = (code, created.year)
        sequences[key] = sequences.get(key, 0) + 1
        ref = f"{code}-{created.year}-{sequences[key]:06d}"
        status = rng.choices(statuses, status_weights)[0]
        yield _case(rng, ref, org, rng.choices(rows, weights)[0], status, (created, now))


def _case(
    rng: random.Random, ref: str, org: str, row: Row, status: str, at: tuple[datetime, datetime]
) -> Document:
    (category, department, group, words), (created, now) = row, at
    channel = rng.choices(*zip(*CHANNELS, strict=True))[0]
    word, first, last = rng.choice(words), rng.choice(FIRST), rng.choice(LAST)
    name, email = f"{first.title()} {last.title()}", f"{first}.{last}{rng.randrange(100)}@example.se"
    subject = rng.choice(SUBJECTS).format(word)
    subject = subject[0].upper() + subject[1:]
    text = f"Hej! Jag har en fråga om {word}. Kan ni hjälpa mig med det? Mvh {name}"
    age = now - created
    unanswered = status == "new" or (status == "open" and rng.random() < 0.4)
    answered = None if unanswered else created + min(age, timedelta(hours=rng.uniform(0.5, 40)))
    resolved = None
    if status in ("resolved", "closed"):
        resolved = created + min(age, timedelta(hours=rng.uniform(1, 480)))
    closed = min(now, resolved + timedelta(days=14)) if resolved and status == "closed" else None
    handed_off = created + age * rng.uniform(0, 0.5) if status == "handed_off" else None
    due = handed_off + timedelta(days=5) if handed_off else None
    assignee = None if status == "new" or (due and rng.random() < 0.5) else rng.choice(AGENTS)
    messages = [{"key": f"{rng.getrandbits(128):032x}", "direction": "inbound", "channel": channel}]
    messages[0] |= {"at": created, "subject": subject, "text": text, "sender": {"name": name, "email": email}}
    messages[0] |= {"attachments": [], "automatic": False}
    if answered:
        reply = f"Hej {first.title()}! Tack för ditt meddelande om {word}. Vi återkommer."
        messages.append({"key": f"{ref}-r1", "direction": "outbound", "channel": channel, "at": answered})
        messages[1] |= {"text": reply, "author": assignee or AGENTS[0], "automatic": False}
    timeline = [
        {"seq": n + 1, "at": m["at"].isoformat(), "actor": "lotsen" if n == 0 else "agent"}
        | {"type": "created" if n == 0 else "message", "data": {"channel": channel}}
        | {"prev_hash": f"{rng.getrandbits(256):064x}", "hash": f"{rng.getrandbits(256):064x}"}
        for n, m in enumerate(messages)
    ]
    case = {"_id": ref, "ref": ref, "version": 1, "organization": org, "status": status, "channel": channel}
    case |= {"subject": subject, "category": category, "department": department, "answer_group": group}
    case |= {"handled_by": "first_line", "rosa_level": 2, "priority": "normal", "language": "sv"}
    case |= {"confidential": department == "social", "assignee": assignee, "created_at": created}
    case |= {"received_at": created - timedelta(seconds=rng.randrange(1, 60)), "first_response_at": answered}
    case |= {"updated_at": max(t for t in (created, answered, resolved, closed, handed_off) if t)}
    case |= {"first_response_due": created + timedelta(hours=48), "due_at": due}
    case |= {"resolved_at": resolved, "closed_at": closed, "ever_handed_off": due is not None}
    case |= {"origin_contact_id": f"{rng.getrandbits(128):032x}", "access_code": f"{rng.getrandbits(40):X}"}
    case |= {"citizen": {"name": name, "email": email}, "links": [], "outbox": []}
    case |= {"messages": messages, "timeline": timeline}
    return case | search.index(case)


def queues(now: datetime) -> dict[str, CaseQuery]:
    """The queries, narrowed by ``permissions.narrow`` as ``GET /v1/cases`` narrows them for each role."""
    agent = Principal(ME, "agent")
    handler = Principal("h1", "handler", departments=HANDLER_DEPARTMENTS, organizations=(ORG,))
    asked = {
        "a. new, one answer group": (agent, CaseQuery(organization=ORG, status="new", answer_group=GROUP)),
        "b. handler's departments": (handler, CaseQuery(status="handed_off")),
        "c. my open cases": (agent, CaseQuery(assignee=ME, status="open")),
        'd. text "altan"': (agent, CaseQuery(organization=ORG, text="altan")),
        "e. overdue": (agent, CaseQuery(overdue_at=now)),
        PAGE_2: (agent, CaseQuery(organization=ORG, answer_group=GROUP)),
    }
    return {label: permissions.narrow(query, principal) for label, (principal, query) in asked.items()}


async def explain(db: Any, query: CaseQuery, cursor: str | None) -> dict[str, Any]:
    """The server's explain of the find ``CaseRepository.list`` sends (the same filter and order)."""
    found = db["cases"].find(case_filters.of(query, cursor), repository.SUMMARY)
    return await found.sort([("created_at", -1), ("ref", -1)]).limit(51).explain()


async def load(
    db: Any, repo: CaseRepository, result: SizeResult, docs: Iterator[Document], args: Any
) -> None:
    """``insert_many`` in batches, the indexes (after the load on the stand-in), a few ``insert_case``."""
    statuses: Counter[str] = Counter()
    started, batch = time.perf_counter(), []
    for doc in islice(docs, max(0, result.cases - args.insert_probes)):
        statuses[doc["status"]] += 1
        batch.append(doc)
        if len(batch) == args.batch or statuses.total() == result.cases - args.insert_probes:
            t0 = time.perf_counter()
            await db["cases"].insert_many(batch)
            result.insert_seconds += time.perf_counter() - t0
            batch = []
    if result.server is None:
        t0 = time.perf_counter()
        await repo.ensure_indexes()
        result.index_seconds = time.perf_counter() - t0
    for doc in docs:  # the held-back newest cases, one at a time with the indexes in place
        statuses[doc["status"]] += 1
        t0 = time.perf_counter()
        await repo.insert_case(doc)
        result.insert_case.append(time.perf_counter() - t0)
    result.load_seconds = time.perf_counter() - started
    result.statuses = dict(statuses)


async def run_size(url: str, count: int, args: argparse.Namespace) -> SizeResult:
    client = connect(url)
    name = f"lotsen_bench_queue_{uuid.uuid4().hex[:8]}"
    db = client[name]
    repo = CaseRepository(db)
    now = datetime.now(UTC)
    result = SizeResult(cases=count, rss_before=rss_kb(os.getpid()))
    try:
        if not url.startswith("mongomock"):
            result.server = f"MongoDB {(await db.command('buildInfo'))['version']}"
            await repo.ensure_indexes()
        await load(db, repo, result, generate(count, now=now, seed=args.seed), args)
        result.rss_loaded = rss_kb(os.getpid())
        print(
            f"  loaded in {result.load_seconds:.1f} s, insert_many {result.insert_seconds:.1f} s", flush=True
        )
        queries = queues(now)
        _, cursor = await repo.list(queries[PAGE_2], limit=50, cursor=None)
        cursors = {label: cursor if label == PAGE_2 else None for label in queries}
        for label, query in queries.items():
            result.matching[label] = await db["cases"].count_documents(case_filters.of(query))
            items, _ = await repo.list(query, limit=50, cursor=cursors[label])  # warm-up
            result.returned[label], result.latencies[label], result.cpu[label] = len(items), [], []
            if result.server:
                result.plans[label] = plan_text(await explain(db, query, cursors[label]))
        for _ in range(args.repeat):
            for label, query in queries.items():
                t0, cpu = time.perf_counter(), time.thread_time()
                await repo.list(query, limit=50, cursor=cursors[label])
                result.latencies[label].append(time.perf_counter() - t0)
                result.cpu[label].append(time.thread_time() - cpu)
    finally:
        if result.server:
            await client.drop_database(name)
        await close(client)
        del client, db, repo
        gc.collect()
    return result


async def main(args: argparse.Namespace) -> Run:
    url = os.environ.get("MONGODB_URL") or "mongomock://"
    mock = url.startswith("mongomock")
    store = (
        STAND_IN if mock else "a real MongoDB from `MONGODB_URL` (a temporary database, dropped afterwards)"
    )
    run = Run(started=datetime.now(UTC), store=store, mock=mock, repeat=args.repeat)
    run.load_average.append(os.getloadavg()[0])
    sizes = args.sizes or ([10_000, 100_000] if mock else [10_000, 100_000, 1_000_000])
    for count in sizes:
        print(f"{count:,} cases …", flush=True)
        run.sizes.append(await run_size(url, count, args))
    run.load_average.append(os.getloadavg()[0])
    return run


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.casestore_queue", description=__doc__.split("\n")[0]
    )
    add = parser.add_argument
    add("--cases", type=int, help="one collection size, e.g. 1000000 (overrides --sizes)")
    add("--sizes", help="comma-separated sizes (default 10000,100000; on MongoDB also 1000000)")
    add("--repeat", type=int, default=30, help="timed runs of each query after a warm-up (default 30)")
    add("--batch", type=int, default=5000, help="documents per insert_many (default 5000)")
    add("--insert-probes", type=int, default=5, help="newest cases inserted one at a time (default 5)")
    add("--seed", type=int, default=7, help="seed of the generated cases (default 7)")
    add("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    sizes = str(args.cases) if args.cases else args.sizes or ""
    args.sizes = [int(s.replace("_", "")) for s in sizes.split(",") if s.strip()]
    if any(s < 1000 for s in args.sizes) or args.repeat < 1 or args.batch < 1 or args.insert_probes < 0:
        parser.error("sizes must be at least 1000, --repeat and --batch at least 1")
    run = asyncio.run(main(args))
    report(NAME, summary(run), lambda host: render(run, host), write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(cli())
