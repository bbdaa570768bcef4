"""Växeln in the workspace: an agent finds people as they type, in Swedish order, notes an absence
and connects a call; in English, an administrator adds a person and imports a CSV file."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, log_in, token_of

pytestmark = [pytest.mark.browser, pytest.mark.integration]


async def four_people(api: Any, marker: str) -> None:
    """People whose given name is ``marker``, so a search for it finds them and no one else."""
    async with api() as client:
        token = await token_of(client, "admin")
    async with api(token) as client:
        for surname in ("Öman", "Zetterberg", "Åkerlund", "Andersson"):
            person = {
                "organization": "karlskoga",
                "name": f"{marker} {surname}",
                "title": "Handläggare",
                "department": "samhallsbyggnad",
                "phone": "0586-610 77",
                "email": f"{marker}.{surname.lower()}@karlskoga.example",
                "errand_types": ["bygglov"],
            }
            response = await client.post("/v1/staff", json=person)
            assert response.status_code == 201, response.text


async def test_an_agent_finds_a_person_as_they_type_notes_an_absence_and_connects(
    visit: Any, api: Any
) -> None:
    marker = f"t{uuid.uuid4().hex[:7]}"
    await four_people(api, marker)
    v = await visit()
    page = v.page
    await log_in(v, "agent")
    await page.get_by_role("link", name="Växel").click()
    await page.get_by_label("Sök i personalkatalogen").fill(marker)
    rows = page.get_by_role("row").filter(has_text=marker)
    # Å and Ö after Z, in surname order.
    await expect(rows.get_by_role("rowheader")).to_contain_text(
        [f"{marker} Andersson", f"{marker} Zetterberg", f"{marker} Åkerlund", f"{marker} Öman"]
    )
    await page.get_by_label("Sök i personalkatalogen").fill(f"{marker} ö")
    await expect(rows.get_by_role("rowheader")).to_contain_text([f"{marker} Öman"])
    await page.get_by_label("Sök i personalkatalogen").fill(f"{marker} o")  # "o" is not "ö"
    await expect(page.get_by_text(f"Ingen i katalogen matchar ”{marker} o”.")).to_be_visible()

    await page.get_by_label("Sök i personalkatalogen").fill(f"{marker} öman")
    await page.get_by_role("button", name=f"Frånvaro för {marker} Öman").click()
    await page.get_by_label("Meddelande till den som ringer").fill("På kurs, åter måndag")
    await page.get_by_label("Ersättare").fill(f"{marker} Åkerlund")
    await page.get_by_role("button", name="Spara frånvaro").click()
    row = rows.filter(has_text="Öman")
    await expect(row).to_contain_text("Borta tills vidare")
    await expect(row).to_contain_text("På kurs, åter måndag")
    await expect(row).to_contain_text(f"Ersättare: {marker} Åkerlund")
    await page.get_by_role("button", name=f"Kopplad till {marker} Öman").click()
    connected = f"Samtalet kopplat till {marker} Öman (Samhällsbyggnadsförvaltningen)."
    await expect(page.get_by_role("main").get_by_text(connected)).to_be_visible()
    await assert_accessible(page, "the switchboard")


CSV = (
    "namn;förvaltning;e-post\n"
    "{m} Ek;Barn- och utbildningsförvaltningen;{m}.ek@karlskoga.example\n"
    "{m} Fel;badminton;\n"
)


async def test_in_english_an_administrator_adds_a_person_and_imports_a_csv_file(visit: Any) -> None:
    marker = f"t{uuid.uuid4().hex[:7]}"
    v = await visit()
    page = v.page
    await log_in(v, "admin")
    await page.get_by_role("button", name="In English").click()
    await page.get_by_role("link", name="Staff directory").click()
    await page.get_by_role("button", name="Add a person").click()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_text("Enter the person's name")).to_be_visible()
    await page.get_by_label("Name", exact=True).fill(f"{marker} Älvsjö")
    await page.get_by_label("Department").select_option(label="Kultur- och fritidsförvaltningen")
    await page.get_by_label("Errand types").fill("bibliotek, lokalbokning")
    await page.get_by_role("button", name="Save").click()
    main = page.get_by_role("main")  # the page says it; the announcer reads it aloud too
    await expect(main.get_by_text(f"{marker} Älvsjö is saved.")).to_be_visible()

    await page.get_by_label("CSV file").set_input_files(
        {"name": "personal.csv", "mimeType": "text/csv", "buffer": CSV.format(m=marker).encode()}
    )
    await page.get_by_role("button", name="Import", exact=True).click()
    await expect(main.get_by_text("1 added, 0 updated.")).to_be_visible()
    await expect(main.get_by_text("Line 3: karlskoga has no department 'badminton'")).to_be_visible()
    await page.get_by_label("Search the staff directory").fill(marker)
    await expect(page.get_by_role("rowheader")).to_have_text([f"{marker} Ek", f"{marker} Älvsjö"])
    await assert_accessible(page, "the staff directory's upkeep")
