"""Reports to the departments: each department's report of the period that just ended, published as
``report.ready`` on ``reports.events`` for notify to e-mail (docs/figures.md, "Rapporter till
förvaltningarna").

- When: for each kind in ``STATS_REPORTS_KINDS`` (``monthly``, ``tertial``), the period that ended
  is due at ``STATS_REPORTS_TIME`` (local, ``STATS_TIMEZONE``) on the day after its last day. A
  service that was down then makes up for it when it comes back, within
  ``STATS_REPORTS_CATCH_UP_DAYS``; a period older than that is not sent by the schedule.
- Who: every department of every organisation in the directory, including one with no cases in the
  period (its report says so). Cases without a department (first line's own) are no department's.
- Once: the schedule runs on one replica at a time (the lease ``stats-reports``), and each report
  is noted in ``reports_sent`` under its id ``<organisation>|<department>|<period>``, so a second run
  publishes nothing new. Its event id derives from the report id: a run that overlaps another at a
  lease hand-over, or that published but crashed before noting it, publishes the same event again,
  and notify drops the repeat.
- What: the tertial report (:mod:`services.stats.report`) of the organisation over the period, its
  CSV rows (:mod:`services.stats.report_csv`) of the department, and the same numbers as an HTML page
  (:mod:`services.stats.report_html`). Over ``STATS_REPORTS_MAX_BYTES`` (CSV and HTML together) the
  event carries neither, only a short page saying where the figures are read.

``POST /v1/stats/reports/send`` (an administrator of the organisation) sends one report now, for any
ended period; it is a new event each time, and does not count as the schedule's run.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from lotsen.auth import Admin
from lotsen.contracts import topics
from lotsen.contracts.envelope import derived_event_id
from lotsen.contracts.reports import ReportKind, ReportReady, ReportReadyData, report_id
from lotsen.directory import Directory, Organization
from lotsen.errors import DomainError, Forbidden
from lotsen.kafka.publisher import Publisher, PublishFailed
from services.stats.aggregates import Aggregator
from services.stats.deps import Clock, Figures
from services.stats.figures import InvalidPeriod, last_day_of_month, parse_month, parse_tertial, tertial_of
from services.stats.report import build_report
from services.stats.report_csv import report_rows, to_csv
from services.stats.report_html import render_report
from services.stats.repository import SentReports, StatsRepository
from services.stats.settings import StatsSettings
from services.stats.targets.service import TargetStore

log = logging.getLogger(__name__)
router = APIRouter(tags=["stats"])
LEASE = "stats-reports"
Trigger = Literal["schedule", "admin"]


class UnknownDepartment(DomainError):
    status = 422
    code = "unknown_department"


@dataclass(frozen=True)
class Period:
    kind: ReportKind
    label: str  # 2026-03, 2026-T1
    first: date
    last: date


def period_of(kind: ReportKind, day: date) -> Period:
    """The month or tertial ``day`` falls in."""
    if kind == "monthly":
        return Period(kind, f"{day:%Y-%m}", day.replace(day=1), last_day_of_month(day))
    label = f"{day.year}-T{tertial_of(day.month)}"
    first, last = parse_tertial(label)
    return Period(kind, label, first, last)


def parse_period(text: str) -> Period:
    """``2026-03`` (a month) or ``2026-T1`` (a tertial)."""
    if "-T" in text:
        first, last = parse_tertial(text)
        return Period("tertial", text, first, last)
    first, last = parse_month(text)
    return Period("monthly", text, first, last)


def due_at(period: Period, tz: ZoneInfo, settings: StatsSettings) -> datetime:
    """When the schedule sends ``period``'s report: the set time on the day after it ended."""
    return datetime.combine(period.last + timedelta(days=1), settings.reports_time, tzinfo=tz)


def due_periods(now: datetime, tz: ZoneInfo, settings: StatsSettings) -> list[Period]:
    """The latest ended period of each kind whose time has come, within the catch-up window."""
    today = now.astimezone(tz).date()
    window = timedelta(days=settings.reports_catch_up_days)
    due = []
    for kind in sorted(set(settings.reports_kinds)):
        ended = period_of(kind, period_of(kind, today).first - timedelta(days=1))
        when = due_at(ended, tz, settings)
        if now < when:  # today is the first day of a period, before the set time: the one before
            ended = period_of(kind, ended.first - timedelta(days=1))
            when = due_at(ended, tz, settings)
        if when <= now <= when + window:
            due.append(ended)
    return due


