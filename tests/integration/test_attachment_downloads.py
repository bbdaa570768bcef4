"""A citizen's file, end to end: staff download it from its case on casestore, which fetches it from
intake with the services' key; intake gives it to no person directly."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from lotsen.devserver.stack import Stack
from tests.helpers import eventually
from tests.intake_support import KEY

pytestmark = pytest.mark.integration

NAME = "Ansökan — kopia.pdf"


def mail_with_a_file(marker: str, pdf: bytes) -> bytes:
    message = EmailMessage()
    message["From"] = f"Sara Öberg <sara.{marker}@example.se>"
    message["To"] = "kommun@karlskoga.example"
    message["Subject"] = f"Bygglov för altan {marker}"
    message["Message-ID"] = f"<{marker}@mail.example.se>"
    message.set_content("Här är ritningen till bygglovet.")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=NAME)
    return message.as_bytes()


async def test_staff_download_a_cases_file_from_casestore_and_never_from_intake(
    stack: Stack, token_for: Callable[..., str]
) -> None:
    marker = uuid.uuid4().hex[:10]
    pdf = b"%PDF-1.4 ritning " + marker.encode()
    sha = hashlib.sha256(pdf).hexdigest()
    staff = {"Authorization": f"Bearer {token_for('supervisor')}"}
    intake, casestore = stack.url("intake"), stack.url("casestore")
    async with httpx.AsyncClient(timeout=30) as http:
        posted = await http.post(
            f"{intake}/v1/contacts/email",
            content=mail_with_a_file(marker, pdf),
            headers={**KEY, "Content-Type": "message/rfc822"},
        )
        assert posted.status_code == 202, posted.text

        async def opened() -> dict[str, Any] | None:
            page = (await http.get(f"{casestore}/v1/cases", params={"q": marker}, headers=staff)).json()
            return page["items"][0] if page["items"] else None

        ref = (await eventually(opened, timeout=60))["ref"]
        download = await http.get(f"{casestore}/v1/cases/{ref}/attachments/{sha}", headers=staff)
        assert download.status_code == 200, download.text
        assert download.content == pdf
        disposition = download.headers["content-disposition"]
        assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == NAME

        direct = await http.get(f"{intake}/v1/attachments/{sha}", headers=staff)
        assert direct.status_code == 401
        assert pdf not in direct.content
