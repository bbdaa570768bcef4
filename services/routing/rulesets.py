"""The ruleset versions a routing process knows, and which one applies to a contact.

Every version is kept (in MongoDB, and in memory here). A contact is decided by the version that was
active when it was *received*: the highest version activated at or before its ``received_at``
(a contact older than every version gets the first). A PUT on this process activates its version
here at once; versions activated by another routing process are picked up by :meth:`RulesetBook.refresh`,
which the handler and the API call before they choose, at most every ``refresh_seconds``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from lotsen.directory import Directory
from lotsen.errors import Conflict
from services.routing.repository import RulesetRepository
from services.routing.rules import InvalidRuleset, Rule, Ruleset, RulesetVersion, validate_rules

log = logging.getLogger(__name__)

DEFAULT_RULES_FILE = Path(__file__).with_name("default_rules.yaml")
DEFAULT_AUTHOR = "lotsen (shipped default)"


def default_ruleset(directory: Directory, path: Path = DEFAULT_RULES_FILE) -> RulesetVersion:
    """The shipped rules as version 1, checked against ``directory``."""
    with open(path, encoding="utf-8") as fh:
        raw: dict[str, Any] = yaml.safe_load(fh)
    return RulesetVersion(
        version=1,
        rules=validate_rules(raw.get("rules") or [], directory),
        author=DEFAULT_AUTHOR,
        activated_at=datetime.now(UTC),
        comment=str(raw.get("comment") or ""),
    )


class RulesetBook:
    def __init__(
        self,
        repository: RulesetRepository,
        *,
        refresh_seconds: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repository = repository
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._versions: list[Ruleset] = []
        self._checked_at = float("-inf")

    async def open(self, directory: Directory, default_rules: Path = DEFAULT_RULES_FILE) -> None:
        """Load every stored version; on an empty database, store the shipped default as version 1."""
        if await self._repository.latest_version() is None:
            try:
                first = default_ruleset(directory, default_rules)
            except InvalidRuleset as exc:
                log.warning(
                    "the shipped default rules do not fit this directory (%s); starting empty", exc.message
                )
                first = RulesetVersion(
                    version=1,
                    rules=[],
                    author=DEFAULT_AUTHOR,
                    activated_at=datetime.now(UTC),
                    comment="empty",
                )
            await self._repository.insert(first.model_dump(mode="python"))
        await self.refresh(force=True)

    async def refresh(self, *, force: bool = False) -> None:
        """Pick up versions other processes activated (a cheap query, at most every ``refresh_seconds``)."""
        now = self._clock()
        if not force and now - self._checked_at < self._refresh_seconds:
            return
        self._checked_at = now
        known = self._versions[-1].version if self._versions else 0
        latest = await self._repository.latest_version()
        if latest is None or latest <= known:
            return
        for document in await self._repository.versions_after(known):
            self._versions.append(Ruleset(RulesetVersion.model_validate(document)))
        self._versions.sort(key=lambda r: r.version)

    @property
    def active(self) -> Ruleset:
        return self._versions[-1]

    @property
    def versions(self) -> list[Ruleset]:
        return list(self._versions)

    def version(self, number: int) -> Ruleset | None:
        return next((r for r in self._versions if r.version == number), None)

    def active_at(self, received_at: datetime) -> Ruleset:
        """The version that was active when a contact was received."""
        chosen = self._versions[0]
        for ruleset in self._versions:
            if ruleset.activated_at <= received_at:
                chosen = ruleset
        return chosen

    async def activate(
        self, rules: list[Rule], *, author: str, comment: str, base_version: int | None = None
    ) -> Ruleset:
        """Store ``rules`` as the next version and make it active for contacts received from now on."""
        await self.refresh(force=True)
        current = self.active.version
        if base_version is not None and base_version != current:
            raise Conflict(
                f"the ruleset was changed meanwhile: version {current} is active, not {base_version}; "
                "reload it and apply your change again",
                details={"active_version": current, "base_version": base_version},
            )
        stored = RulesetVersion(
            version=current + 1, rules=rules, author=author, activated_at=datetime.now(UTC), comment=comment
        )
        if not await self._repository.insert(stored.model_dump(mode="python")):
            raise Conflict(
                f"version {stored.version} was activated by someone else at the same moment; try again",
                details={"version": stored.version},
            )
        ruleset = Ruleset(stored)
        self._versions.append(ruleset)
        return ruleset
