"""``GET /v1/stats/ivr-choices``: knappval — calls per IVR choice, hour of day and weekday, with the
abandon rate per choice (definitions: :mod:`services.stats.ivr`, docs/figures.md "Knappval").

A digit means something only in its organisation's menu, so every choice is given per organisation;
the names of the choices are the directory's (an answer group's ``ivr_digit``, the organisation's
``ivr_connect_digit``). Telephony belongs to answer groups, not departments: a handler gets 403, as
for the answer rate (:mod:`services.stats.access`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.stats.deps import EARLIEST, LATEST, FiguresDep
from services.stats.figures import InvalidPeriod
from services.stats.ivr import choice_figures, total_of
from services.stats.query import Period

router = APIRouter(tags=["stats"])


class HourCount(BaseModel):
    hour: int = Field(description="local hour of day in Stockholm, 0–23")
    calls: int


class WeekdayCount(BaseModel):
    weekday: int = Field(description="ISO weekday in Stockholm: 1 Monday … 7 Sunday")
    calls: int


class ChoiceCounts(BaseModel):
    calls: int = Field(description="calls counted: offered to a queue, or put through without one")
    offered: int
    answered: int
    abandoned: int = Field(description="hung up in the queue after at least short_abandon_seconds")
    short_abandoned: int
    callbacks: int
    pending: int
    transferred: int = Field(description="connected to a person or department (the IVR's connect choice too)")
    abandon_rate: float | None = Field(description="abandoned / (answered + abandoned); null without either")
    by_hour: list[HourCount]
    by_weekday: list[WeekdayCount]


class ChoiceRow(ChoiceCounts):
    organization: str
    choice: str = Field(description="the digit pressed; 'none' when the call named no choice")


class IvrChoicesFigure(BaseModel):
    choices: list[ChoiceRow]
    total: ChoiceCounts
    short_abandon_seconds: float
    answer_group: str | None
    organization: str | None
    scope: dict[str, Any] | None = None


@router.get(
    "/v1/stats/ivr-choices",
    summary="Knappval: calls per IVR choice, hour of day and weekday, with the abandon rate",
    responses={200: {"model": IvrChoicesFigure}},
)
async def get_ivr_choices(
    figures: FiguresDep,
    from_: Annotated[
        date | None, Query(alias="from", ge=EARLIEST, le=LATEST, description="first local date, inclusive")
    ] = None,
    to: Annotated[
        date | None, Query(ge=EARLIEST, le=LATEST, description="last local date, inclusive")
    ] = None,
    organization: Annotated[str | None, Query(description="one organisation; all if left out")] = None,
    answer_group: Annotated[
        str | None, Query(min_length=1, description="only the calls of this answer group (svarsgrupp)")
    ] = None,
    short_abandon_seconds: Annotated[
        float | None, Query(ge=0, description="default from the settings (5)")
    ] = None,
) -> dict[str, Any]:
    if from_ and to and to < from_:
        raise InvalidPeriod(f"'to' ({to}) is before 'from' ({from_})")
    short = figures.settings.short_abandon_seconds if short_abandon_seconds is None else short_abandon_seconds
    where = {"answer_group": answer_group} if answer_group else None
    _, by_organization = await figures.tallies(
        "calls", Period(from_, to, organization), "organization", where
    )
    rows = [
        {"organization": org, **row}
        for org in sorted(by_organization)
        for row in choice_figures(by_organization[org], short_abandon_seconds=short)
    ]
    return figures.scoped(
        {
            "choices": rows,
            "total": total_of(rows),
            "short_abandon_seconds": short,
            "answer_group": answer_group,
            "organization": organization,
        }
    )
