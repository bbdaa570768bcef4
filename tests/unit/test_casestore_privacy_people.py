"""Erasure and export find a person by any written form of their address, and leave nothing behind:
not in casestore's store, not in its API answers, not in intake's stored attachments."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from services.casestore import people, privacy, sla
from services.intake import erasure
from services.intake.repository import AttachmentStore
from tests.casestore_support import app, client, handle, login, routed
from tests.intake_support import Intake, intake_on

__all__ = ["app", "client", "handle"]

LINAS = ["KGA-2026-000001", "KGA-2026-000002", "KGA-2026-000003"]
OTHERS = "KGA-2026-000004"
CERTIFICATE = b"%PDF-1.4 lakarintyg for Lina Berg"
SHARED = b"%PDF-1.4 blankett som alla skickar"
# Each is something only the person's data holds ("0046" alone turns up in hashes and event ids).
PERSONAL = ("Lina", "lina", "Berg", "070-123", "+4670", "0046 70", "Storgatan", "intyg-lina")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attachment(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "content_type": "application/pdf", "size": len(data), "sha256": sha(data)}


@pytest.fixture
async def intake(bus: InMemoryBus) -> AsyncIterator[Intake]:
    async with intake_on(bus) as running:
        yield running


async def lina_writes_three_times(handle: Any, intake: Intake) -> None:
    """The same person, her address and number written three ways, and someone else."""
    files: AttachmentStore = intake.app.state.intake.files
    for data, name, contact in (
        (CERTIFICATE, "intyg-lina.pdf", "mail-1"),
        (SHARED, "blankett.pdf", "mail-1"),
        (SHARED, "blankett.pdf", "other-1"),
    ):
        await files.store(
            sha256=sha(data), name=name, content_type="application/pdf", data=data, contact_id=contact
        )
    await handle(
        routed(
            "mail-1",
            channel="email",
            subject="Försörjningsstöd i mars",
            text="Jag heter Lina Berg och bor på Storgatan 1",
            sender={"name": "Lina Berg", "email": "Lina.Berg@Example.se", "phone": "070-123 45 67"},
            attachments=[attachment("intyg-lina.pdf", CERTIFICATE), attachment("blankett.pdf", SHARED)],
        )
    )
    await handle(
        routed(
            "form-2",
            text="Hej, det är Lina igen",
            sender={"name": "Lina", "email": "lina.berg@example.se", "phone": "+46701234567"},
        )
    )
    await handle(
        routed(
            "phone-3",
            channel="phone",
            text="Lina Berg ringde om blanketten",
            sender={"name": "L. Berg", "email": "LINA.BERG@EXAMPLE.SE", "phone": "0046 70 123 45 67"},
        )
    )
    await handle(
        routed("other-1", sender={"email": "someone@example.se"}, attachments=[attachment("b.pdf", SHARED)])
    )


@pytest.mark.parametrize(
    "person",
    [
        {"email": "lina.berg@example.se"},
        {"email": "LINA.Berg@example.SE"},
        {"phone": "070-123 45 67"},
        {"phone": "+46701234567"},
        {"phone": "0046701234567"},
    ],
    ids=["email", "email in capitals", "national phone", "E.164 phone", "00-prefixed phone"],
)
async def test_erasure_by_any_form_of_the_address_leaves_nothing_of_the_person(
    client: httpx.AsyncClient,
    handle: Any,
    app: FastAPI,
    bus: InMemoryBus,
    intake: Intake,
    person: dict[str, str],
) -> None:
    await lina_writes_three_times(handle, intake)
    supervisor = await login(client, "supervisor")

    exported = await client.get("/v1/privacy/export", params=person, headers=supervisor)
    assert [c["ref"] for c in exported.json()["cases"]] == LINAS
    erased = await client.post("/v1/privacy/erasure", json=person, headers=supervisor)
    assert erased.status_code == 200
    assert erased.json() == {"erased": LINAS}

    stored = app.state.runtime.db["cases"]
    for ref in LINAS:
        flat = repr(await stored.find_one({"_id": ref}))
        for private in PERSONAL:
            assert private not in flat, (ref, private)
        for path in ("", "/timeline"):
            answer = await client.get(f"/v1/cases/{ref}{path}", headers=supervisor)
            assert answer.status_code == 200
            assert not [p for p in PERSONAL if p in answer.text], (ref, path)
        assert (await client.get(f"/v1/cases/{ref}/timeline/verify", headers=supervisor)).json()["ok"]
    assert (await client.get("/v1/cases", params={"q": "lina"}, headers=supervisor)).json()["items"] == []
    for form in ({"email": "Lina.Berg@Example.se"}, {"phone": "+46 70 123 45 67"}):
        again = await client.get("/v1/privacy/export", params=form, headers=supervisor)
        assert again.json()["cases"] == []
    others = await stored.find_one({"_id": OTHERS})
    assert others["citizen"]["email"] == "someone@example.se" and not others.get("erased_at")

    await bus.deliver(topics.CASES_EVENTS, erasure.make_handler(intake.app.state.intake.files))
    files = intake.app.state.intake.files
    assert await files.describe(sha(CERTIFICATE)) is None
    assert await intake.db["attachments.chunks"].count_documents({"files_id": sha(CERTIFICATE)}) == 0
    kept = await files.describe(sha(SHARED))
    assert kept is not None, "a file another person's case carries stays"
    shared_file = await intake.db["attachments.files"].find_one({"_id": sha(SHARED)})
    assert shared_file["metadata"]["contacts"] == ["other-1"]


async def test_retention_deletes_the_case_files_in_intake_too(
    client: httpx.AsyncClient, handle: Any, app: FastAPI, bus: InMemoryBus, intake: Intake
) -> None:
    await lina_writes_three_times(handle, intake)
    supervisor = await login(client, "supervisor")
    resolve = {"resolution_code": "answered"}
    await client.post(f"/v1/cases/{LINAS[0]}/resolve", json=resolve, headers=supervisor)
    await client.post(f"/v1/cases/{LINAS[0]}/close", headers=supervisor)
    cases = app.state.cases
    cases.clock = lambda: datetime.now(UTC) + timedelta(days=app.state.settings.retention_days + 1)
    await sla.scan_once(cases, app.state.settings)
    erased = [e.data.case_ref for e in bus.published(topics.CASES_EVENTS) if e.type == "case.erased"]
    assert erased == [LINAS[0]]

    await bus.deliver(topics.CASES_EVENTS, erasure.make_handler(intake.app.state.intake.files))
    assert await intake.app.state.intake.files.describe(sha(CERTIFICATE)) is None
    stored = await app.state.runtime.db["cases"].find_one({"_id": LINAS[0]})
    assert stored["people"] == [] and stored["erased_at"]


async def test_cases_stored_before_normalised_keys_are_found_after_a_restart(
    client: httpx.AsyncClient, handle: Any, app: FastAPI, intake: Intake
) -> None:
    await lina_writes_three_times(handle, intake)
    stored = app.state.runtime.db["cases"]
    await stored.update_many({}, {"$unset": {"people": ""}})
    assert await privacy.backfill_people(app.state.cases.repo) == 4
    found = await app.state.cases.repo.of_person(phone="070 123 45 67")
    assert [c["_id"] for c in found] == LINAS


def test_phone_numbers_are_compared_in_e164_and_addresses_without_case() -> None:
    national, international = people.keys(phone="070-123 45 67"), people.keys(phone="+46 70 123 45 67")
    assert national == international == ["phone:+46701234567"]
    assert people.keys(email="Lina.Berg@Example.SE") == ["email:lina.berg@example.se"]
    assert people.keys(phone="växeln") == []


async def test_a_phone_number_without_digits_is_refused_with_the_reason(client: httpx.AsyncClient) -> None:
    supervisor = await login(client, "supervisor")
    export = await client.get("/v1/privacy/export", params={"phone": "växeln"}, headers=supervisor)
    erase = await client.post("/v1/privacy/erasure", json={"phone": "växeln"}, headers=supervisor)
    for answer in (export, erase):
        assert answer.status_code == 422
        assert "phone number" in answer.json()["error"]["message"]
