"""Response shapes of the figures, for the OpenAPI documentation (DESIGN §4: add fields, never rename).

The routes build plain dictionaries so that ``groups`` appears only when ``group_by`` was asked for;
these models describe them.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

Key = str | int | None


class AnswerRateFigure(BaseModel):
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    callbacks: int
    pending: int
    answer_rate: float | None
    service_level: float | None
    answered_within_service_level: int
    median_wait_seconds: float | None
    p90_wait_seconds: float | None
    target: float | None
    met: bool | None
    transferred: int = Field(0, description="calls connected to a person or department (växeln)")
    transferred_by_department: dict[str, int] = Field(
        default_factory=dict, description="by the department they went to; 'unknown' for the IVR's"
    )
    short_abandon_seconds: float | None = None
    service_level_seconds: float | None = None
    groups: list[AnswerRateGroup] | None = None


class AnswerRateGroup(AnswerRateFigure):
    key: Key


class EmailResponseFigure(BaseModel):
    in_time: int
    missed: int
    pending: int
    share: float | None
    target: float | None
    met: bool | None
    mode: str
    emails: int
    answered_late: int
    unanswered_past_deadline: int
    groups: list[EmailResponseGroup] | None = None


class EmailResponseGroup(EmailResponseFigure):
    key: Key


class ResolutionFigure(BaseModel):
    resolved_first_line: int
    handed_off: int
    pending: int
    rate: float | None
    target: float | None
    met: bool | None
    groups: list[ResolutionGroup] | None = None


class ResolutionGroup(ResolutionFigure):
    key: Key


class QuestionScore(BaseModel):
    mean: float | None
    count: int
    target: float | None
    met: bool | None


class SatisfactionFigure(BaseModel):
    responses: int
    bemotande: QuestionScore
    kunskap: QuestionScore
    tillganglighet: QuestionScore
    groups: list[SatisfactionGroup] | None = None


class SatisfactionGroup(SatisfactionFigure):
    key: Key


class FailureDemand(BaseModel):
    resolved: int
    failure_demand: int
    share: float | None


class BacklogFigure(BaseModel):
    open: int
    by_status: dict[str, int]
    by_age: dict[str, int]
    handed_off: int
    handed_off_past_due: int
    failure_demand: FailureDemand
    as_of: str
    groups: list[BacklogGroup] | None = None


class BacklogGroup(BacklogFigure):
    key: Key


class VolumeGroupRow(BaseModel):
    key: Key
    count: int
    delivered: int | None = None
    failed: int | None = None


class Volumes(BaseModel):
    total: int
    groups: list[VolumeGroupRow]


class ChargingRow(BaseModel):
    key: Key
    count: int
    pending: int


class ChargingFigure(BaseModel):
    month: str
    organization: str | None
    total: int
    pending: int
    groups: list[ChargingRow]


class SynpunkterByKind(BaseModel):
    """beröm, klagomål, förslag, fråga, and those nobody has classified yet"""

    praise: int
    complaint: int
    suggestion: int
    question: int
    unclassified: int


class SynpunkterRow(BaseModel):
    key: Key
    count: int
    refs: list[str]
    by_kind: SynpunkterByKind


class SynpunkterFigure(BaseModel):
    count: int
    refs: list[str]
    by_kind: SynpunkterByKind
    groups: list[SynpunkterRow]
