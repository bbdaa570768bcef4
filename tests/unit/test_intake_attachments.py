"""Intake serves stored files to casestore alone, by the services' shared key; people download
them from casestore, which authorises each download like its case."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pydantic import ValidationError

from lotsen.kafka.memory import InMemoryBus
from lotsen.settings import DEMO_SERVICE_KEY, ServiceSettings
from services.intake.repository import AttachmentStore
from tests.intake_support import Intake, intake_on

PDF = b"%PDF-1.4 beslut om bistand"
SHA = hashlib.sha256(PDF).hexdigest()
FILENAME = "Ansökan — kopia.pdf"


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None, token_for: Callable[..., str]) -> AsyncIterator[Intake]:
    async with intake_on(bus) as running:
        letter = {"channel": "letter", "message": "Brev med bilaga", "name": "Olof Ek"}
        response = await running.client.post(
            "/v1/contacts/manual",
            headers={"Authorization": f"Bearer {token_for('agent')}"},
            data=letter,
            files=[("scan", (FILENAME, PDF, "application/pdf"))],
        )
        assert response.status_code == 202, response.text
        yield running


@pytest.mark.parametrize("role", ["agent", "handler", "supervisor", "admin"])
async def test_a_persons_token_gets_no_file_from_intake(
    intake: Intake, token_for: Callable[..., str], role: str
) -> None:
    response = await intake.client.get(
        f"/v1/attachments/{SHA}", headers={"Authorization": f"Bearer {token_for(role)}"}
    )
    assert response.status_code == 401
    assert "X-Service-Key" in response.json()["error"]["message"]
    assert PDF not in response.content


async def test_a_wrong_service_key_gets_no_file(intake: Intake) -> None:
    response = await intake.client.get(f"/v1/attachments/{SHA}", headers={"X-Service-Key": "guessed"})
    assert response.status_code == 401


async def test_casestore_gets_the_file_with_the_service_key_and_a_header_any_name_fits_in(
    intake: Intake,
) -> None:
    response = await intake.client.get(f"/v1/attachments/{SHA}", headers={"X-Service-Key": DEMO_SERVICE_KEY})
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"Ansokan _ kopia.pdf\"; filename*=UTF-8''Ans%C3%B6kan%20%E2%80%94%20kopia.pdf"
    )


async def test_without_a_configured_key_the_endpoint_refuses_everyone(intake: Intake) -> None:
    intake.app.state.settings.service_key = None  # as outside dev mode when LOTSEN_SERVICE_KEY is unset
    response = await intake.client.get(f"/v1/attachments/{SHA}", headers={"X-Service-Key": DEMO_SERVICE_KEY})
    assert response.status_code == 403
    assert "LOTSEN_SERVICE_KEY" in response.json()["error"]["message"]


def test_the_demo_service_key_exists_in_dev_mode_only() -> None:
    assert ServiceSettings(env="dev").service_key == DEMO_SERVICE_KEY
    real = "a-real-secret-of-the-municipality-0123"
    assert ServiceSettings(env="production", jwt_secret=real).service_key is None
    with pytest.raises(ValidationError, match="LOTSEN_SERVICE_KEY"):
        ServiceSettings(env="production", jwt_secret=real, service_key=DEMO_SERVICE_KEY)


async def test_a_file_erased_between_lookup_and_read_is_not_found_not_a_broken_download(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    describe = AttachmentStore.describe

    async def describe_then_erase(self: AttachmentStore, sha256: str) -> dict[str, Any] | None:
        stored = await describe(self, sha256)
        assert stored is not None
        [contact_id] = (await self._files.find_one({"_id": sha256}) or {})["metadata"]["contacts"]
        await self.release(sha256=sha256, contact_id=contact_id)
        return stored

    monkeypatch.setattr(AttachmentStore, "describe", describe_then_erase)
    response = await intake.client.get(f"/v1/attachments/{SHA}", headers={"X-Service-Key": DEMO_SERVICE_KEY})
    assert response.status_code == 404
    assert SHA in response.json()["error"]["message"]
