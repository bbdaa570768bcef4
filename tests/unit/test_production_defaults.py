"""Outside dev mode a service does not start on the trial stand-ins unless told this is a trial."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lotsen.settings import ServiceSettings, TrialInfrastructureOutsideDevMode

SECRET = "the-municipality-s-own-secret-0123456789"
ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"MONGODB_URL", "KAFKA_BOOTSTRAP_SERVERS", "LOTSEN_TRIAL", "LOTSEN_ENV"}
    }
    return {**env, "LOTSEN_ENV": "production", "LOTSEN_JWT_SECRET": SECRET, "LOTSEN_LOG_JSON": "0", **extra}


def test_a_service_started_in_production_on_the_stand_ins_says_what_to_set() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "services.routing"],
        env=production_env(ROUTING_PORT="1"),  # never listens: it must stop before
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "routing does not start" in result.stderr
    assert "MONGODB_URL=mongodb://" in result.stderr
    assert "KAFKA_BOOTSTRAP_SERVERS" in result.stderr
    assert "LOTSEN_TRIAL=1" in result.stderr


@pytest.mark.parametrize(
    ("values", "refused_for"),
    [
        ({}, ["MONGODB_URL", "KAFKA_BOOTSTRAP_SERVERS"]),
        ({"mongodb_url": "mongodb://mongo:27017/"}, ["KAFKA_BOOTSTRAP_SERVERS"]),
        ({"kafka_bootstrap_servers": "kafka:9092"}, ["MONGODB_URL"]),
        ({"mongodb_url": "mongodb://mongo:27017/", "kafka_bootstrap_servers": "kafka:9092"}, []),
        ({"trial": True}, []),
    ],
)
def test_production_needs_a_real_database_and_a_named_broker_or_a_declared_trial(
    values: dict[str, object], refused_for: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("MONGODB_URL", "KAFKA_BOOTSTRAP_SERVERS", "LOTSEN_TRIAL"):
        monkeypatch.delenv(name, raising=False)
    settings = ServiceSettings(env="production", jwt_secret=SECRET, **values)
    if not refused_for:
        settings.refuse_trial_infrastructure()
        return
    with pytest.raises(TrialInfrastructureOutsideDevMode) as refused:
        settings.refuse_trial_infrastructure()
    for variable in refused_for:
        assert variable in str(refused.value)


def test_dev_mode_runs_on_the_stand_ins() -> None:
    ServiceSettings(env="dev").refuse_trial_infrastructure()
