"""Erasure across the running system: asked of casestore by one form of a phone number, it reaches the
case registered with another form, and intake deletes the letter's scan."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from lotsen.devserver.stack import Stack
from lotsen.settings import DEMO_SERVICE_KEY
from tests.helpers import demo_login, eventually

pytestmark = pytest.mark.integration


async def test_an_erased_person_s_case_and_its_scanned_letter_are_gone(
    stack: Stack, token_for: Callable[..., str]
) -> None:
    run = uuid.uuid4().hex[:8]
    number = f"070-{run[:3].translate(str.maketrans('abcdef', '123456'))} 45 67"
    e164 = "+4670" + number[4:7] + "4567"
    scan = f"%PDF-1.4 brev från Lina {run}".encode()
    async with httpx.AsyncClient(timeout=10) as client:
        agent = {"Authorization": f"Bearer {token_for('agent')}"}
        letter = await client.post(
            f"{stack.url('intake')}/v1/contacts/manual",
            headers=agent,
            data={
                "channel": "letter",
                "message": f"Brev om bygglov ({run})",
                "name": "Lina",
                "phone": number,
            },
            files=[("scan", ("brev-lina.pdf", scan, "application/pdf"))],
        )
        assert letter.status_code == 202, letter.text

        async def the_case() -> dict[str, Any] | None:
            page = await client.get(f"{stack.url('casestore')}/v1/cases", params={"q": run}, headers=agent)
            return next(iter(page.json()["items"]), None)

        case = await eventually(the_case)
        detail = (await client.get(f"{stack.url('casestore')}/v1/cases/{case['ref']}", headers=agent)).json()
        [attachment] = detail["messages"][0]["attachments"]
        service = {"X-Service-Key": DEMO_SERVICE_KEY}
        file_url = f"{stack.url('intake')}/v1/attachments/{attachment['sha256']}"
        assert (await client.get(file_url, headers=service)).content == scan

        supervisor = await demo_login(client, stack, "supervisor")
        erased = await client.post(
            f"{stack.url('casestore')}/v1/privacy/erasure", json={"phone": e164}, headers=supervisor
        )
        assert erased.status_code == 200, erased.text
        assert case["ref"] in erased.json()["erased"]

        async def file_gone() -> bool:
            return (await client.get(file_url, headers=service)).status_code == 404

        assert await eventually(file_gone)
        after = (
            await client.get(f"{stack.url('casestore')}/v1/cases/{case['ref']}", headers=supervisor)
        ).text
        assert number not in after and "brev-lina" not in after and run not in after
