"""Crisis notices reach the systems that subscribed (the web site, the IVR); review reminders reach
the department that owns the article, by webhook and by e-mail."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from lotsen.contracts import topics
from lotsen.contracts.envelope import Event
from lotsen.contracts.notices import (
    KbReviewDue,
    KbReviewDueData,
    NoticePublished,
    NoticePublishedData,
    NoticeWithdrawn,
    NoticeWithdrawnData,
)
from services.notify import handlers
from tests.notify_support import Notify, Outbox, Receiver, clock, notify, notify_overrides, outbox, receiver

__all__ = ["clock", "notify", "notify_overrides", "outbox", "receiver"]  # fixtures

NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)


def published(notice_id: str, organization: str = "karlskoga") -> NoticePublished:
    return NoticePublished(
        producer="casestore",
        organization=organization,
        data=NoticePublishedData(
            notice_id=notice_id,
            severity="crisis",
            title={"sv": "Vattenläcka", "en": "Water leak"},
            text={"sv": "Kokavisering gäller."},
            starts_at=NOW,
            ends_at=NOW + timedelta(hours=6),
            published_by="supervisor",
        ),
    )


def withdrawn(notice_id: str) -> NoticeWithdrawn:
    return NoticeWithdrawn(
        producer="casestore",
        organization="karlskoga",
        data=NoticeWithdrawnData(notice_id=notice_id, withdrawn_at=NOW, withdrawn_by="supervisor"),
    )


def review_due(department: str = "samhallsbyggnad") -> KbReviewDue:
    return KbReviewDue(
        producer="casestore",
        organization="karlskoga",
        data=KbReviewDueData(
            article_id="a1", title="Bygglov för altan", department=department, review_date=date(2026, 3, 1)
        ),
    )


async def tell(notify: Notify, *events: Event[object]) -> None:
    for event in events:
        await notify.bus.publish(topics.NOTICES_EVENTS, event, key="k")
    everything = handlers.everything(notify.app.state.notifier)
    await notify.bus.deliver(topics.NOTICES_EVENTS, everything, group="notify")
    await notify.dispatch()


async def test_notices_reach_every_subscriber_of_the_organisation_in_order(
    notify: Notify, receiver: Receiver
) -> None:
    await notify.subscribe(
        receiver.url, "notice.published", "notice.withdrawn", department="ledningskontoret"
    )
    await notify.subscribe(receiver.url, "case.handed_off")  # not to notices
    await notify.subscribe(receiver.url, "notice.published", organization="degerfors", department="social")
    first = published("n1")
    await tell(notify, first, withdrawn("n1"), published("n2", organization="degerfors"))
    seen = [
        (r.headers["X-Lotsen-Event"], r.json()["data"]["notice_id"], r.json()["organization"])
        for r in receiver.requests
    ]
    assert [(t, org) for t, n, org in seen if n == "n1"] == [
        ("notice.published", "karlskoga"),
        ("notice.withdrawn", "karlskoga"),
    ]
    assert [(t, org) for t, n, org in seen if n == "n2"] == [("notice.published", "degerfors")]
    assert receiver.requests[0].json()["data"]["title"]["en"] == "Water leak"
    await tell(notify, first)  # a redelivered event records nothing new
    assert len(receiver.requests) == 3


async def test_the_owning_department_is_reminded_to_review_its_article(
    notify: Notify, receiver: Receiver, outbox: Outbox
) -> None:
    await notify.subscribe(receiver.url, "kb.review_due")
    await notify.subscribe(receiver.url, "kb.review_due", department="skola")
    await tell(notify, review_due())
    assert [(r.headers["X-Lotsen-Event"], r.json()["data"]["department"]) for r in receiver.requests] == [
        ("kb.review_due", "samhallsbyggnad")
    ]
    [mail] = outbox.messages("Dags att granska artikeln")
    assert '"Bygglov för altan"' in mail["Subject"]
    text = mail.get_content()
    assert "senast 2026-03-01" in text and "/kunskapsbank/a1" in text
    [sent] = await notify.deliveries(target="department_email")
    assert sent["status"] == "delivered" and sent["department"] == "samhallsbyggnad"


async def test_a_review_reminder_to_a_department_not_in_the_directory_fails_visibly(notify: Notify) -> None:
    await tell(notify, review_due(department="nasa"))
    [failed] = await notify.deliveries(target="department_email")
    assert failed["status"] == "failed" and "not in the directory" in failed["reason"]


async def test_subscriptions_take_notice_events_and_refuse_unknown_ones(
    notify: Notify, receiver: Receiver
) -> None:
    taken = await notify.try_subscribe(receiver.url, "notice.published", "notice.expired", "kb.review_due")
    assert taken.status_code == 201 and taken.json()["event_types"] == [
        "notice.published",
        "notice.expired",
        "kb.review_due",
    ]
    assert (await notify.try_subscribe(receiver.url, "notice.cancelled")).status_code == 422
