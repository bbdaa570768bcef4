"""Messenger: the verification handshake, signatures over the exact bytes, batches, and what is no contact."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from lotsen.kafka.memory import InMemoryBus
from services.intake.settings import IntakeSettings
from tests.intake_support import DATA, Intake, intake_on, signature

WEBHOOK = "/v1/channels/facebook/webhook"
PAGE = "104857600000001"


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[Intake]:
    async with intake_on(bus) as running:
        yield running


async def deliver(intake: Intake, body: bytes, sig: str | None = None) -> object:
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sig or signature(body)}
    return await intake.client.post(WEBHOOK, content=body, headers=headers)


def sample(shared_dir: Path, name: str) -> tuple[bytes, str]:
    folder = shared_dir / "samples" / "facebook"
    return (folder / f"{name}.json").read_bytes(), (folder / f"{name}.sig").read_text().strip()


async def test_the_handshake_answers_the_challenge_only_for_the_right_token(intake: Intake) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "dev-verify-token", "hub.challenge": "1158201444"}
    ok = await intake.client.get(WEBHOOK, params=params)
    assert ok.status_code == 200
    assert ok.text == "1158201444"
    wrong = await intake.client.get(WEBHOOK, params={**params, "hub.verify_token": "gissning"})
    assert wrong.status_code == 403
    assert "verify token" in wrong.json()["error"]["message"]
    assert (await intake.client.get(WEBHOOK, params={**params, "hub.mode": "unsubscribe"})).status_code == 403
    assert (await intake.client.get(WEBHOOK)).status_code == 403


async def test_every_shared_sample_gives_its_documented_result(intake: Intake, shared_dir: Path) -> None:
    names = sorted(p.stem for p in (shared_dir / "samples" / "facebook").glob("*.json"))
    assert names == [
        "01-text-message",
        "02-image-attachment",
        "03-batched-two-senders",
        "04-echo-of-page-reply",
        "05-delivery-and-read",
        "06-not-a-page-object",
    ]
    results = {}
    for name in names:
        body, sig = sample(shared_dir, name)
        response = await deliver(intake, body, sig)
        results[name] = (response.status_code, response.json())

    assert results["01-text-message"][0] == 200
    assert results["02-image-attachment"][1]["contacts"] == 1
    assert results["03-batched-two-senders"][1]["contacts"] == 2
    assert results["04-echo-of-page-reply"][1] == {"contacts": 0, "ignored": 1, "contact_ids": []}
    assert results["05-delivery-and-read"][1] == {"contacts": 0, "ignored": 2, "contact_ids": []}
    assert results["06-not-a-page-object"][0] == 422
    assert "'instagram'" in results["06-not-a-page-object"][1]["error"]["message"]

    text, image, first, second = intake.contacts()
    assert all(e.organization == "karlskoga" and e.data.channel == "facebook" for e in intake.contacts())
    assert text.data.sender.facebook_psid == "6543210987654321"
    assert text.data.text == "Hej! När töms soptunnorna på Ekvägen? Det har inte hämtats på två veckor."
    assert text.data.thread.message_id == "m_AbC123xyz"
    assert text.data.received_at.isoformat().startswith("2026-03-02T09:29:59.123")
    assert "https://scontent.example/v/hal-i-gatan.jpg" in image.data.text
    assert image.data.remote_attachments == [
        {"type": "image", "url": "https://scontent.example/v/hal-i-gatan.jpg", "title": None}
    ]
    assert (first.data.sender.facebook_psid, second.data.sender.facebook_psid) == (
        "1111111111111111",
        "2222222222222222",
    )
    assert second.data.text == "Hur ansöker jag om plats i förskolan?"


async def test_a_redelivered_batch_makes_no_second_contact(intake: Intake, shared_dir: Path) -> None:
    body, sig = sample(shared_dir, "03-batched-two-senders")
    first = await deliver(intake, body, sig)
    again = await deliver(intake, body, sig)
    assert first.json()["contact_ids"] == again.json()["contact_ids"]
    assert len(intake.contacts()) == 2


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha1=26046e61495b73b799bdcdbfa2ad9206535811dbe950ef95e84010ba37ceb474",
        "sha256=" + "0" * 64,
        "26046e61495b73b799bdcdbfa2ad9206535811dbe950ef95e84010ba37ceb474",
    ],
)
async def test_a_wrong_or_missing_signature_is_refused(
    intake: Intake, shared_dir: Path, header: str | None
) -> None:
    body, _ = sample(shared_dir, "01-text-message")
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["X-Hub-Signature-256"] = header
    response = await intake.client.post(WEBHOOK, content=body, headers=headers)
    assert response.status_code == 401
    assert "X-Hub-Signature-256" in response.json()["error"]["message"]
    assert intake.contacts() == []


async def test_the_signature_covers_the_exact_bytes(intake: Intake, shared_dir: Path) -> None:
    body, sig = sample(shared_dir, "01-text-message")
    reformatted = json.dumps(json.loads(body), indent=1).encode()  # the same JSON, other bytes
    assert (await deliver(intake, reformatted, sig)).status_code == 401
    assert (await deliver(intake, body, sig.upper().replace("SHA256=", "sha256="))).status_code == 200


async def test_our_own_batch_keeps_order_location_and_replies_and_ignores_the_rest(intake: Intake) -> None:
    body = (DATA / "facebook" / "flera-sidor-och-handelser.json").read_bytes()
    response = await deliver(intake, body)
    assert response.json()["contacts"] == 3
    assert response.json()["ignored"] == 3  # a postback, a reaction and a page no organisation has
    towed, followup, where = intake.contacts()
    assert "bortforslad från Östra torget" in towed.data.text
    assert followup.data.thread.in_reply_to == "m_sv_1"
    assert (where.data.location.lat, where.data.location.lon) == (59.3275, 14.5262)
    assert where.data.text == "[plats: —]"


async def test_when_kafka_is_down_the_batch_is_refused_and_its_redelivery_counted_once(
    intake: Intake, shared_dir: Path
) -> None:
    body, sig = sample(shared_dir, "03-batched-two-senders")
    intake.bus.fail_publishing = True
    refused = await deliver(intake, body, sig)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"]
    intake.bus.fail_publishing = False
    assert (await deliver(intake, body, sig)).status_code == 200
    assert (await deliver(intake, body, sig)).status_code == 200
    assert sorted(e.data.thread.message_id for e in intake.contacts()) == ["m_1", "m_2"]


@pytest.mark.parametrize(
    "body, words",
    [
        (b"{nej", "body"),
        (b'{"object": "page", "entry": "inte en lista"}', "entry"),
        (b'{"object": "page", "entry": [{"messaging": []}]}', "entry.0.id"),
        (b"[]", "body"),
    ],
)
async def test_a_signed_but_malformed_body_is_refused_with_what_is_wrong(
    intake: Intake, body: bytes, words: str
) -> None:
    response = await deliver(intake, body)
    assert response.status_code == 422
    assert words in response.json()["error"]["message"]


def test_production_refuses_the_demo_secrets_of_messenger(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOTSEN_ENV", raising=False)
    real = "the-municipality-s-own-secret-0123456789"
    with pytest.raises(ValidationError, match="INTAKE_FACEBOOK_APP_SECRET"):
        IntakeSettings(env="production", jwt_secret=real, facebook_app_secret="dev-app-secret")
    with pytest.raises(ValidationError, match="INTAKE_FACEBOOK_VERIFY_TOKEN"):
        IntakeSettings(env="production", jwt_secret=real, facebook_verify_token="dev-verify-token")
    settings = IntakeSettings(env="production", jwt_secret=real)
    assert settings.facebook_app_secret is None


async def test_without_an_app_secret_messenger_is_unavailable_rather_than_open(
    bus: InMemoryBus, dev_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOTSEN_ENV", "production")
    monkeypatch.setenv("LOTSEN_JWT_SECRET", "the-municipality-s-own-secret-0123456789")
    async with intake_on(bus) as running:
        response = await deliver(running, b'{"object": "page", "entry": []}')
        assert response.status_code == 503
        assert "INTAKE_FACEBOOK_APP_SECRET" in response.json()["error"]["message"]
