"""Settings of stats: the definitions' parameters, the targets, and how the aggregates are kept."""

from datetime import datetime, time
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from lotsen.contracts.reports import ReportKind
from lotsen.settings import ServiceSettings

EmailMode = Literal["calendar", "working_days"]


class StatsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STATS_", extra="ignore")

    service_name: str = "stats"
    port: int = 8005
    timezone: str = "Europe/Stockholm"
    require_token: bool = Field(
        True, description="false: anyone who reaches stats reads every figure (a closed network only)"
    )
    database: str = "lotsen_stats"
    consumer_group: str = Field("stats", description="Kafka consumer group, as lotsen-<consumer_group>")
    batch_size: int = Field(500, ge=1, description="records handed to the handler per poll")
    flush_interval_seconds: float = Field(
        1.0, gt=0, description="how often dirty days are re-aggregated (queries also do it first)"
    )
    now: datetime | None = Field(
        None, description="freeze the clock (tests, reproducible reports); the wall clock if unset"
    )

    # svarsfrekvens (DESIGN §5)
    short_abandon_seconds: float = Field(5, ge=0, description="abandons that waited less count in neither")
    service_level_seconds: float = Field(60, ge=0, description="servicenivå: answered within this wait")
    answer_rate_target: float = 0.95
    service_level_target: float = Field(0.80, description="servicenivå: the common 80/20 measure's 80 %")
    calls_waiting_window_seconds: float = Field(
        3600, gt=0, description="a call without an outcome counts as waiting (gauge) for this long"
    )

    # e-post besvarad inom 48 timmar. Changing the hours or days needs a rebuild.
    email_response_mode: EmailMode = "calendar"
    email_response_hours: int = Field(48, ge=1)
    email_response_working_days: int = Field(2, ge=1)
    email_response_target: float = 0.94

    # lösningsgrad i första linjen
    resolution_target: float = 0.60

    # NKI (Östersund: bemötande 4,3 and kunskap 4,0; tillgänglighet is measured by svarsfrekvens)
    satisfaction_targets: dict[str, float] = Field(default_factory=lambda: {"bemotande": 4.3, "kunskap": 4.0})

    # reports to the departments (docs/figures.md, "Rapporter till förvaltningarna")
    reports_enabled: bool = Field(True, description="publish each department's report when a period ends")
    reports_kinds: list[ReportKind] = Field(
        ["tertial"],
        description='which reports: ["tertial"], ["monthly", "tertial"] …',
    )
    reports_time: time = Field(time(6, 0), description="local time (STATS_TIMEZONE) on the period's next day")
    reports_catch_up_days: int = Field(
        7,
        ge=0,
        le=13,
        description="a run missed (the service was down) is made up for this many days after; below "
        "LOTSEN_PROCESSED_EVENTS_TTL_DAYS (14), so notify still knows a report's event id if it comes again",
    )
    reports_max_bytes: int = Field(
        512 * 1024, ge=16 * 1024, le=768 * 1024, description="CSV and HTML of one report together, in UTF-8"
    )
    reports_check_seconds: float = Field(60, gt=0, description="how often the schedule is looked at")
    # per handläggare (per agent): staff data, kept apart and deleted after the retention
    agent_figures_retention_days: int = Field(
        396, ge=1, description="per-agent figures are kept this many days (396 ≈ 13 months), then deleted"
    )
    agent_retention_check_seconds: float = Field(
        3600, gt=0, description="how often one replica deletes per-agent figures past the retention"
    )
    agent_flush_interval_seconds: float = Field(
        30, gt=0, description="how often per-agent days are re-derived (per-agent queries also do it first)"
    )
