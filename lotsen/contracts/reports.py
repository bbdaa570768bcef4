"""Reports to the departments on ``reports.events``, keyed by report id.

stats publishes ``report.ready`` once per organisation, department and ended period (a month, or a
tertial: T1 Jan–Apr, T2 May–Aug, T3 Sep–Dec), on schedule or when an administrator sends one. The
event carries the report twice: as the tertial report's CSV restricted to the department, and as a
readable Swedish HTML page (tables and inline SVG charts, no scripts, no external resources).
notify e-mails it to the departments that subscribed to ``report.monthly`` / ``report.tertial``.

The report id ``<organisation>|<department>|<period>`` names the report; the event id derives from
it, so publishing the same report again is dropped by every consumer as a repeat. A report whose CSV
and HTML together exceed stats' size limit (``STATS_REPORTS_MAX_BYTES``) travels without them
(``omitted``): the HTML then only says so and where the figures are read.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from lotsen.contracts.envelope import Event, EventData

ReportKind = Literal["monthly", "tertial"]


class ReportReadyData(EventData):
    report_id: str = Field(description="<organisation>|<department>|<period>: one report, whoever sends it")
    department: str
    department_name: str
    organization_name: str
    kind: ReportKind
    period: str = Field(description="YYYY-MM for a monthly report, YYYY-T1…T3 for a tertial one")
    first_day: date = Field(description="the period's first local date")
    last_day: date = Field(description="the period's last local date")
    cases: int = Field(description="the department's cases received in the period")
    csv: str | None = Field(
        description="the tertial report's CSV rows of the department (UTF-8, RFC 4180); null when omitted"
    )
    html: str = Field(description="the report as a self-contained HTML page in Swedish")
    omitted: bool = Field(
        False,
        description="true: the report was over the size limit; csv is null and html only says where "
        "the figures are read",
    )
    trigger: Literal["schedule", "admin"] = "schedule"


class ReportReady(Event[ReportReadyData]):
    type: Literal["report.ready"] = "report.ready"


def report_id(organization: str, department: str, period: str) -> str:
    return f"{organization}|{department}|{period}"
