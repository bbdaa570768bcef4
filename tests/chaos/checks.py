"""What must hold after the faults: nothing lost, nothing twice, figures that match a recount.

- Every contact intake acknowledged is exactly one case, found by its contact id (the case's first
  message, or a later one of the same case); no contact id is on two cases.
- No errand is a case twice: the e-mail ``Message-ID`` and the Messenger ``mid`` are on one case.
- The citizen got at most one acknowledgement e-mail per case (the mail catcher's outbox).
- stats' case volumes per channel, and its calls offered, equal a recount of cases and calls.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from lotsen import mongo
from lotsen.auth import issue_token
from lotsen.settings import ServiceSettings
from tests.chaos.load import Submission

REF = re.compile(r"\[([A-Z]{3}-\d{4}-\d{6})\]")
ACKNOWLEDGED_CHANNELS = ("email", "webform")  # notify acknowledges these by e-mail


@dataclass
class Findings:
    acknowledged: int = 0
    not_acknowledged: int = 0
    cases: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged contact ids without a case
    on_two_cases: list[str] = field(default_factory=list)  # contact ids on more than one case
    duplicate_errands: list[str] = field(default_factory=list)  # message ids on more than one case
    unasked_cases: list[str] = field(default_factory=list)  # cases of no contact the load made
    acknowledgements: int = 0
    acknowledged_twice: list[str] = field(default_factory=list)  # case refs with ≥ 2 ack e-mails
    without_acknowledgement: list[str] = field(default_factory=list)
    volumes_stats: dict[str, int] = field(default_factory=dict)
    volumes_recount: dict[str, int] = field(default_factory=dict)
    calls_stats: int = 0
    calls_recount: int = 0

    @property
    def figures_match(self) -> bool:
        return self.volumes_stats == self.volumes_recount and self.calls_stats == self.calls_recount

    @property
    def passed(self) -> bool:
        return not (
            self.lost
            or self.on_two_cases
            or self.duplicate_errands
            or self.acknowledged_twice
            or self.without_acknowledgement
            or not self.figures_match
        )

    def failures(self) -> list[str]:
        out = []
        names = ("lost", "on_two_cases", "duplicate_errands", "acknowledged_twice", "without_acknowledgement")
        for name in names:
            items = getattr(self, name)
            if items:
                out.append(f"{name}: {len(items)} (e.g. {items[:5]})")
        if not self.figures_match:
            out.append(
                f"figures: stats {self.volumes_stats} calls {self.calls_stats}; "
                f"recount {self.volumes_recount} calls {self.calls_recount}"
            )
        return out


async def all_cases(mongodb_url: str) -> list[dict[str, Any]]:
    client = mongo.connect(mongodb_url)
    try:
        projection = {"ref": 1, "channel": 1, "origin_contact_id": 1, "messages.key": 1}
        projection |= {"messages.message_id": 1, "messages.direction": 1}
        return await client["lotsen_casestore"]["cases"].find({}, projection).to_list(None)
    finally:
        await mongo.close(client)


def contact_ids_of(case: dict[str, Any]) -> set[str]:
    keys = {m["key"] for m in case.get("messages", []) if m.get("direction") == "inbound"}
    return keys | {case["origin_contact_id"]}


class Patience:
    """Wait while things still move: give up only after ``quiet`` seconds without progress."""

    def __init__(self, quiet: float) -> None:
        self.quiet = quiet
        self._last: object = None
        self._since = time.monotonic()

    def exhausted(self, progress: object) -> bool:
        if progress != self._last:
            self._last, self._since = progress, time.monotonic()
        return time.monotonic() - self._since > self.quiet


async def settled(mongodb_url: str, submissions: list[Submission], *, quiet: float) -> list[dict[str, Any]]:
    """The cases, once every acknowledged contact has one (or nothing changed for ``quiet`` seconds)."""
    wanted = {i for s in submissions if s.accepted for i in s.contact_ids}
    patience = Patience(quiet)
    while True:
        cases = await all_cases(mongodb_url)
        found = set().union(*(contact_ids_of(c) for c in cases)) if cases else set()
        if wanted <= found or patience.exhausted(len(found)):
            return cases
        await asyncio.sleep(2)


def acknowledgement_mails(outbox: Path) -> Counter[str]:
    """Acknowledgement e-mails to citizens per case ref (the load sends nothing else to them)."""
    per_case: Counter[str] = Counter()
    for path in outbox.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if "medborgare-" not in str(message.get("X-Lotsen-Envelope-To", "")):
            continue
        match = REF.search(str(message.get("Subject", "")))
        if match:
            per_case[match.group(1)] += 1
    return per_case


async def figures(stats_url: str) -> tuple[dict[str, int], int]:
    token = issue_token(ServiceSettings(env="dev"), subject="supervisor", role="supervisor")
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=30) as client:
        volumes = f"{stats_url}/v1/stats/volumes"
        cases = await client.get(volumes, params={"group_by": "channel"}, headers=headers)
        calls = await client.get(volumes, params={"kind": "calls"}, headers=headers)
    cases.raise_for_status()
    calls.raise_for_status()
    return {g["key"]: g["count"] for g in cases.json()["groups"]}, int(calls.json()["total"])


async def check(
    *, mongodb_url: str, stats_url: str, outbox: Path, submissions: list[Submission], quiet: float
) -> Findings:
    """Wait for the cases, the acknowledgements and the figures to settle, then judge one snapshot."""
    accepted = [s for s in submissions if s.accepted]
    cases = await settled(mongodb_url, submissions, quiet=quiet)
    wants_ack = {c["ref"] for c in cases if c["channel"] in ACKNOWLEDGED_CHANNELS}
    patience = Patience(quiet)
    while not (wants_ack <= set(acknowledgement_mails(outbox))):  # sent after the case exists
        if patience.exhausted(sum(acknowledgement_mails(outbox).values())):
            break
        await asyncio.sleep(2)
    patience = Patience(quiet)
    while True:  # stats catches up on its own time
        volumes, calls = await figures(stats_url)
        cases = await all_cases(mongodb_url)
        if volumes == dict(Counter(c["channel"] for c in cases)) or patience.exhausted((volumes, calls)):
            break
        await asyncio.sleep(2)
    return judge(cases, accepted, submissions, acknowledgement_mails(outbox), volumes, calls)


def judge(
    cases: list[dict[str, Any]],
    accepted: list[Submission],
    submissions: list[Submission],
    mails: Counter[str],
    volumes: dict[str, int],
    calls: int,
) -> Findings:
    findings = Findings(acknowledged=len(accepted), not_acknowledged=len(submissions) - len(accepted))
    findings.cases = len(cases)
    cases_of: dict[str, list[str]] = {}
    errands: dict[str, set[str]] = {}
    for case in cases:
        for contact_id in contact_ids_of(case):
            cases_of.setdefault(contact_id, []).append(case["ref"])
        for message in case.get("messages", []):
            if message.get("direction") == "inbound" and message.get("message_id"):
                errands.setdefault(message["message_id"], set()).add(case["ref"])
    findings.lost = [
        f"{s.channel}:{s.key}:{contact_id}"
        for s in accepted
        for contact_id in s.contact_ids
        if contact_id not in cases_of
    ]
    findings.on_two_cases = sorted(c for c, refs in cases_of.items() if len(refs) > 1)
    findings.duplicate_errands = sorted(m for m, refs in errands.items() if len(refs) > 1)
    posted = {i for s in submissions for i in s.contact_ids}
    findings.unasked_cases = sorted(c["ref"] for c in cases if not contact_ids_of(c) & posted)
    wants_ack = {c["ref"] for c in cases if c["channel"] in ACKNOWLEDGED_CHANNELS}
    findings.acknowledgements = sum(mails.values())
    findings.acknowledged_twice = sorted(ref for ref, n in mails.items() if n > 1)
    findings.without_acknowledgement = sorted(wants_ack - set(mails))
    findings.volumes_stats, findings.calls_stats = volumes, calls
    findings.volumes_recount = dict(Counter(c["channel"] for c in cases))
    findings.calls_recount = sum(1 for s in accepted if s.channel == "phone")
    return findings
