"""Dev mode, demo secrets, and the tokens every service accepts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import AsyncMock

import pytest
from pydantic import ValidationError

from lotsen import service
from lotsen.auth import issue_token, verify_token
from lotsen.directory import directory_from
from lotsen.errors import Unauthorized
from lotsen.kafka.memory import InMemoryBus
from lotsen.mongo import connect
from lotsen.settings import DEMO_CONNECTOR_KEY, DEMO_JWT_SECRET, ServiceSettings


def test_dev_mode_fills_in_the_demo_secrets() -> None:
    settings = ServiceSettings(env="dev")
    assert settings.jwt_secret == DEMO_JWT_SECRET
    assert settings.connector_keys == [DEMO_CONNECTOR_KEY]


@pytest.mark.parametrize(
    "secrets",
    [
        {"jwt_secret": DEMO_JWT_SECRET},
        {"jwt_secret": "a-real-secret-of-the-municipality-0123", "connector_keys": [DEMO_CONNECTOR_KEY]},
    ],
)
def test_a_service_refuses_demo_secrets_outside_dev_mode(secrets: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="demo secrets"):
        ServiceSettings(env="production", **secrets)


@pytest.mark.parametrize("secret", [None, "too-short"])
def test_production_needs_a_long_signing_secret(secret: str | None) -> None:
    with pytest.raises(ValidationError, match="LOTSEN_JWT_SECRET"):
        ServiceSettings(env="production", jwt_secret=secret)


def test_environment_variables_reach_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOTSEN_ENV", "production")
    monkeypatch.setenv("LOTSEN_JWT_SECRET", "s3cret-from-the-vault-0123456789abcdef")
    monkeypatch.setenv("LOTSEN_CONNECTOR_KEYS", '["key-of-the-e-service-platform"]')
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092")
    monkeypatch.setenv("MONGODB_URL", "mongodb://mongo:27017/?replicaSet=rs0")
    settings = ServiceSettings()
    assert settings.kafka_bootstrap_servers == "kafka-1:9092,kafka-2:9092"
    assert settings.mongodb_url.startswith("mongodb://")
    assert settings.connector_keys == ["key-of-the-e-service-platform"]


def test_a_token_carries_role_and_departments() -> None:
    settings = ServiceSettings(env="dev")
    token = issue_token(settings, subject="handler", role="handler", departments=("samhallsbyggnad", "skola"))
    principal = verify_token(settings, token)
    assert principal.subject == "handler"
    assert principal.role == "handler"
    assert principal.departments == ("samhallsbyggnad", "skola")


def test_expired_and_foreign_tokens_are_refused() -> None:
    settings = ServiceSettings(env="dev")
    old = issue_token(settings, subject="agent", role="agent", now=datetime.now(UTC) - timedelta(days=2))
    with pytest.raises(Unauthorized, match="expired"):
        verify_token(settings, old)
    other = ServiceSettings(env="production", jwt_secret="another-secret-altogether-0123456789")
    foreign = issue_token(other, subject="a", role="admin")
    with pytest.raises(Unauthorized, match="not valid"):
        verify_token(settings, foreign)


def test_one_service_cannot_be_switched_to_dev_mode_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.casestore.settings import CasestoreSettings

    monkeypatch.delenv("LOTSEN_ENV", raising=False)
    monkeypatch.setenv("CASESTORE_ENV", "dev")
    monkeypatch.setenv("CASESTORE_JWT_SECRET", DEMO_JWT_SECRET)
    monkeypatch.setenv("LOTSEN_JWT_SECRET", "the-municipality-s-own-secret-0123456789")
    settings = CasestoreSettings()
    assert settings.env == "production"
    assert settings.jwt_secret == "the-municipality-s-own-secret-0123456789"


async def test_the_fetch_wait_and_the_commit_interval_reach_every_consumer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``KAFKA_FETCH_MAX_WAIT_MS`` (500 on Apache Kafka, docs/deploy.md) is what each consumer asks
    the broker for, and ``KAFKA_COMMIT_INTERVAL_MS`` how often it commits; a wait of nothing is
    refused."""
    monkeypatch.setenv("KAFKA_FETCH_MAX_WAIT_MS", "500")
    monkeypatch.setenv("KAFKA_COMMIT_INTERVAL_MS", "300")
    made: list[dict[str, Any]] = []

    class Recorded:
        def __init__(self, **options: Any) -> None:
            made.append(options)

    monkeypatch.setattr(service, "ConsumerRunner", Recorded)
    monkeypatch.setattr(service, "BatchConsumerRunner", Recorded)
    settings = ServiceSettings(env="dev")
    runtime = service.Runtime(
        settings=settings,
        db=connect("mongomock://")["fetch-wait"],
        publisher=InMemoryBus(),
        directory=directory_from(),
    )
    monkeypatch.setattr(runtime, "_run", AsyncMock())
    await runtime.consume("one", ["contacts.received"], AsyncMock())
    await runtime.consume_batches("many", ["cases.events"], AsyncMock())
    assert [m["fetch_max_wait_ms"] for m in made] == [500, 500]
    assert [m["commit_interval_ms"] for m in made] == [300, 300]

    monkeypatch.setenv("KAFKA_FETCH_MAX_WAIT_MS", "0")
    with pytest.raises(ValidationError, match="KAFKA_FETCH_MAX_WAIT_MS"):
        ServiceSettings(env="dev")
