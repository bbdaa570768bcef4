"""Targets (mål) per organisation and per answer group, and which target a figure is measured against.

An administrator sets, for an organisation, any of: answer rate, service level, e-mail within 48
hours, first-line resolution (ratios 0–1) and NKI per question (scores 1–5); and the same for any
of its answer groups (svarsgrupper). What is not set falls back: answer group → organisation →
the setting (``STATS_…_TARGET``). :class:`TargetBook` is that lookup over everything stored.

A figure covering one organisation is measured against that organisation's targets (or its answer
group's, when the figure is of one answer group). A figure covering several organisations has a
target only where their targets agree; where they differ the target is ``null`` (so is ``met``) and
:attr:`Goals.by_organization` lists each one's (docs/figures.md, *Mål per organisation och
svarsgrupp*).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.stats.satisfaction import QUESTIONS
from services.stats.settings import StatsSettings

RATIOS = ("answer_rate", "service_level", "email_response", "resolution")
Ratio = Annotated[float, Field(ge=0, le=1, description="a share, 0–1 (0.9 is 90 %)")]
Score = Annotated[float, Field(ge=1, le=5, description="a mean NKI score, 1–5")]
Question = Literal["bemotande", "kunskap", "tillganglighet"]


class TargetValues(BaseModel):
    """The targets set at one level; a field left out (or null) falls back to the level above."""

    model_config = ConfigDict(extra="forbid")

    answer_rate: Ratio | None = Field(None, description="svarsfrekvens")
    service_level: Ratio | None = Field(None, description="servicenivå: share answered within the seconds")
    email_response: Ratio | None = Field(None, description="e-post besvarad inom 48 timmar")
    resolution: Ratio | None = Field(None, description="lösningsgrad i första linjen")
    satisfaction: dict[Question, Score] = Field(
        default_factory=dict, description="NKI per question: bemotande, kunskap, tillganglighet"
    )


class OrganizationTargets(TargetValues):
    """``PUT /v1/stats/targets/{organization}``: the organisation's targets and its answer groups'."""

    answer_groups: dict[str, TargetValues] = Field(
        default_factory=dict, description="answer group id (of this organisation) → its targets"
    )


@dataclass(frozen=True)
class Goals:
    """The targets one figure (or one group of it) is measured against; ``None``: no target."""

    answer_rate: float | None
    service_level: float | None
    email_response: float | None
    resolution: float | None
    satisfaction: Mapping[str, float | None] = field(default_factory=dict)
    # Set when the figure covers several organisations whose targets differ: each one's.
    by_organization: Mapping[str, Goals] | None = None

    def as_json(self, measures: Iterable[str] = (*RATIOS, "satisfaction")) -> dict[str, Any]:
        return {m: dict(self.satisfaction) if m == "satisfaction" else getattr(self, m) for m in measures}

    def listing(self, measures: Iterable[str]) -> dict[str, dict[str, Any]] | None:
        """Each organisation's targets of ``measures`` when they differ, else None."""
        if self.by_organization is None:
            return None
        wanted = tuple(measures)
        each = {org: goals.as_json(wanted) for org, goals in sorted(self.by_organization.items())}
        return each if len({repr(v) for v in each.values()}) > 1 else None


def defaults(settings: StatsSettings) -> Goals:
    return Goals(
        answer_rate=settings.answer_rate_target,
        service_level=settings.service_level_target,
        email_response=settings.email_response_target,
        resolution=settings.resolution_target,
        satisfaction={q: settings.satisfaction_targets.get(q) for q in QUESTIONS},
    )


def _over(base: Goals, values: TargetValues | None) -> Goals:
    """``base`` with what ``values`` sets."""
    if values is None:
        return base

    def pick(name: str) -> float | None:
        own: float | None = getattr(values, name)
        return getattr(base, name) if own is None else own

    satisfaction: dict[str, float | None] = dict(base.satisfaction)
    satisfaction.update((str(q), score) for q, score in values.satisfaction.items())
    return _goals(pick, satisfaction)


def _goals(ratio: Callable[[str], float | None], satisfaction: Mapping[str, float | None]) -> Goals:
    return Goals(
        answer_rate=ratio("answer_rate"),
        service_level=ratio("service_level"),
        email_response=ratio("email_response"),
        resolution=ratio("resolution"),
        satisfaction=satisfaction,
    )


def _common(values: list[float | None]) -> float | None:
    return values[0] if len(set(values)) == 1 else None


class TargetBook:
    """Every stored target with its fallbacks: the lookup the figures read their targets from."""

    def __init__(
        self,
        settings: StatsSettings,
        stored: Mapping[str, OrganizationTargets],
        organizations: Iterable[str] = (),
    ) -> None:
        self.default = defaults(settings)
        self.stored = dict(stored)
        self.organizations = tuple(organizations)  # the directory's, for "every organisation"

    def of(self, organization: str | None, answer_group: str | None = None) -> Goals:
        """One organisation's targets (of one of its answer groups): group → organisation → setting."""
        if organization is None:
            return self.default
        own = self.stored.get(organization)
        goals = _over(self.default, own)
        if answer_group is not None and own is not None:
            goals = _over(goals, own.answer_groups.get(answer_group))
        return goals

    def over(self, organizations: Iterable[str], answer_group: str | None = None) -> Goals:
        """The targets of a figure covering ``organizations`` (none: every one of the directory):
        each target where they all agree, ``None`` where they differ, with each one's listed."""
        covered = sorted(set(organizations) or set(self.organizations))
        if not covered:
            return self.default
        each = {org: self.of(org, answer_group) for org in covered}
        if len(each) == 1:
            return each[covered[0]]
        goals = list(each.values())
        questions = sorted({q for g in goals for q in g.satisfaction})
        merged = _goals(
            lambda m: _common([getattr(g, m) for g in goals]),
            {q: _common([g.satisfaction.get(q) for g in goals]) for q in questions},
        )
        differs = any(g.as_json() != merged.as_json() for g in goals)
        return replace(merged, by_organization=each) if differs else merged