@dataclass
class ReportSender:
    stats: StatsRepository
    aggregator: Aggregator
    settings: StatsSettings
    directory: Directory
    publisher: Publisher
    clock: Clock
    sent: SentReports
    targets: TargetStore | None = None  # each organisation's own targets, as the report asked for shows

    async def reports(
        self, org: Organization, period: Period, departments: list[str], *, trigger: Trigger
    ) -> list[ReportReady]:
        """The events of ``departments`` of ``org`` for ``period``, from one build of the report."""
        now = self.clock()
        figures = Figures(self.stats, self.aggregator, self.settings, now, targets=self.targets)
        mode = self.settings.email_response_mode
        report = await build_report(
            figures,
            self.directory,
            period=period.label,
            first=period.first,
            last=period.last,
            organization=org.id,
            mode=mode,
        )
        entries = {d["department"]: d for o in report["organizations"] for d in o["departments"]}
        rows = list(report_rows(report))
        events = []
        for department_id in departments:
            department = org.department(department_id)
            if department is None:
                raise UnknownDepartment(f"no department {department_id!r} of {org.id} in the directory")
            entry = entries.get(department_id)
            rid = report_id(org.id, department_id, period.label)
            csv = to_csv(row for row in rows if row[1] == department_id)
            page = partial(
                render_report,
                organization=org.name,
                department=department.name,
                kind=period.kind,
                period=period.label,
                first=period.first,
                last=period.last,
                as_of=now,
                tz=figures.tz,
            )
            html = page(entry=entry)
            omitted = len(csv.encode()) + len(html.encode()) > self.settings.reports_max_bytes
            if omitted:
                html = page(
                    entry=None,
                    omitted_reason=(
                        "Rapporten är för stor för att skickas. Siffrorna finns i Lotsens tertialrapport "
                        f"(GET /v1/stats/report med organization={org.id}, from={period.first} och "
                        f"to={period.last}, format=csv)."
                    ),
                )
            event_id = derived_event_id(rid, "report.ready") if trigger == "schedule" else uuid.uuid4()
            data = ReportReadyData(
                report_id=rid,
                department=department_id,
                department_name=department.name,
                organization_name=org.name,
                kind=period.kind,
                period=period.label,
                first_day=period.first,
                last_day=period.last,
                cases=entry["cases"] if entry else 0,
                csv=None if omitted else csv,
                html=html,
                omitted=omitted,
                trigger=trigger,
            )
            events.append(
                ReportReady(
                    event_id=event_id, producer="stats", organization=org.id, occurred_at=now, data=data
                )
            )
        return events

    async def publish(self, event: ReportReady) -> None:
        await self.publisher.publish(topics.REPORTS_EVENTS, event, key=event.data.report_id)

    async def publish_due(self) -> list[str]:
        """Publish every report the schedule owes now and has not published; their ids."""
        now = self.clock()
        published: list[str] = []
        for period in due_periods(now, self.aggregator.tz, self.settings):
            for org in self.directory.organizations:
                ids = {report_id(org.id, d.id, period.label): d.id for d in org.departments}
                done = await self.sent.sent(ids)
                owed = [department for rid, department in ids.items() if rid not in done]
                if not owed:
                    continue
                for event in await self.reports(org, period, owed, trigger="schedule"):
                    await self.publish(event)
                    await self.sent.record(
                        event.data.report_id,
                        {
                            "organization": org.id,
                            "department": event.data.department,
                            "period": period.label,
                            "kind": period.kind,
                            "event_id": str(event.event_id),
                            "published_at": now,
                            "omitted": event.data.omitted,
                        },
                    )
                    published.append(event.data.report_id)
        if published:
            log.info("published %d department reports: %s", len(published), ", ".join(published))
        return published

    async def run(self, stop: asyncio.Event) -> None:
        """The schedule: look every ``STATS_REPORTS_CHECK_SECONDS`` (under the lease ``stats-reports``)."""
        while not stop.is_set():
            try:
                await self.publish_due()
            except PublishFailed as exc:  # Kafka away: the reports not yet noted go at the next look
                log.warning("department reports not all published, tried again shortly: %s", exc)
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.settings.reports_check_seconds)
            except TimeoutError:
                pass


class SendReport(BaseModel):
    organization: str = Field(min_length=1, max_length=64)
    department: str = Field(min_length=1, max_length=64)
    period: str = Field(
        min_length=7, max_length=7, description="YYYY-MM (a monthly report) or YYYY-T1…T3 (a tertial one)"
    )


class SentReport(BaseModel):
    report_id: str
    event_id: str
    kind: Literal["monthly", "tertial"]
    cases: int
    omitted: bool


@router.post(
    "/v1/stats/reports/send",
    response_model=SentReport,
    status_code=202,
    summary="Send a department's report of an ended month or tertial now (an administrator)",
)
async def send_report(body: SendReport, request: Request, principal: Admin) -> SentReport:
    if not principal.serves(body.organization):
        raise Forbidden(
            f"you do not work for {body.organization}", details={"organization": body.organization}
        )
    state = request.app.state
    directory: Directory = state.runtime.directory
    org = directory.organization(body.organization)
    if org is None:
        raise UnknownDepartment(
            f"no organisation {body.organization!r} in the directory",
            details={"field": "organization", "known": [o.id for o in directory.organizations]},
        )
    if org.department(body.department) is None:
        raise UnknownDepartment(
            f"no department {body.department!r} of {org.id} in the directory",
            details={"field": "department", "known": [d.id for d in org.departments]},
        )
    period = parse_period(body.period)
    sender: ReportSender = state.report_sender
    if period.last >= sender.clock().astimezone(sender.aggregator.tz).date():
        raise InvalidPeriod(
            f"the period {period.label} has not ended yet; a report covers a whole month or tertial",
            details={"field": "period"},
        )
    (event,) = await sender.reports(org, period, [body.department], trigger="admin")
    await sender.publish(event)
    return SentReport(
        report_id=event.data.report_id,
        event_id=str(event.event_id),
        kind=period.kind,
        cases=event.data.cases,
        omitted=event.data.omitted,
    )


def sender_of(app_state: Any, runtime: Any) -> ReportSender:
    return ReportSender(
        stats=app_state.stats,
        aggregator=app_state.aggregator,
        settings=app_state.settings,
        directory=runtime.directory,
        publisher=runtime.publisher,
        clock=app_state.clock,
        sent=SentReports(runtime.db),
        targets=app_state.targets,
    )
