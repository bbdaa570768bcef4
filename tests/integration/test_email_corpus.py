"""The e-mail corpus through the whole running system: intake's SMTP listener, routing, casestore and
notify's acknowledgement into the mail catcher.

Every message is accepted (250) or refused by design (the refusals and their reasons are in
tests/data/intake/corpus/expected.json and docs/reliability.md); every message that is not automatic
opens a case that reads as the citizen wrote it, and the citizen gets one acknowledgement; nothing is
dead-lettered and no service restarts.
"""

from __future__ import annotations

import email
import email.policy
import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from lotsen.contracts import topics
from lotsen.devserver.stack import Stack
from tests.corpus.delivery import contact_id_of, deliver, in_this_run
from tests.corpus.expectations import Expected, corpus, problems
from tests.helpers import eventually
from tests.intake_support import read_events
from tests.notify_support import Outbox

pytestmark = pytest.mark.integration

SOURCES = (topics.CONTACTS_RECEIVED, topics.CONTACTS_ROUTED, topics.CASES_EVENTS, topics.OUTBOUND_REQUESTS)


async def test_the_corpus_through_the_running_system(
    stack: Stack, stack_outbox: Outbox, token_for: Callable[..., str]
) -> None:
    messages = in_this_run(corpus(large=True), uuid.uuid4().hex[:12])
    pids = {name: svc.process.pid for name, svc in stack.services.items() if svc.process}

    replies = await deliver(stack.ports["smtp"], messages)

    unexpected = {
        s.name: replies[s.name]
        for s in messages
        if replies[s.name][0] != (s.smtp if s.outcome == "refused" else 250)
    }
    assert unexpected == {}, "every message is accepted, or refused by design with its reply code"
    opening = {contact_id_of(replies[s.name][1]): s for s in messages if s.outcome == "case"}
    automatic = {contact_id_of(replies[s.name][1]) for s in messages if s.outcome == "auto_reply"}

    added = await read_events(
        stack.bootstrap_servers,
        topics.CASES_EVENTS,
        lambda e: e.type == "case.message_added" and e.data.message_id in opening.keys() | automatic,
        at_least=len(opening),
        timeout=90,
    )
    case_of = {e.data.message_id: e.data.case_ref for e in added}
    assert set(case_of) == set(opening), "a case for every message a person wrote, none for the automatic"
    assert len(set(case_of.values())) == len(opening), "one case each"

    staff = {"Authorization": f"Bearer {token_for('supervisor')}"}
    read_wrong: dict[str, list[str]] = {}
    async with httpx.AsyncClient(timeout=30) as client:
        for contact_id, sample in opening.items():
            found = await client.get(
                f"{stack.url('casestore')}/v1/cases/{case_of[contact_id]}", headers=staff
            )
            assert found.status_code == 200, found.text
            read_wrong[sample.name] = _read_wrong(sample, found.json())
    assert {name: p for name, p in read_wrong.items() if p} == {}

    acknowledged = await eventually(lambda: _acknowledged(stack_outbox, set(case_of.values())), timeout=90)
    assert acknowledged == {ref: 1 for ref in case_of.values()}, "one acknowledgement per case"

    assert await _dead_letters(stack.bootstrap_servers, [*case_of, *case_of.values()]) == []
    assert {name: svc.process.pid for name, svc in stack.services.items() if svc.process} == pids


def _read_wrong(sample: Expected, case: dict[str, Any]) -> list[str]:
    [first] = [m for m in case["messages"] if m["direction"] == "inbound"]
    return problems(
        sample,
        subject=case["subject"],
        sender=(first.get("sender") or case.get("citizen") or {}).get("name"),
        text=first["text"],
        files=[a["name"] for a in first["attachments"] if a["name"] != "meddelande.txt"],
    )


async def _acknowledged(outbox: Outbox, refs: set[str]) -> dict[str, int] | None:
    counts: dict[str, int] = {}
    for path in outbox.directory.glob("*.eml"):
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        ref = re.search(r"\[([A-Z]{2,6}-\d{4}-\d{6})\]\s*$", str(mail["Subject"] or ""))
        if ref and ref.group(1) in refs:
            counts[ref.group(1)] = counts.get(ref.group(1), 0) + 1
    return counts if set(counts) == refs else None


async def _dead_letters(bootstrap: str, ours: list[str]) -> list[str]:
    """Records of the dead-letter topics that mention one of ``ours`` (contact ids, case refs)."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await reader.start()
    try:
        await reader.topics()
        partitions = [
            TopicPartition(topics.dlq(t), p)
            for t in SOURCES
            for p in sorted(reader.partitions_for_topic(topics.dlq(t)) or ())
        ]
        if not partitions:
            return []
        reader.assign(partitions)
        await reader.seek_to_beginning()
        found: list[str] = []
        while batch := await reader.getmany(timeout_ms=1000):
            for records in batch.values():
                for record in records:
                    text = (record.value or b"").decode("utf-8", "replace")
                    found += [f"{record.topic}: {key}" for key in ours if key in text]
        return found
    finally:
        await reader.stop()
