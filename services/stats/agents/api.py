"""Per-agent figures: ``GET /v1/stats/agents/me`` (the caller's own, by week), ``GET
/v1/stats/agents`` (the team, one row per agent), ``GET /v1/stats/agents/{agent}`` (one agent, as
``/me``) and ``DELETE /v1/stats/agents/{agent}`` (erase). Who may: :mod:`.access`; definitions:
docs/figures.md, *Per handläggare (per agent)*.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from lotsen.auth import OptionalPrincipal
from services.stats.agents.access import may_erase, may_read
from services.stats.agents.aggregate import AgentAggregator, oldest_kept
from services.stats.agents.cells import Piece, figures, per_agent, team_total
from services.stats.agents.repository import AgentRepository
from services.stats.agents.retention import erase_agent
from services.stats.deps import EARLIEST, LATEST
from services.stats.figures import InvalidPeriod, time_key
from services.stats.models import QuestionScore
from services.stats.tally import Tally

router = APIRouter(tags=["stats: per agent"])

AgentGrouping = Literal["day", "week", "month"]
DEFAULT_WEEKS = 8
AgentName = Annotated[str, Path(min_length=1, max_length=200, description="the agent's user name")]


class AgentSatisfaction(BaseModel):
    responses: int
    bemotande: QuestionScore
    kunskap: QuestionScore
    tillganglighet: QuestionScore


class AgentFigures(BaseModel):
    answered_calls: int = Field(description="calls the agent answered (offered in the period)")
    answered_in_groups: int | None = Field(
        description="every answered call of the answer groups the agent answered in (null: a total)"
    )
    answer_share: float | None = Field(description="answered_calls / answered_in_groups")
    handled_calls: int = Field(description="answered calls that ended (talk time known)")
    wrapped_up_calls: int = Field(description="answered calls with a wrap-up reported")
    talked_and_wrapped_calls: int = Field(description="answered calls with both")
    mean_talk_seconds: float | None = Field(description="over handled_calls")
    mean_wrap_up_seconds: float | None = Field(description="over wrapped_up_calls")
    mean_handling_seconds: float | None = Field(description="talk + wrap-up, over talked_and_wrapped_calls")
    resolved_first_line: int = Field(description="cases the agent resolved at first line")
    satisfaction: AgentSatisfaction = Field(description="survey answers on those cases")


class AgentRow(AgentFigures):
    agent: str


class AgentPeriod(AgentFigures):
    key: str


class TeamTotal(AgentFigures):
    unattributed_calls: int = Field(description="answered calls whose telephony named no agent")


class OwnFigures(BaseModel):
    agent: str
    from_: date = Field(alias="from")
    to: date
    organization: str | None
    answer_group: str | None
    kept_from: date = Field(description="per-agent figures before this day are deleted (retention)")
    total: AgentFigures
    groups: list[AgentPeriod]


class TeamFigures(BaseModel):
    from_: date = Field(alias="from")
    to: date
    organization: str | None
    answer_group: str | None
    kept_from: date
    agents: list[AgentRow]
    total: TeamTotal


class Erased(BaseModel):
    agent: str
    calls_and_cases: int = Field(description="calls and cases that named the agent and no longer do")


def _period(today: date, from_: date | None, to: date | None) -> tuple[date, date]:
    """The period asked for; by default the last ``DEFAULT_WEEKS`` weeks, this one included."""
    last = to or today
    first = from_ or (last - timedelta(days=last.weekday()) - timedelta(weeks=DEFAULT_WEEKS - 1))
    if last < first:
        raise InvalidPeriod(f"'to' ({last}) is before 'from' ({first})")
    return first, last


FromQuery = Annotated[
    date | None,
    Query(alias="from", ge=EARLIEST, le=LATEST, description="first local date; default: 8 weeks back"),
]
ToQuery = Annotated[date | None, Query(ge=EARLIEST, le=LATEST, description="last local date; default: today")]
OrganizationQuery = Annotated[
    str | None, Query(max_length=64, description="one organisation; all yours if left out")
]
GroupQuery = Annotated[str | None, Query(max_length=64, description="only this answer group")]


async def _pieces(
    request: Request, first: date, last: date, organization: str | None, organizations: tuple[str, ...] | None
) -> list[Piece]:
    aggregator: AgentAggregator = request.app.state.agent_aggregator
    agents: AgentRepository = request.app.state.agents
    await aggregator.flush()
    docs = await agents.days(
        lower=first.isoformat(),
        upper=last.isoformat(),
        organization=organization,
        organizations=organizations,
    )
    return [
        Piece(
            doc["organization"],
            date.fromisoformat(doc["day"]),
            {(c["k"][0], c["k"][1]): Tally.from_doc(c["t"]) for c in doc["cells"]},
        )
        for doc in docs
    ]


async def _own(
    request: Request,
    agent: str,
    first: date,
    last: date,
    organization: str | None,
    organizations: tuple[str, ...] | None,
    group_by: AgentGrouping,
    answer_group: str | None,
) -> dict[str, Any]:
    settings = request.app.state.settings
    pieces = await _pieces(request, first, last, organization, organizations)
    targets = settings.satisfaction_targets
    total = per_agent(pieces, period_of=lambda _: None, targets=targets, answer_group=answer_group)
    by_period = per_agent(
        pieces, period_of=lambda p: time_key(group_by, p.day), targets=targets, answer_group=answer_group
    )
    groups = sorted(
        ({"key": key, **row} for (key, who), row in by_period.items() if who == agent),
        key=lambda g: str(g["key"]),
    )
    nothing = figures(Tally(), group_answered=0, targets=targets)  # an agent with nothing in the period
    return {
        "agent": agent,
        "from": first,
        "to": last,
        "organization": organization,
        "answer_group": answer_group,
        "kept_from": _kept_from(request),
        "total": total.get((None, agent), nothing),
        "groups": groups,
    }


def _kept_from(request: Request) -> date:
    settings = request.app.state.settings
    aggregator: AgentAggregator = request.app.state.agent_aggregator
    return oldest_kept(request.app.state.clock(), aggregator.tz, settings.agent_figures_retention_days)


def _today(request: Request) -> date:
    aggregator: AgentAggregator = request.app.state.agent_aggregator
    now: datetime = request.app.state.clock()
    return now.astimezone(aggregator.tz).date()


@router.get(
    "/v1/stats/agents/me",
    summary="Min uppföljning: the caller's own figures, by week",
    response_model=OwnFigures,
    response_model_by_alias=True,
)
async def get_my_figures(
    request: Request,
    principal: OptionalPrincipal,
    from_: FromQuery = None,
    to: ToQuery = None,
    organization: OrganizationQuery = None,
    group_by: Annotated[AgentGrouping, Query(description="day, week (default) or month")] = "week",
    answer_group: GroupQuery = None,
) -> dict[str, Any]:
    agent = principal.subject if principal is not None else None
    organizations = may_read(principal, agent, organization)
    assert agent is not None  # may_read refuses a caller without a token
    first, last = _period(_today(request), from_, to)
    return await _own(request, agent, first, last, organization, organizations, group_by, answer_group)


@router.get(
    "/v1/stats/agents",
    summary="Per handläggare: the team's figures, one row per agent",
    response_model=TeamFigures,
    response_model_by_alias=True,
)
async def get_team_figures(
    request: Request,
    principal: OptionalPrincipal,
    from_: FromQuery = None,
    to: ToQuery = None,
    organization: OrganizationQuery = None,
    answer_group: GroupQuery = None,
) -> dict[str, Any]:
    organizations = may_read(principal, None, organization)
    first, last = _period(_today(request), from_, to)
    pieces = await _pieces(request, first, last, organization, organizations)
    targets = request.app.state.settings.satisfaction_targets
    rows = per_agent(pieces, period_of=lambda _: None, targets=targets, answer_group=answer_group)
    return {
        "from": first,
        "to": last,
        "organization": organization,
        "answer_group": answer_group,
        "kept_from": _kept_from(request),
        "agents": [{"agent": who, **row} for (_, who), row in sorted(rows.items(), key=lambda r: r[0][1])],
        "total": team_total(pieces, targets=targets, answer_group=answer_group),
    }


@router.get(
    "/v1/stats/agents/{agent}",
    summary="One agent's figures, by week (the agent themself, or their supervisor)",
    response_model=OwnFigures,
    response_model_by_alias=True,
)
async def get_agent_figures(
    request: Request,
    principal: OptionalPrincipal,
    agent: AgentName,
    from_: FromQuery = None,
    to: ToQuery = None,
    organization: OrganizationQuery = None,
    group_by: Annotated[AgentGrouping, Query(description="day, week (default) or month")] = "week",
    answer_group: GroupQuery = None,
) -> dict[str, Any]:
    organizations = may_read(principal, agent, organization)
    first, last = _period(_today(request), from_, to)
    return await _own(request, agent, first, last, organization, organizations, group_by, answer_group)


@router.delete(
    "/v1/stats/agents/{agent}",
    summary="Erase an agent's per-agent figures (an administrator)",
    response_model=Erased,
)
async def delete_agent_figures(
    request: Request, principal: OptionalPrincipal, agent: AgentName
) -> dict[str, Any]:
    organizations = may_erase(principal)
    state = request.app.state
    named = await erase_agent(state.agents, state.stats, state.agent_aggregator, agent, organizations)
    return {"agent": agent, "calls_and_cases": named}
