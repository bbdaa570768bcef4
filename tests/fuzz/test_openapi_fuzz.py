"""Schema fuzzing of every service's OpenAPI (the short run; ``make fuzz`` runs the long one).

Every operation, as every caller (anonymous, connector, each staff role): no answer is a 5xx, and
no answer breaks the schema its own OpenAPI description gives.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from tests.fuzz.campaign import fuzz_service, role_headers
from tests.fuzz.servers import SERVICES, ServerThread, running_services

MONGODB_URL = os.environ.get("MONGODB_URL", "mongomock://")


@pytest.fixture(scope="module")
def services() -> Iterator[dict[str, ServerThread]]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LOTSEN_ENV", "dev")
        env.setenv("MONGODB_URL", MONGODB_URL)
        with running_services() as servers:
            seed(servers)
            yield servers


def seed(servers: dict[str, ServerThread]) -> None:
    """A few real objects, so that generated requests sometimes meet something that exists."""
    agent = role_headers()["agent"]
    admin = role_headers()["admin"]
    for i, (category, channel) in enumerate([("bygglov", "phone"), ("ovriga-arenden", "visit")]):
        answer = httpx.post(
            f"{servers['casestore'].url}/v1/cases",
            headers=agent,
            json={
                "organization": "karlskoga",
                "channel": channel,
                "category": category,
                "message": f"Fråga nummer {i}",
                "email": f"citizen{i}@example.se",
            },
        )
        assert answer.status_code == 201, answer.text
    answer = httpx.post(
        f"{servers['casestore'].url}/v1/kb/articles",
        headers=admin,
        json={
            "organization": "karlskoga",
            "title": "Bygglov för altan",
            "body": "Altaner under 1,8 m behöver inget bygglov.",
            "tags": ["bygglov"],
        },
    )
    assert answer.status_code < 300, answer.text


@pytest.mark.parametrize("service", SERVICES)
def test_no_operation_answers_5xx_or_breaks_its_schema(
    service: str, services: dict[str, ServerThread]
) -> None:
    result = fuzz_service(service, services[service].url)
    assert result.examples > 0
    assert not result.failures, "\n\n".join(result.failures)
