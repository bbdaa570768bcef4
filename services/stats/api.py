"""The figures API (DESIGN §4–§5). Local dates are Europe/Stockholm days; storage is UTC.

Every figure answers with the counts behind its ratio, the target and whether it is met; a ratio
with nothing to divide by is ``null``, and so is its ``met``. With ``group_by`` a figure also
carries ``groups``: ``[{"key", …the same fields…}]``. The definitions are in ``docs/figures.md``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from services.stats.backlog import backlog
from services.stats.calls import answer_rate
from services.stats.deps import CommonDep, FiguresDep
from services.stats.email import email_response
from services.stats.figures import TIME_GROUPS, parse_month
from services.stats.models import (
    AnswerRateFigure,
    BacklogFigure,
    ChargingFigure,
    EmailResponseFigure,
    ResolutionFigure,
    SatisfactionFigure,
    SynpunkterFigure,
    Volumes,
)
from services.stats.query import Period
from services.stats.resolution import resolution
from services.stats.satisfaction import satisfaction
from services.stats.settings import EmailMode
from services.stats.synpunkter import synpunkter_figure
from services.stats.targets.figures import targeted
from services.stats.volumes import VOLUME_COUNT, charging_rows

router = APIRouter(tags=["stats"])

VolumeKind = Literal["cases", "calls", "outbound"]


@router.get(
    "/v1/stats/answer-rate",
    summary="Svarsfrekvens: answered / (answered + abandoned)",
    responses={200: {"model": AnswerRateFigure}},
)
async def get_answer_rate(
    common: CommonDep,
    figures: FiguresDep,
    short_abandon_seconds: Annotated[
        float | None, Query(ge=0, description="default from the settings (5)")
    ] = None,
    service_level_seconds: Annotated[
        float | None, Query(ge=0, description="default from the settings (60)")
    ] = None,
) -> dict[str, Any]:
    settings = figures.settings
    short = settings.short_abandon_seconds if short_abandon_seconds is None else short_abandon_seconds
    level = settings.service_level_seconds if service_level_seconds is None else service_level_seconds
    body = await targeted(
        figures,
        "calls",
        common,
        ("answer_rate", "service_level"),
        lambda tally, goals: answer_rate(
            tally,
            short_abandon_seconds=short,
            service_level_seconds=level,
            target=goals.answer_rate,
            service_level_target=goals.service_level,
        ),
    )
    return {**body, "short_abandon_seconds": short, "service_level_seconds": level}


@router.get(
    "/v1/stats/email-response",
    summary="E-post besvarad inom 48 timmar",
    responses={200: {"model": EmailResponseFigure}},
)
async def get_email_response(
    common: CommonDep,
    figures: FiguresDep,
    mode: Annotated[EmailMode | None, Query(description="calendar (48 h) or working_days (2)")] = None,
) -> dict[str, Any]:
    chosen: EmailMode = mode or figures.settings.email_response_mode
    return await targeted(
        figures,
        "cases",
        common,
        ("email_response",),
        lambda tally, goals: email_response(tally, mode=chosen, now=figures.now, target=goals.email_response),
        where={"channel": "email"},
    )


@router.get(
    "/v1/stats/resolution",
    summary="Lösningsgrad i första linjen",
    responses={200: {"model": ResolutionFigure}},
)
async def get_resolution(common: CommonDep, figures: FiguresDep) -> dict[str, Any]:
    return await targeted(
        figures, "cases", common, ("resolution",), lambda tally, g: resolution(tally, target=g.resolution)
    )


@router.get(
    "/v1/stats/satisfaction",
    summary="Nöjdhet (NKI) per question",
    responses={200: {"model": SatisfactionFigure}},
)
async def get_satisfaction(common: CommonDep, figures: FiguresDep) -> dict[str, Any]:
    return await targeted(
        figures,
        "cases",
        common,
        ("satisfaction",),
        lambda tally, goals: satisfaction(tally, targets=goals.satisfaction),
    )


@router.get(
    "/v1/stats/backlog",
    summary="Ärendebalans: open cases by status and age, handoffs past due",
    responses={200: {"model": BacklogFigure}},
)
async def get_backlog(common: CommonDep, figures: FiguresDep) -> dict[str, Any]:
    return await figures.grouped(
        "cases", common, lambda tally: backlog(tally, now=figures.now, tz=figures.tz)
    )


@router.get(
    "/v1/stats/volumes",
    summary="Cases by channel, department, …; calls; messages",
    responses={200: {"model": Volumes}},
)
async def get_volumes(
    common: CommonDep,
    figures: FiguresDep,
    kind: Annotated[
        VolumeKind, Query(description="cases (default), calls offered, or outbound messages")
    ] = "cases",
) -> dict[str, Any]:
    total, groups = await figures.tallies(kind, common.period, common.group_by)
    counter = VOLUME_COUNT[kind]
    rows = []
    for key, tally in groups.items():
        row: dict[str, Any] = {"key": key, "count": tally.counts[counter]}
        if kind == "outbound":
            row.update(delivered=tally.counts["delivered"], failed=tally.counts["failed"])
        rows.append(row)
    if common.group_by in TIME_GROUPS:
        rows.sort(key=lambda r: str(r["key"]))
    else:
        rows.sort(key=lambda r: (-r["count"], str(r["key"])))
    return figures.scoped({"total": total.counts[counter], "groups": rows})


@router.get(
    "/v1/stats/volumes/charging",
    summary="Debitering: first-line cases handled for each department in a month",
    responses={200: {"model": ChargingFigure}},
)
async def get_charging(
    figures: FiguresDep,
    month: Annotated[str, Query(description="YYYY-MM", examples=["2026-03"])],
    organization: Annotated[str | None, Query(description="one organisation; all if left out")] = None,
) -> dict[str, Any]:
    first, last = parse_month(month)
    period = Period(first, last, organization)
    total, groups = await figures.tallies("cases", period, "department")
    rows = sorted(charging_rows(groups), key=lambda r: (r["key"] is None, str(r["key"])))
    return figures.scoped(
        {
            "month": month,
            "organization": organization,
            "total": total.counts["resolved_first_line"],
            "pending": total.counts["resolution_pending"],
            "groups": rows,
        }
    )


@router.get(
    "/v1/stats/synpunkter",
    summary="Synpunkter (feedback) per department they concern, by kind, with case references",
    responses={200: {"model": SynpunkterFigure}},
)
async def get_synpunkter(common: CommonDep, figures: FiguresDep) -> dict[str, Any]:
    return await synpunkter_figure(figures, common.period, common.group_by)
