"""POST /v1/contacts/webform: accepted only once Kafka acknowledged, refused clearly, never doubled,
rate-limited for the public, and with files when the form is multipart."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lotsen.contracts import ContactReceived, topics
from lotsen.directory import Form, FormField
from lotsen.kafka.memory import InMemoryBus
from lotsen.ratelimit import TooManyRequests
from lotsen.settings import DEMO_SERVICE_KEY
from services.intake import webform
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.helpers import running
from tests.intake_support import DATA, intake_on

KEY = {"X-Connector-Key": "dev-connector-key"}
FORM = {
    "form_id": "kontakta-oss",
    "organization": "karlskoga",
    "name": "Erik Nilsson",
    "email": "erik@example.se",
    "subject": "Fakturafråga",
    "message": "Jag har fått en faktura för barnomsorg som verkar vara fel belopp. Fakturanummer 556677.",
}


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(IntakeSettings(smtp_port=0), publisher=bus, run_consumers=False)) as client:
        yield client


async def test_a_form_is_published_before_the_receipt(intake: httpx.AsyncClient, bus: InMemoryBus) -> None:
    response = await intake.post("/v1/contacts/webform", json=FORM, headers=KEY)
    assert response.status_code == 202
    contact_id = response.json()["contact_id"]
    [event] = bus.published(topics.CONTACTS_RECEIVED)
    assert isinstance(event, ContactReceived)
    assert event.organization == "karlskoga"
    assert event.producer == "intake"
    data = event.data
    assert data.contact_id == contact_id
    assert data.channel == "webform"
    assert data.form_id == "kontakta-oss"
    assert data.sender.email == "erik@example.se"
    assert data.subject == "Fakturafråga"
    assert "Fakturanummer 556677" in data.text
    assert bus.records[topics.CONTACTS_RECEIVED][0].key == contact_id.encode()


async def test_citizens_may_post_without_a_key(intake: httpx.AsyncClient, bus: InMemoryBus) -> None:
    anonymous = {
        "form_id": "synpunkt",
        "organization": "karlskoga",
        "name": "",
        "email": "",
        "message": "Tack till personalen på Kulturhuset!",
        "category_hint": "beröm",
    }
    response = await intake.post("/v1/contacts/webform", json=anonymous)
    assert response.status_code == 202
    [event] = bus.published(topics.CONTACTS_RECEIVED)
    assert event.data.sender.email is None
    assert event.data.category_hint == "beröm"


async def test_location_of_a_fault_report_is_kept(intake: httpx.AsyncClient, bus: InMemoryBus) -> None:
    report = {
        "form_id": "felanmalan",
        "organization": "karlskoga",
        "email": "maja@example.se",
        "message": "Stort hål i asfalten på Skolgatan utanför nr 7.",
        "location": {"lat": 59.3267, "lon": 14.5237},
    }
    assert (await intake.post("/v1/contacts/webform", json=report)).status_code == 202
    [event] = bus.published(topics.CONTACTS_RECEIVED)
    assert event.data.location.lat == pytest.approx(59.3267)
    assert event.data.category_hint == "felanmalan-gata-park"


@pytest.mark.parametrize(
    "change, status, words",
    [
        ({"website": "http://spam.example"}, 422, "'website' must be left empty"),
        ({"organization": "stockholm"}, 422, "unknown organization 'stockholm'"),
        ({"form_id": "ansok-om-bygglov"}, 422, "has no form 'ansok-om-bygglov'"),
        ({"message": ""}, 422, "message"),
        ({"email": "inte-en-adress"}, 422, "email"),
        ({"email": None, "phone": None}, 422, "needs an e-mail address or a phone number"),
        ({"location": {"lat": 200, "lon": 14}}, 422, "location.lat"),
    ],
)
async def test_bad_input_is_refused_with_what_is_wrong(
    intake: httpx.AsyncClient, bus: InMemoryBus, change: dict[str, Any], status: int, words: str
) -> None:
    response = await intake.post("/v1/contacts/webform", json={**FORM, **change}, headers=KEY)
    assert response.status_code == status
    error = response.json()["error"]
    assert words in error["message"]
    assert error["code"]
    assert bus.published(topics.CONTACTS_RECEIVED) == []


async def test_not_json_is_refused(intake: httpx.AsyncClient) -> None:
    response = await intake.post(
        "/v1/contacts/webform", content=b"{nope", headers={**KEY, "content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


async def test_a_wrong_connector_key_is_refused(intake: httpx.AsyncClient) -> None:
    response = await intake.post("/v1/contacts/webform", json=FORM, headers={"X-Connector-Key": "guess"})
    assert response.status_code == 401
    assert "connector key" in response.json()["error"]["message"]


async def test_a_retry_with_the_same_idempotency_key_gives_the_first_answer(
    intake: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    headers = {**KEY, "Idempotency-Key": "form-submission-4711"}
    first = await intake.post("/v1/contacts/webform", json=FORM, headers=headers)
    again = await intake.post("/v1/contacts/webform", json=FORM, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert len(bus.published(topics.CONTACTS_RECEIVED)) == 1

    other = await intake.post(
        "/v1/contacts/webform", json={**FORM, "message": "Något annat"}, headers=headers
    )
    assert other.status_code == 409
    assert "Idempotency-Key" in other.json()["error"]["message"]


async def test_when_kafka_is_down_the_caller_is_told_to_retry_and_nothing_remains(
    intake: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    headers = {**KEY, "Idempotency-Key": "retry-me"}
    bus.fail_publishing = True
    refused = await intake.post("/v1/contacts/webform", json=FORM, headers=headers)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"]
    assert refused.json()["error"]["code"] == "unavailable"

    bus.fail_publishing = False
    accepted = await intake.post("/v1/contacts/webform", json=FORM, headers=headers)
    assert accepted.status_code == 202
    [event] = bus.published(topics.CONTACTS_RECEIVED)
    assert event.data.contact_id == accepted.json()["contact_id"]


async def test_health_and_openapi(intake: httpx.AsyncClient) -> None:
    assert (await intake.get("/healthz")).json() == {"status": "ok"}
    ready = await intake.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["mongodb"] is True
    spec = (await intake.get("/openapi.json")).json()
    assert "/v1/contacts/webform" in spec["paths"]
    assert json.dumps(spec)  # the spec is serialisable


async def test_the_shared_web_form_samples_are_accepted(
    intake: httpx.AsyncClient, bus: InMemoryBus, shared_dir: Path
) -> None:
    samples = json.loads((shared_dir / "samples" / "webform" / "examples.json").read_text(encoding="utf-8"))
    for sample in samples:
        response = await intake.post("/v1/contacts/webform", json=sample)
        assert response.status_code == 202, (sample, response.text)
    events = bus.published(topics.CONTACTS_RECEIVED)
    assert [e.organization for e in events] == [s["organization"] for s in samples]
    assert [e.data.form_id for e in events] == [s["form_id"] for s in samples]


# --- what citizens really type -------------------------------------------------------------------------


def own_cases() -> list[dict[str, Any]]:
    cases = json.loads((DATA / "webform.json").read_text(encoding="utf-8"))
    for case in cases:
        if case["body"].get("message") == "LONG":
            case["body"]["message"] = "Snälla läs detta. " * 2000
    return cases


@pytest.mark.parametrize("case", own_cases(), ids=lambda c: c["why"])
async def test_own_submissions_give_the_expected_answer(
    intake: httpx.AsyncClient, bus: InMemoryBus, case: dict[str, Any]
) -> None:
    response = await intake.post("/v1/contacts/webform", json=case["body"])
    assert response.status_code == case["status"], response.text
    if case["status"] == 202:
        [event] = bus.published(topics.CONTACTS_RECEIVED)
        assert event.data.contact_id == response.json()["contact_id"]
        assert event.data.text == case["body"]["message"]
        assert event.data.language == "sv"
    else:
        assert case["words"] in response.json()["error"]["message"]
        assert bus.published(topics.CONTACTS_RECEIVED) == []


# --- files, and forms as browsers post them ----------------------------------------------------------


async def test_a_multipart_form_with_photos_stores_the_files(
    intake: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    photo = b"\xff\xd8\xff\xe0 bild av ett hal i asfalten"
    response = await intake.post(
        "/v1/contacts/webform",
        data={
            "form_id": "felanmalan",
            "organization": "karlskoga",
            "email": "maja@example.se",
            "message": "Stort hål i asfalten på Skolgatan utanför nr 7, se bilderna.",
            "lat": "59.3267",
            "lon": "14.5237",
        },
        files=[
            ("attachments", ("hål i asfalten.jpg", photo, "image/jpeg")),
            ("attachments", ("karta.pdf", b"%PDF-1.4 karta", "application/pdf")),
        ],
    )
    assert response.status_code == 202, response.text
    [event] = bus.published(topics.CONTACTS_RECEIVED)
    assert [(a.name, a.content_type, a.size) for a in event.data.attachments] == [
        ("hål i asfalten.jpg", "image/jpeg", len(photo)),
        ("karta.pdf", "application/pdf", 14),
    ]
    assert event.data.location.lon == pytest.approx(14.5237)
    served = await intake.get(
        f"/v1/attachments/{hashlib.sha256(photo).hexdigest()}",
        headers={"X-Service-Key": DEMO_SERVICE_KEY},
    )
    assert served.content == photo


async def test_a_plain_html_form_posts_urlencoded(intake: httpx.AsyncClient, bus: InMemoryBus) -> None:
    response = await intake.post(
        "/v1/contacts/webform",
        content="form_id=synpunkt&organization=karlskoga&message=Fler+papperskorgar+i+Stadsparken%2C+tack%21&website=",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 202, response.text
    assert bus.published(topics.CONTACTS_RECEIVED)[0].data.text == "Fler papperskorgar i Stadsparken, tack!"


@pytest.mark.parametrize(
    "request_kwargs, status, words",
    [
        ({"content": b"form_id=x", "headers": {"Content-Type": "text/plain"}}, 415, "application/json"),
        ({"json": {**FORM, "message": "x" * 19_000, "subject": "y" * 300, "name": "z" * 200}}, 202, ""),
        (
            {"content": b"{" + b" " * 1_100_000 + b"}", "headers": {"Content-Type": "application/json"}},
            413,
            "limit",
        ),
        (
            {
                "data": {"form_id": "synpunkt", "message": "Bild"},
                "files": {"f": ("stor.jpg", b"x" * 11_000_000)},
            },
            413,
            "'stor.jpg' is 10.5 MB; the limit is 10.0 MB per file",
        ),
        (
            {
                "data": {"form_id": "synpunkt", "message": "Bilder"},
                "files": [("f", (f"{n}.jpg", b"x")) for n in range(21)],
            },
            422,
            "Too many files",
        ),
        ({"data": {"form_id": "synpunkt", "message": "Plats", "location": "{inte json"}}, 422, "location"),
    ],
)
async def test_size_and_type_limits(
    intake: httpx.AsyncClient, request_kwargs: dict[str, Any], status: int, words: str
) -> None:
    response = await intake.post("/v1/contacts/webform", **request_kwargs)
    assert response.status_code == status, response.text
    if status != 202:
        assert words in response.json()["error"]["message"]


async def test_fields_a_form_defines_are_required_and_kept(bus: InMemoryBus, dev_env: None) -> None:
    async with intake_on(bus) as running_intake:
        runtime = running_intake.app.state.runtime
        directory = runtime.directory
        org = directory.organization("karlskoga")
        permit = Form(
            id="parkeringstillstand",
            name="Parkeringstillstånd",
            fields=[FormField(name="message", required=True), FormField(name="regnummer", required=True)],
        )
        runtime.directory = directory.model_copy(
            update={
                "organizations": [
                    org.model_copy(update={"forms": [*org.forms, permit]}) if o.id == "karlskoga" else o
                    for o in directory.organizations
                ]
            }
        )
        body = {"form_id": "parkeringstillstand", "email": "a@example.se", "message": "Ansöker om tillstånd."}
        missing = await running_intake.client.post("/v1/contacts/webform", json=body)
        assert missing.status_code == 422
        assert "needs the field 'regnummer'" in missing.json()["error"]["message"]
        ok = await running_intake.client.post(
            "/v1/contacts/webform", json={**body, "regnummer": "ABC 123", "consent": True}
        )
        assert ok.status_code == 202
        assert running_intake.contacts()[0].data.form_fields == {"regnummer": "ABC 123"}


# --- rate limits for the public ------------------------------------------------------------------------


async def test_the_public_is_limited_per_address_and_connectors_are_not(
    bus: InMemoryBus, dev_env: None
) -> None:
    async with intake_on(bus, webform_per_hour=3, webform_per_day=10) as running_intake:
        client = running_intake.client
        body = {**FORM, "message": "Hej, en fråga om sophämtningen."}
        for _ in range(3):
            assert (await client.post("/v1/contacts/webform", json=body)).status_code == 202
        limited = await client.post("/v1/contacts/webform", json=body)
        assert limited.status_code == 429
        assert 3500 <= int(limited.headers["Retry-After"]) <= 3600
        assert "at most 3 an hour" in limited.json()["error"]["message"]
        assert (await client.post("/v1/contacts/webform", json=body, headers=KEY)).status_code == 202
        assert len(running_intake.contacts()) == 4


async def test_x_forwarded_for_counts_only_behind_a_trusted_proxy(bus: InMemoryBus, dev_env: None) -> None:
    body = {**FORM, "message": "Fråga om bygglov."}
    async with intake_on(bus, webform_per_hour=1) as untrusted:
        first = {"X-Forwarded-For": "198.51.100.1"}
        assert (
            await untrusted.client.post("/v1/contacts/webform", json=body, headers=first)
        ).status_code == 202
        spoofed = {"X-Forwarded-For": "198.51.100.2"}
        assert (
            await untrusted.client.post("/v1/contacts/webform", json=body, headers=spoofed)
        ).status_code == 429
    async with intake_on(bus, webform_per_hour=1, trusted_proxies=["127.0.0.0/8"]) as behind:
        # httpx's ASGI transport presents the peer 127.0.0.1.
        for citizen in ("198.51.100.1", "198.51.100.2"):
            headers = {"X-Forwarded-For": f"{citizen}, 127.0.0.1"}
            assert (
                await behind.client.post("/v1/contacts/webform", json=body, headers=headers)
            ).status_code == 202
        again = {"X-Forwarded-For": "198.51.100.1"}
        assert (await behind.client.post("/v1/contacts/webform", json=body, headers=again)).status_code == 429


def test_the_limiter_slides_over_the_hour_and_the_day() -> None:
    now = [0.0]
    limiter = webform.limiter_for(IntakeSettings(env="dev", webform_per_hour=2, webform_per_day=3))
    limiter.clock = lambda: now[0]
    limiter.hit("a")
    now[0] = 1800
    limiter.hit("a")
    with pytest.raises(TooManyRequests) as hourly:
        limiter.hit("a")
    assert hourly.value.headers == {"Retry-After": "1800"}
    limiter.hit("b")  # another address has its own count
    now[0] = 3601
    limiter.hit("a")  # the first hit has left the hour
    now[0] = 3 * 3600
    with pytest.raises(TooManyRequests) as daily:
        limiter.hit("a")
    assert "3 a day" in daily.value.message
    assert daily.value.message.endswith("or call or e-mail the municipality")
    now[0] = 24 * 3600 + 1
    limiter.hit("a")
