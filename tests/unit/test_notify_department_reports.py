"""A department that subscribed to its tertial report gets it by e-mail over a real SMTP conversation
(the HTML page as the body, a plain-text part, the CSV attached) and by signed webhook; stats makes
the report and notify takes it off the same bus."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.contracts.reports import ReportReady
from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.processing import MemoryDeduplicator
from services.notify import handlers
from services.stats.handlers import make_handler
from services.stats.repository import StatsRepository
from tests.notify_support import (
    Notify,
    Outbox,
    Receiver,
    clock,
    notify,
    notify_overrides,
    outbox,
    receiver,
    signed_correctly,
)
from tests.stats_support import stats_app
from tests.unit.test_stats_department_reports import AT, EVENTS, parsed

__all__ = ["clock", "notify", "notify_overrides", "outbox", "receiver"]  # fixtures


@pytest.fixture
async def stats(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=AT) as application:
        for item in EVENTS:
            await bus.publish(topics.CASES_EVENTS, item, key=item.data.case_ref)
        handler = make_handler(stats=StatsRepository(application.state.runtime.db))
        await bus.deliver(topics.CASES_EVENTS, handler, dedupe=MemoryDeduplicator())
        yield application


async def take_reports(notify: Notify) -> None:
    """notify's consumer takes ``reports.events`` (each record once per group, as Kafka), then sends."""
    everything = handlers.everything(notify.app.state.notifier)
    await notify.bus.deliver(topics.REPORTS_EVENTS, everything, group="notify")
    await notify.dispatch()


def the_report(bus: InMemoryBus, report_id: str) -> ReportReady:
    [event] = [e for e in bus.published(topics.REPORTS_EVENTS) if e.data.report_id == report_id]
    assert isinstance(event, ReportReady)
    return event


async def test_a_subscribed_department_gets_its_report_as_html_with_the_csv_attached(
    notify: Notify, stats: FastAPI, outbox: Outbox, receiver: Receiver
) -> None:
    await notify.subscribe(receiver.url, "report.tertial")
    await notify.subscribe(receiver.url, "report.monthly", department="skola")  # not the tertial one
    await notify.subscribe(receiver.url, "case.handed_off", department="kultur")
    await stats.state.report_sender.publish_due()
    await take_reports(notify)

    [mail] = outbox.messages()
    assert mail["To"] == "Samhällsbyggnadsförvaltningen <samhallsbyggnad@karlskoga.example>"
    assert mail["Subject"] == "Tertialrapport 2026-T1: Samhällsbyggnadsförvaltningen"
    assert mail.get_content_type() == "multipart/mixed"
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "karlskoga-samhallsbyggnad-2026-T1.csv"
    assert attachment.get_content_type() == "text/csv"
    event = the_report(notify.bus, "karlskoga|samhallsbyggnad|2026-T1")
    content = attachment.get_content()
    content = content.decode("utf-8") if isinstance(content, bytes) else content
    assert content == event.data.csv
    values = {(r[2], r[3], r[4]): r[5] for r in csv.reader(io.StringIO(content))}
    assert values[("volumes", "", "cases")] == "2"
    assert values[("volumes_by_channel", "phone", "count")] == "1"

    html_part, plain_part = mail.get_body(("html",)), mail.get_body(("plain",))
    assert html_part is not None and plain_part is not None
    page = parsed(html_part.get_content())
    assert "script" not in page.tags and not {a for a in page.attributes if a.startswith("on")}
    assert page.tables["Ärenden per kanal"] == [["E-post", "1"], ["Telefon", "1"]]
    assert page.tables["Nyckeltal för perioden"][0] == ["Ärenden", "2", "–", "–"]
    plain = plain_part.get_content()
    assert "Ärenden per kanal" in plain and "E-post | 1" in plain and "Telefon | 1" in plain
    assert "<" not in plain

    [hook] = receiver.requests
    assert hook.headers["X-Lotsen-Event"] == "report.ready"
    assert signed_correctly(hook.headers, hook.body)
    assert hook.json()["data"]["report_id"] == "karlskoga|samhallsbyggnad|2026-T1"
    assert hook.json()["data"]["csv"] == event.data.csv

    # Published again (a lease hand-over, a restart before the report was noted): nothing new is sent.
    await notify.bus.publish(topics.REPORTS_EVENTS, event, key=event.data.report_id)
    await stats.state.report_sender.publish_due()
    await take_reports(notify)
    assert len(outbox.messages()) == 1 and len(receiver.requests) == 1
    [sent] = await notify.deliveries(target="department_email")
    assert (sent["status"], sent["department"], sent["event_type"]) == (
        "delivered", "samhallsbyggnad", "report.ready",
    )  # fmt: skip


async def test_a_report_mail_that_fails_is_tried_again(
    notify: Notify, stats: FastAPI, outbox: Outbox, receiver: Receiver, clock: Any
) -> None:
    await notify.subscribe(receiver.url, "report.tertial", department="skola")
    outbox.stop()  # the relay is down
    await stats.state.report_sender.publish_due()
    await take_reports(notify)
    [mail] = await notify.deliveries(target="department_email")
    assert mail["status"] == "pending" and mail["attempts"] == 1

    outbox.__init__(outbox.directory, port=outbox.port)  # the relay is back (the fixture stops it)
    clock.set(datetime.fromisoformat(mail["next_attempt_at"]) + timedelta(seconds=1))
    await notify.dispatch()
    [message] = outbox.messages()
    assert message["Subject"] == "Tertialrapport 2026-T1: Barn- och utbildningsförvaltningen"
    [mail] = await notify.deliveries(target="department_email")
    assert (mail["status"], mail["attempts"]) == ("delivered", 2)


async def test_subscriptions_take_the_report_kinds(notify: Notify, receiver: Receiver) -> None:
    taken = await notify.try_subscribe(receiver.url, "report.monthly", "report.tertial")
    assert taken.status_code == 201 and taken.json()["event_types"] == ["report.monthly", "report.tertial"]
    assert (await notify.try_subscribe(receiver.url, "report.weekly")).status_code == 422


async def test_a_department_takes_its_reports_by_e_mail_alone(
    notify: Notify, stats: FastAPI, outbox: Outbox, receiver: Receiver
) -> None:
    by_mail = {"department": "skola", "organization": "karlskoga", "event_types": ["report.tertial"]}
    taken = await notify.client.post("/v1/subscriptions", json=by_mail, headers=notify.admin)
    assert taken.status_code == 201, taken.text
    assert taken.json()["url"] is None
    # Without a webhook only the reports can be asked for, and a secret needs its url.
    handoffs = {**by_mail, "event_types": ["report.tertial", "case.handed_off"]}
    refused = await notify.client.post("/v1/subscriptions", json=handoffs, headers=notify.admin)
    assert refused.status_code == 422 and "only the reports" in refused.text
    half = {**by_mail, "secret": "s" * 20}
    assert (await notify.client.post("/v1/subscriptions", json=half, headers=notify.admin)).status_code == 422

    await stats.state.report_sender.publish_due()
    await take_reports(notify)
    [message] = outbox.messages()
    assert message["Subject"] == "Tertialrapport 2026-T1: Barn- och utbildningsförvaltningen"
    assert message["To"] == "Barn- och utbildningsförvaltningen <skola@karlskoga.example>"
    assert await notify.deliveries(target="webhook") == []
    assert receiver.requests == []
