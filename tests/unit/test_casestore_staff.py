"""The staff directory as the switchboard uses it: Swedish search and order, CSV import, absence
notes, and "Kopplad" announcing ``call.transferred`` (rules of who may: the matrix test)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from tests.casestore_support import app, bearer, client, login

__all__ = ["app", "client"]

KARLSKOGA_AGENT = bearer("agent", organizations=("karlskoga",), subject="agent-karlskoga")
KARLSKOGA_ADMIN = bearer("admin", organizations=("karlskoga",), subject="admin-karlskoga")


async def names(client: httpx.AsyncClient, q: str, **params: str) -> list[str]:
    response = await client.get("/v1/staff", params={"q": q, **params}, headers=KARLSKOGA_AGENT)
    assert response.status_code == 200, response.text
    return [p["name"] for p in response.json()]


async def test_search_matches_and_orders_as_swedes_expect(client: httpx.AsyncClient) -> None:
    # Å, Ä and Ö are letters of their own, after Z, and the directory is in surname order.
    assert await names(client, "", department="samhallsbyggnad") == [
        "Anders Lindqvist",
        "Karin Nyström",
        "Zacharias Wikström",
        "Ömer Yilmaz",
        "Ellinor Ärlebäck",
        "Åsa Öberg",
    ]
    assert await names(client, "ost") == []  # "ost" is not "Öst"
    assert await names(client, "ÖST") == await names(client, "öst") == ["Ingrid Östlund"]
    assert await names(client, "andren") == await names(client, "Andrén") == ["Leila Andrén"]
    assert await names(client, "bygglov") == ["Anders Lindqvist", "Åsa Öberg"]  # an errand type
    assert await names(client, "61042") == await names(client, "0586-610 42") == ["Åsa Öberg"]
    assert "Björn Åkesson" in await names(client, "socialförvaltningen")
    assert await names(client, "Camilla") == []  # Karlskogahem's people are not Karlskoga's


CSV = (
    "\ufeffNamn;Titel;Förvaltning;Telefon;E-post;Ärendetyper\n"
    "Greta Ödman;Bygglovshandläggare;Samhällsbyggnadsförvaltningen;0586-610 99;greta.odman@karlskoga.example;"
    "bygglov|marklov\n"
    "Utan Avdelning;Handläggare;badminton;;;\n"
    "Fel Adress;Handläggare;skola;;inte-en-adress;\n"
    "Åsa Öberg;Bygglovschef;samhallsbyggnad;0586-610 42;asa.oberg@karlskoga.example;bygglov\n"
)


async def test_a_csv_import_saves_the_good_rows_and_names_the_bad_ones(client: httpx.AsyncClient) -> None:
    agent = await login(client, "agent")
    asa = (await client.get("/v1/staff", params={"q": "öberg"}, headers=agent)).json()[0]
    away = {
        "away_until": "2031-01-01T16:00:00+01:00",
        "message": "Semester",
        "covered_by": "Anders Lindqvist",
    }
    assert (await client.put(f"/v1/staff/{asa['id']}/absence", json=away, headers=agent)).status_code == 200

    response = await client.post(
        "/v1/staff/import",
        params={"organization": "karlskoga"},
        content=CSV.encode("utf-8"),
        headers={**KARLSKOGA_ADMIN, "Content-Type": "text/csv"},
    )

    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["created"], result["updated"]) == (1, 1)
    assert [(e["line"], e["field"]) for e in result["errors"]] == [(3, "department"), (4, "email")]
    greta = (await client.get("/v1/staff", params={"q": "ödman"}, headers=agent)).json()[0]
    assert (greta["department"], greta["errand_types"]) == ("samhallsbyggnad", ["bygglov", "marklov"])
    asa = (await client.get(f"/v1/staff/{asa['id']}", headers=agent)).json()
    assert asa["title"] == "Bygglovschef"  # updated, and still away
    assert asa["away"] and asa["absence"]["covered_by"] == "Anders Lindqvist"


async def test_a_file_that_cannot_be_imported_is_refused_whole(client: httpx.AsyncClient) -> None:
    async def send(body: bytes) -> httpx.Response:
        return await client.post(
            "/v1/staff/import",
            params={"organization": "karlskoga"},
            content=body,
            headers={**KARLSKOGA_ADMIN, "Content-Type": "text/csv"},
        )

    no_name = await send(b"titel;telefon\nChef;123\n")
    assert no_name.status_code == 422
    assert "namn" in no_name.json()["error"]["message"]
    too_large = await send(b"namn;avdelning\n" + b"Anna Ek;skola\n" * 80_000)
    assert too_large.status_code == 413
    windows = await send("namn;avdelning\nÖrjan Älg;skola\n".encode("cp1252"))
    assert windows.json()["created"] == 1
    assert await names(client, "älg") == ["Örjan Älg"]


async def test_a_person_linked_to_an_account_says_they_are_away(client: httpx.AsyncClient) -> None:
    handler = await login(client, "handler")  # the demo account linked to Åsa Öberg
    asa = (await client.get("/v1/staff", params={"q": "öberg"}, headers=handler)).json()[0]
    note = {"message": "På kurs, åter måndag", "covered_by": "Växeln, 0586-610 00"}
    response = await client.put(f"/v1/staff/{asa['id']}/absence", json=note, headers=handler)
    assert response.status_code == 200
    assert response.json()["away"] and response.json()["absence"]["set_by"] == "handler"
    listed = (await client.get("/v1/staff", params={"q": "öberg"}, headers=KARLSKOGA_AGENT)).json()[0]
    assert listed["absence"]["message"] == "På kurs, åter måndag"
    cleared = await client.delete(f"/v1/staff/{asa['id']}/absence", headers=KARLSKOGA_AGENT)
    assert cleared.json()["away"] is False and cleared.json()["absence"] is None
    past = {"away_until": "2020-01-01T08:00:00+01:00", "message": "Ledig"}
    response = await client.put(f"/v1/staff/{asa['id']}/absence", json=past, headers=KARLSKOGA_AGENT)
    assert response.json()["away"] is False  # a note that ran out no longer says away


async def test_connected_announces_call_transferred_once(
    client: httpx.AsyncClient, app: FastAPI, bus: InMemoryBus
) -> None:
    agent = await login(client, "agent")
    asa = (await client.get("/v1/staff", params={"q": "öberg"}, headers=agent)).json()[0]
    bus.fail_publishing = True  # Kafka away: the transfer waits in its outbox
    first = await client.post("/v1/calls/cti-4711/transfer", json={"staff_id": asa["id"]}, headers=agent)
    assert first.status_code == 201
    assert bus.published(topics.CALLS_EVENTS) == []
    bus.fail_publishing = False
    assert await app.state.transfers.relay_once() == 1
    again = await client.post("/v1/calls/cti-4711/transfer", json={"staff_id": asa["id"]}, headers=agent)
    assert again.json()["id"] == first.json()["id"]  # a second click records nothing new

    [event] = bus.published(topics.CALLS_EVENTS)
    assert event.type == "call.transferred" and event.organization == "karlskoga"
    assert (event.data.call_id, event.data.department, event.data.staff_id, event.data.transferred_by) == (
        "cti-4711",
        "samhallsbyggnad",
        asa["id"],
        "agent",
    )
    to_department = {"organization": "karlskoga", "department": "skola"}
    response = await client.post("/v1/calls/cti-4712/transfer", json=to_department, headers=agent)
    assert response.status_code == 201
    nowhere = await client.post("/v1/calls/cti-4713/transfer", json={}, headers=agent)
    assert nowhere.status_code == 422
