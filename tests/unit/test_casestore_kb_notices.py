"""The knowledge bank's departments and history, and crisis notices.

Who may do what, every kind of caller × organisation × department:
- knowledge articles: supervisors and administrators of the organisation write every article of it;
  a handler writes the articles its departments own, within its organisations (the same department
  id in another organisation is not theirs); agents read; an article of an organisation the caller
  does not work for answers 404;
- notices: supervisors and administrators of the organisation publish and withdraw; everyone on the
  staff of the organisation reads them; anyone reads the public notices showing now.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from services.casestore.knowledge import notices_scheduler
from services.casestore.knowledge import reviews as kb_reviews
from tests.authorization import CALLERS as EVERY_KIND_OF_CALLER
from tests.authorization import Caller, headers_of, serves
from tests.casestore_support import app, bearer, client, login

__all__ = ["app", "client"]

CALLERS = {
    **EVERY_KIND_OF_CALLER,
    # Another department in the same organisation, and the same department id in another one.
    "handler-social": Caller("handler", ("karlskoga",), ("social",)),
    "handler-degerfors-samhallsbyggnad": Caller("handler", ("degerfors",), ("samhallsbyggnad",)),
    # A token that lists no organisation: every organisation for a supervisor.
    "supervisor-any": Caller("supervisor"),
}
BOSS = bearer("supervisor", subject="supervisor")


def article(organization: str, **changes: Any) -> dict[str, Any]:
    return {
        "organization": organization,
        "title": "Bygglov för altan",
        "body": "En altan lägre än 1,2 meter behöver normalt inte bygglov.\nFråga om höjden.",
        "tags": ["bygglov"],
        "owner_department": "samhallsbyggnad",
        "review_date": "2026-09-01",
        "checklist": ["Fråga om höjden"],
    } | changes


def notice(organization: str, **changes: Any) -> dict[str, Any]:
    return {
        "organization": organization,
        "severity": "crisis",
        "title": {"sv": "Vattenläcka i Bofors", "en": "Water leak in Bofors"},
        "text": {"sv": "Kokavisering gäller.", "en": "Boil your water.", "ar": "اغلِ الماء"},
        "ends_at": (datetime.now(UTC) + timedelta(hours=6)).isoformat(),
    } | changes


def may_write(caller: Caller, organization: str, department: str) -> bool:
    if caller.role in ("supervisor", "admin"):
        return serves(caller, organization)
    return caller.role == "handler" and serves(caller, organization) and department in caller.departments


def staff(caller: Caller) -> bool:
    return caller.role in ("agent", "handler", "supervisor", "admin")


async def test_who_writes_and_reads_knowledge_articles(client: httpx.AsyncClient) -> None:
    ids = {}
    for organization in ("karlskoga", "degerfors"):
        created = await client.post("/v1/kb/articles", json=article(organization), headers=BOSS)
        assert created.status_code == 201, created.text
        ids[organization] = created.json()["id"]
    for name, caller in CALLERS.items():
        headers = await headers_of(client, name, caller)
        for organization, article_id in ids.items():
            where = f"{name} on {organization}"
            sees = staff(caller) and serves(caller, organization)
            unauthenticated = 401 if caller.role is None else None
            read = await client.get(f"/v1/kb/articles/{article_id}", headers=headers)
            assert read.status_code == (
                unauthenticated or (200 if sees else 403 if not staff(caller) else 404)
            ), where
            for path in ("changes", "versions"):
                answer = await client.get(f"/v1/kb/articles/{article_id}/{path}", headers=headers)
                assert answer.status_code == read.status_code, f"{where} {path}"
            writes = may_write(caller, organization, "samhallsbyggnad")
            put = await client.put(
                f"/v1/kb/articles/{article_id}",
                json=article(organization, body=f"Av {name}."),
                headers=headers,
            )
            want = unauthenticated or (200 if writes else 404 if staff(caller) and not sees else 403)
            assert put.status_code == want, f"{where}: {put.text}"
            for department in ("samhallsbyggnad", "social"):
                post = await client.post(
                    "/v1/kb/articles",
                    json=article(organization, owner_department=department),
                    headers=headers,
                )
                want = unauthenticated or (201 if may_write(caller, organization, department) else 403)
                assert post.status_code == want, f"{where} creates for {department}: {post.text}"


async def test_a_department_neither_takes_nor_gives_away_an_article(client: httpx.AsyncClient) -> None:
    handler = await login(client, "handler")
    social = await client.post(
        "/v1/kb/articles", json=article("karlskoga", owner_department="social"), headers=BOSS
    )
    theirs = social.json()["id"]
    taken = await client.put(f"/v1/kb/articles/{theirs}", json=article("karlskoga"), headers=handler)
    assert taken.status_code == 403
    own = (await client.post("/v1/kb/articles", json=article("karlskoga"), headers=handler)).json()["id"]
    given = await client.put(
        f"/v1/kb/articles/{own}", json=article("karlskoga", owner_department="social"), headers=handler
    )
    assert given.status_code == 403
    listed = await client.get(
        "/v1/kb/articles", params={"owner_department": "samhallsbyggnad"}, headers=handler
    )
    assert [a["id"] for a in listed.json()] == [own]


async def test_first_line_sees_what_changed_since_it_last_read(client: httpx.AsyncClient) -> None:
    handler = await login(client, "handler")
    agent = await login(client, "agent")
    created = (await client.post("/v1/kb/articles", json=article("karlskoga"), headers=handler)).json()
    article_id = created["id"]
    assert created["version"] == 1
    unread = (await client.get(f"/v1/kb/articles/{article_id}/changes", headers=agent)).json()
    assert unread["changed"] is False and unread["last_read_version"] is None
    assert (await client.post(f"/v1/kb/articles/{article_id}/read", headers=agent)).json()["version"] == 1

    changed = article(
        "karlskoga", body="En altan lägre än 1,8 meter behöver normalt inte bygglov.\nFråga om höjden."
    )
    saved = await client.put(f"/v1/kb/articles/{article_id}", json=changed, headers=handler)
    assert saved.json()["version"] == 2 and saved.json()["changed_since_read"] is False
    seen = (await client.get(f"/v1/kb/articles/{article_id}", headers=agent)).json()
    assert seen["changed_since_read"] is True and seen["last_read_version"] == 1
    found = (await client.get("/v1/kb/articles", params={"q": "altan"}, headers=agent)).json()
    assert [a["changed_since_read"] for a in found] == [True]
    changes = (await client.get(f"/v1/kb/articles/{article_id}/changes", headers=agent)).json()
    assert changes["changed"] is True and changes["changed_by"] == "handler"
    edits = [(line["op"], line["text"]) for line in changes["diff"] if line["op"] != "same"]
    assert edits == [
        ("removed", "En altan lägre än 1,2 meter behöver normalt inte bygglov."),
        ("added", "En altan lägre än 1,8 meter behöver normalt inte bygglov."),
    ]
    versions = (await client.get(f"/v1/kb/articles/{article_id}/versions", headers=agent)).json()
    assert [(v["version"], v["saved_by"]) for v in versions] == [(2, "handler"), (1, "handler")]
    first = (await client.get(f"/v1/kb/articles/{article_id}/versions/1", headers=agent)).json()
    assert first["body"].startswith("En altan lägre än 1,2 meter")
    await client.post(f"/v1/kb/articles/{article_id}/read", headers=agent)
    assert (await client.get(f"/v1/kb/articles/{article_id}/changes", headers=agent)).json()[
        "changed"
    ] is False


async def test_who_publishes_and_withdraws_notices(client: httpx.AsyncClient) -> None:
    for name, caller in CALLERS.items():
        headers = await headers_of(client, name, caller)
        for organization in ("karlskoga", "degerfors"):
            where = f"{name} on {organization}"
            allowed = caller.role in ("supervisor", "admin") and serves(caller, organization)
            published = await client.post("/v1/kb/notices", json=notice(organization), headers=headers)
            want = 401 if caller.role is None else 201 if allowed else 403
            assert published.status_code == want, f"{where}: {published.text}"
            notice_id = (await client.post("/v1/kb/notices", json=notice(organization), headers=BOSS)).json()[
                "id"
            ]
            sees = staff(caller) and serves(caller, organization)
            read = await client.get(f"/v1/kb/notices/{notice_id}", headers=headers)
            assert read.status_code == (
                401 if caller.role is None else 200 if sees else 403 if not staff(caller) else 404
            ), where
            withdrawn = await client.post(f"/v1/kb/notices/{notice_id}/withdraw", headers=headers)
            want = (
                401 if caller.role is None else 200 if allowed else 404 if staff(caller) and not sees else 403
            )
            assert withdrawn.status_code == want, f"{where} withdraws: {withdrawn.text}"


async def test_a_notice_is_published_shown_withdrawn_and_told(
    client: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    linked = (await client.post("/v1/kb/articles", json=article("karlskoga"), headers=BOSS)).json()
    published = await client.post(
        "/v1/kb/notices", json=notice("karlskoga", article_id=linked["id"]), headers=BOSS
    )
    assert published.status_code == 201
    body = published.json()
    assert body["showing"] and body["article_title"] == "Bygglov för altan" and body["title"]["en"]

    agent = await headers_of(client, "agent-karlskoga", CALLERS["agent-karlskoga"])
    banner = (await client.get("/v1/kb/notices", params={"current": "true"}, headers=agent)).json()
    assert [n["id"] for n in banner] == [body["id"]]
    public = await client.get("/v1/public/notices", params={"organization": "karlskoga"})
    assert public.status_code == 200 and "max-age" in public.headers["cache-control"]
    assert public.json() == [
        {k: body[k] for k in ("id", "organization", "severity", "title", "text", "starts_at", "ends_at")}
    ]
    assert (await client.get("/v1/public/notices", params={"organization": "degerfors"})).json() == []
    assert (await client.get("/v1/public/notices", params={"organization": "nasa"})).status_code == 404
    assert (await client.get("/v1/public/notices")).json() == public.json()  # the default organisation

    withdrawn = await client.post(f"/v1/kb/notices/{body['id']}/withdraw", headers=BOSS)
    assert withdrawn.json()["state"] == "withdrawn" and not withdrawn.json()["showing"]
    assert [h["what"] for h in withdrawn.json()["history"]] == ["published", "withdrawn"]
    assert (await client.post(f"/v1/kb/notices/{body['id']}/withdraw", headers=BOSS)).status_code == 409
    assert (await client.get("/v1/public/notices", params={"organization": "karlskoga"})).json() == []
    assert (await client.get("/v1/kb/notices", params={"current": "true"}, headers=agent)).json() == []
    told = [(e.type, e.data.notice_id) for e in bus.published(topics.NOTICES_EVENTS)]
    assert told == [("notice.published", body["id"]), ("notice.withdrawn", body["id"])]


async def test_bad_notices_say_what_is_wrong(client: httpx.AsyncClient) -> None:
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    far = (datetime.now(UTC) + timedelta(days=40)).isoformat()
    for bad in (
        notice("karlskoga", ends_at=past),
        notice("karlskoga", ends_at=far),
        notice("karlskoga", starts_at="0001-01-01T00:00:00+14:00"),
        notice("karlskoga", article_id="no-such-article"),
        notice("karlskoga", title={"sv": ""}),
        notice("karlskoga", text={"sv": "   ", "en": "Boil your water."}),
        notice("karlskoga", text={"sv": "x" * 2001}),
        notice("nasa"),
    ):
        answer = await client.post("/v1/kb/notices", json=bad, headers=BOSS)
        assert answer.status_code == 422, bad
        assert answer.json()["error"]["message"]


async def test_a_notice_expires_once_by_itself(
    app: FastAPI, client: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    body = (await client.post("/v1/kb/notices", json=notice("karlskoga"), headers=BOSS)).json()
    db = app.state.runtime.db
    later = datetime.now(UTC) + timedelta(hours=7)
    assert await notices_scheduler.scan_once(db, bus) == 0
    assert await notices_scheduler.scan_once(db, bus, clock=lambda: later) == 1
    assert await notices_scheduler.scan_once(db, bus, clock=lambda: later) == 0
    expired = (await client.get(f"/v1/kb/notices/{body['id']}", headers=BOSS)).json()
    assert expired["state"] == "expired" and expired["ended_by"] == "lotsen"
    assert [e.type for e in bus.published(topics.NOTICES_EVENTS)] == ["notice.published", "notice.expired"]


async def test_a_notice_kafka_did_not_take_goes_out_later(
    app: FastAPI, client: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    bus.fail_publishing = True
    body = (await client.post("/v1/kb/notices", json=notice("karlskoga"), headers=BOSS)).json()
    bus.fail_publishing = False
    assert bus.published(topics.NOTICES_EVENTS) == []
    settled = datetime.now(UTC) + timedelta(minutes=1)
    await notices_scheduler.scan_once(app.state.runtime.db, bus, clock=lambda: settled)
    await notices_scheduler.scan_once(app.state.runtime.db, bus, clock=lambda: settled)
    assert [e.data.notice_id for e in bus.published(topics.NOTICES_EVENTS)] == [body["id"]]


async def test_the_owning_department_is_reminded_once_when_the_review_date_comes(
    app: FastAPI, client: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    handler = await login(client, "handler")
    due = (
        await client.post(
            "/v1/kb/articles", json=article("karlskoga", review_date="2026-01-01"), headers=handler
        )
    ).json()
    await client.post("/v1/kb/articles", json=article("karlskoga", review_date="2099-01-01"), headers=handler)
    await client.post(
        "/v1/kb/articles",
        json=article("karlskoga", owner_department=None, review_date="2026-01-01"),
        headers=BOSS,
    )
    db, now = app.state.runtime.db, datetime(2026, 3, 2, 8, tzinfo=UTC)
    assert await kb_reviews.remind_due(db, bus, now=now, limit=10) == 1
    assert await kb_reviews.remind_due(db, bus, now=now, limit=10) == 0
    [reminder] = bus.published(topics.NOTICES_EVENTS)
    assert reminder.type == "kb.review_due" and reminder.organization == "karlskoga"
    assert (reminder.data.article_id, reminder.data.department) == (due["id"], "samhallsbyggnad")
    listed = await client.get(
        "/v1/kb/articles",
        params={"review_due": "true", "owner_department": ["samhallsbyggnad", "skola"]},
        headers=handler,
    )
    assert [a["id"] for a in listed.json()] == [due["id"]]
    # A new review date brings a new reminder when it comes; saving the same date does not.
    await client.put(
        f"/v1/kb/articles/{due['id']}", json=article("karlskoga", review_date="2026-01-01"), headers=handler
    )
    assert await kb_reviews.remind_due(db, bus, now=now, limit=10) == 0
    await client.put(
        f"/v1/kb/articles/{due['id']}", json=article("karlskoga", review_date="2026-03-01"), headers=handler
    )
    assert await kb_reviews.remind_due(db, bus, now=now, limit=10) == 1
