"""Review reminders: when a knowledge article's review date comes, its owning department hears of
it once (``kb.review_due`` on ``notices.events``; notify mails the department's contact address).

The event's id is derived from the article and the review date, and the article remembers the date
it was reminded for (``review_reminded_for``, ``review_reminded``; a save with another review date
clears the flag, see :mod:`.articles`) only after Kafka took the event: a crash in between publishes
the same event again, which every consumer skips. A new review date brings a new reminder when it comes.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from lotsen.contracts import topics
from lotsen.contracts.envelope import derived_event_id
from lotsen.contracts.notices import KbReviewDue, KbReviewDueData
from lotsen.kafka.publisher import Publisher, PublishFailed
from services.casestore.knowledge.repository import ArticleHistory, Database
from services.casestore.repository import Document

log = logging.getLogger(__name__)


def review_due_event(article: Document, at: datetime) -> KbReviewDue:
    review_date = str(article["review_date"])
    return KbReviewDue(
        event_id=derived_event_id(article["_id"], f"review:{review_date}"),
        producer="casestore",
        organization=article["organization"],
        occurred_at=at,
        data=KbReviewDueData(
            article_id=article["_id"],
            title=article["title"],
            department=article["owner_department"],
            review_date=date.fromisoformat(review_date),
        ),
    )


async def remind_due(db: Database, publisher: Publisher, *, now: datetime, limit: int) -> int:
    """Publish the reminders of articles whose review date came; how many went out."""
    history = ArticleHistory(db)
    sent = 0
    for article in await history.due_for_review(now.date().isoformat(), limit=limit):
        try:
            await publisher.publish(topics.NOTICES_EVENTS, review_due_event(article, now), key=article["_id"])
        except PublishFailed as failed:
            log.warning("review reminders wait for Kafka: %s", failed)
            break
        await history.reminded(article["_id"], article["review_date"])
        sent += 1
    return sent
