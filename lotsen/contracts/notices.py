"""Crisis notices and knowledge-bank reminders on ``notices.events``, keyed by notice id or article id.

A notice (*driftstörning*, *krisinformation*) is published by a supervisor or administrator for one
organisation, shows from ``starts_at`` until ``ends_at`` and is withdrawn or expires then; each of
the three steps is one event, published once. The web site and the phone system's IVR subscribe
through notify's webhooks. ``kb.review_due`` tells the department owning a knowledge article that
its review date has come.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from lotsen.contracts.envelope import Event, EventData, UtcDatetime

Severity = Literal["info", "warning", "crisis"]


class NoticeEventData(EventData):
    notice_id: str


class NoticePublishedData(NoticeEventData):
    severity: Severity
    title: dict[str, str] = Field(description="language (sv, en, ar) → heading; Swedish always present")
    text: dict[str, str] = Field(description="language (sv, en, ar) → text; Swedish always present")
    starts_at: UtcDatetime
    ends_at: UtcDatetime
    article_id: str | None = Field(None, description="the knowledge article agents answer from")
    published_by: str


class NoticeWithdrawnData(NoticeEventData):
    withdrawn_at: UtcDatetime
    withdrawn_by: str


class NoticeExpiredData(NoticeEventData):
    ends_at: UtcDatetime


class KbReviewDueData(EventData):
    article_id: str
    title: str
    department: str = Field(description="the owning department, within the event's organisation")
    review_date: date


class NoticePublished(Event[NoticePublishedData]):
    type: Literal["notice.published"] = "notice.published"


class NoticeWithdrawn(Event[NoticeWithdrawnData]):
    type: Literal["notice.withdrawn"] = "notice.withdrawn"


class NoticeExpired(Event[NoticeExpiredData]):
    type: Literal["notice.expired"] = "notice.expired"


class KbReviewDue(Event[KbReviewDueData]):
    type: Literal["kb.review_due"] = "kb.review_due"


def notice_key(event: Event[Any]) -> str:
    """The record key: the notice id, or the article id of a review reminder."""
    return str(getattr(event.data, "notice_id", None) or event.data.article_id)
