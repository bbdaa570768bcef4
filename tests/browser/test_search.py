"""Searching the queue: a word found in an errand's subject ranks it above one found in another
errand's internal note, and each row says where the word was found with the word marked, in
Swedish and in English."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in, token_of

pytestmark = [pytest.mark.browser, pytest.mark.integration]


async def open_errand(client: Any, subject: str) -> str:
    opened = await client.post(
        "/v1/cases",
        json={
            "organization": "karlskoga",
            "channel": "phone",
            "category": "ovriga-arenden",
            "subject": subject,
            "message": "Ringde och frågade om grannens staket.",
            "name": "Kim Berg",
            "phone": "+46701234567",
        },
    )
    assert opened.status_code == 201, opened.text
    return str(opened.json()["ref"])


async def test_a_search_ranks_the_errands_and_marks_where_the_word_was_found(visit: Any, api: Any) -> None:
    marker = uuid.uuid4().hex[:8]
    async with api() as client:
        token = await token_of(client, "agent")
    async with api(token) as client:
        in_subject = await open_errand(client, f"Staket mot gatan {marker}")
        in_note = await open_errand(client, "Staket")  # the newer of the two
        noted = await client.post(
            f"/v1/cases/{in_note}/messages",
            json={"kind": "note", "text": f"Grannen har ringt igen om ärende {marker}."},
        )
        assert noted.status_code == 200, noted.text

    v = await visit()
    page = v.page
    await log_in(v, "agent")
    await v.goto(f"/arbetsyta?queue=first-line&q={marker}")
    rows = page.locator("tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text(in_subject)  # the subject outranks a note
    await expect(rows.nth(0)).to_contain_text("Hittat i ämnet:")
    await expect(rows.nth(1)).to_contain_text(in_note)
    await expect(rows.nth(1)).to_contain_text(
        f"Hittat i en intern anteckning: Grannen har ringt igen om ärende {marker}."
    )
    await expect(rows.nth(1).locator("mark")).to_have_text(marker)
    await assert_accessible(page, "the queue with a search's matches")

    await page.get_by_role("button", name="In English").click()
    await expect(rows.nth(1)).to_contain_text("Found in an internal note:")
    await expect(rows.nth(0)).to_contain_text("Found in the subject:")
