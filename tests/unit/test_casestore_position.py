"""A case's position: WGS 84 converted to SWEREF 99 TM, kept from the web form through routing to the
case, shown by the case API (not in lists of confidential cases), and erased with the person's data."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import ContactReceived
from lotsen.directory import directory_from
from lotsen.kafka.memory import InMemoryBus
from services.casestore import position
from services.routing.decide import Router
from services.routing.handlers import routed_event
from services.routing.rules import Ruleset
from services.routing.rulesets import default_ruleset
from tests.casestore_support import app, client, handle, login, routed
from tests.intake_support import intake_on

__all__ = ["app", "client", "handle"]  # fixtures

REF = "KGA-2026-000001"
# GRS 80, the ellipsoid of SWEREF 99, and the projection's constants (Lantmäteriet: SWEREF 99 TM is
# transverse Mercator, central meridian 15° E, scale 0.9996, false easting 500 000 m).
GRS80_A = 6_378_137.0
GRS80_F = 1 / 298.257222101
SCALE = 0.9996


def meridian_arc(lat: float, steps: int = 20_000) -> float:
    """The distance from the equator along a meridian to ``lat`` on GRS 80, integrated numerically
    (Simpson's rule): a reference that shares nothing with PROJ's series."""
    e2 = GRS80_F * (2 - GRS80_F)

    def radius(phi: float) -> float:  # the meridian's radius of curvature
        return GRS80_A * (1 - e2) / (1 - e2 * math.sin(phi) ** 2) ** 1.5

    end = math.radians(lat)
    h = end / steps
    total = radius(0) + radius(end)
    total += sum((4 if i % 2 else 2) * radius(i * h) for i in range(1, steps))
    return total * h / 3


@pytest.mark.parametrize("lat", [55.5, 59.3267, 67.85])
def test_on_the_central_meridian_the_grid_is_the_scaled_meridian_arc(lat: float) -> None:
    grid = position.to_sweref99tm(lat, 15.0)
    assert grid is not None
    assert grid["easting"] == pytest.approx(500_000.0, abs=0.001)
    assert grid["northing"] == pytest.approx(SCALE * meridian_arc(lat), abs=0.01)


def test_known_points_convert_to_their_published_grid_coordinates() -> None:
    # Stockholm Central Station as published with both coordinates (WGS 84 59.330231 N 18.059196 E,
    # SWEREF 99 TM N 6 580 822, E 674 032, whole metres).
    stockholm = position.to_sweref99tm(59.330231, 18.059196)
    assert stockholm == {
        "northing": pytest.approx(6_580_822, abs=1),
        "easting": pytest.approx(674_032, abs=1),
    }
    # Karlskoga's town hall, computed once with PROJ: a change of PROJ's operation would show here.
    assert position.to_sweref99tm(59.3267, 14.5236) == {"northing": 6_576_528.11, "easting": 472_889.591}


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(60.1699, 24.9384), (52.52, 13.405), (-33.87, 151.21), (0.0, 0.0)],
    ids=["helsinki", "berlin", "sydney", "null-island"],
)
def test_outside_swedens_grid_there_are_no_sweref_coordinates(lat: float, lon: float) -> None:
    assert position.to_sweref99tm(lat, lon) is None
    kept = position.position(lat=lat, lon=lon, address=None, media_url=None)
    assert (kept["lat"], kept["lon"], kept["sweref99tm"]) == (lat, lon, None)


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://foto.example.se/hal.jpg", True),
        ("http://foto.example.se/hal.jpg", True),
        ("javascript:alert(1)", False),
        ("data:image/png;base64,AAAA", False),
        ("/hal.jpg", False),
        ("https:///hal.jpg", False),
    ],
)
def test_only_web_links_are_kept_as_the_photo(url: str, kept: bool) -> None:
    assert (position.linkable(url) == url) is kept


async def test_a_fault_report_from_the_web_form_keeps_its_place_on_the_case(
    app: FastAPI, handle: Any, client: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    async with intake_on(bus) as intake:
        answer = await intake.client.post(
            "/v1/contacts/webform",
            json={
                "form_id": "felanmalan",
                "message": "Stort hål i asfalten utanför rådhuset",
                "location": {"lat": 59.3267, "lon": 14.5236},
                "address": "  Kyrkbacken 9,\nKarlskoga ",
            },
        )
        assert answer.status_code == 202, answer.text
        [received] = intake.contacts()
    assert isinstance(received, ContactReceived)
    directory = directory_from()
    routed_contact = routed_event(received, Router(directory), Ruleset(default_ruleset(directory)))
    assert routed_contact.data.location == received.data.location
    assert routed_contact.data.address == "Kyrkbacken 9, Karlskoga"

    await handle(routed_contact)

    agent = await login(client, "agent")
    case = (await client.get(f"/v1/cases/{REF}", headers=agent)).json()
    assert case["position"] == {
        "lat": 59.3267,
        "lon": 14.5236,
        "sweref99tm": {"northing": 6_576_528.11, "easting": 472_889.591},
        "address": "Kyrkbacken 9, Karlskoga",
        "media_url": None,
    }
    listed = (await client.get("/v1/cases", headers=agent)).json()["items"]
    assert listed[0]["position"]["address"] == "Kyrkbacken 9, Karlskoga"


async def test_a_web_form_address_is_bounded(bus: InMemoryBus, dev_env: None) -> None:
    async with intake_on(bus) as intake:
        refused = await intake.client.post(
            "/v1/contacts/webform", json={"form_id": "felanmalan", "message": "Hål", "address": "x" * 501}
        )
    assert refused.status_code == 422
    assert "address" in refused.text


async def test_a_contact_without_a_place_opens_a_case_without_a_position(
    app: FastAPI, handle: Any, client: httpx.AsyncClient
) -> None:
    await handle(routed("mail-1"))
    agent = await login(client, "agent")
    assert (await client.get(f"/v1/cases/{REF}", headers=agent)).json()["position"] is None


async def test_a_confidential_case_shows_its_place_only_in_the_logged_read(
    app: FastAPI, handle: Any, client: httpx.AsyncClient
) -> None:
    await handle(
        routed(
            "webform-1",
            confidential=True,
            department="social",
            location={"lat": 59.33, "lon": 14.52},
            address="Storgatan 1",
        )
    )
    supervisor = await login(client, "supervisor")
    [listed] = (await client.get("/v1/cases", headers=supervisor)).json()["items"]
    assert listed["ref"] == REF and listed["position"] is None
    case = (await client.get(f"/v1/cases/{REF}", headers=supervisor)).json()
    assert case["position"]["address"] == "Storgatan 1"
    timeline = (await client.get(f"/v1/cases/{REF}/timeline", headers=supervisor)).json()
    assert "read" in [e["type"] for e in timeline]


async def test_erasure_clears_the_position(app: FastAPI, handle: Any, client: httpx.AsyncClient) -> None:
    await handle(
        routed(
            "webform-1",
            sender={"email": "lina@example.se"},
            location={"lat": 59.3311, "lon": 14.5102},
            address="Lindvägen 4, Karlskoga",
            media_url="https://foto.example.se/lindvagen.jpg",
        )
    )
    supervisor = await login(client, "supervisor")
    before = (await client.get(f"/v1/cases/{REF}", headers=supervisor)).json()["position"]
    northing = str(int(before["sweref99tm"]["northing"]))
    assert before["media_url"] == "https://foto.example.se/lindvagen.jpg"
    response = await client.post("/v1/privacy/erasure", json={"email": "lina@example.se"}, headers=supervisor)
    assert response.json() == {"erased": [REF]}

    stored = await app.state.runtime.db["cases"].find_one({"_id": REF}, {"outbox": 0})
    flat = repr(stored)
    for private in ("Lindvägen", "lindvagen.jpg", "59.3311", "14.5102", northing):
        assert private not in flat, private
    assert stored["position"] is None
    assert (await client.get(f"/v1/cases/{REF}", headers=supervisor)).json()["position"] is None


async def test_an_agent_corrects_the_place_and_the_timeline_says_what_changed(
    app: FastAPI, handle: Any, client: httpx.AsyncClient
) -> None:
    await handle(
        routed(
            "webform-1",
            location={"lat": 59.3311, "lon": 14.5102},
            address="Hemma",
            media_url="https://foto.example.se/hal.jpg",
        )
    )
    agent = await login(client, "agent")
    url = f"/v1/cases/{REF}/position"

    moved = await client.post(
        url,
        json={"location": {"lat": 59.3267, "lon": 14.5236}, "reason": "Nålen stod vid bostaden"},
        headers=agent,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["position"] == {
        "lat": 59.3267,
        "lon": 14.5236,
        "sweref99tm": {"northing": 6_576_528.11, "easting": 472_889.591},
        "address": "Hemma",
        "media_url": "https://foto.example.se/hal.jpg",
    }
    renamed = await client.post(url, json={"address": "Kyrkbacken 9, Karlskoga"}, headers=agent)
    assert renamed.json()["position"]["address"] == "Kyrkbacken 9, Karlskoga"
    assert renamed.json()["position"]["lat"] == 59.3267
    again = await client.post(url, json={"address": "Kyrkbacken 9, Karlskoga"}, headers=agent)
    assert again.json()["updated_at"] == renamed.json()["updated_at"], "the same place again writes nothing"

    timeline = (await client.get(f"/v1/cases/{REF}/timeline", headers=agent)).json()
    corrections = [e["data"] for e in timeline if e["type"] == "position_corrected"]
    assert corrections == [
        {"parts": ["location"], "reason": "Nålen stod vid bostaden"},
        {"parts": ["address"], "reason": None},
    ]
    removed = await client.post(url, json={"location": None}, headers=agent)
    assert removed.json()["position"]["sweref99tm"] is None and removed.json()["position"]["lat"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "location"),
        ({"reason": "bara en anledning"}, "location"),
        ({"location": {"lat": 91, "lon": 14}}, "lat"),
        ({"location": {"lat": 59.3}}, "lon"),
        ({"address": "a" * 501}, "address"),
        ({"address": "Storgatan 1\nKarlskoga"}, "address"),
        ({"address": "Storgatan 1", "media_url": "https://x.example/y.jpg"}, "media_url"),
    ],
)
async def test_a_correction_that_is_not_valid_is_refused_with_the_field_named(
    app: FastAPI, handle: Any, client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    await handle(routed("webform-1", address="Hemma"))
    agent = await login(client, "agent")
    refused = await client.post(f"/v1/cases/{REF}/position", json=body, headers=agent)
    assert refused.status_code == 422
    assert field in refused.text


async def test_a_closed_case_keeps_its_place(app: FastAPI, handle: Any, client: httpx.AsyncClient) -> None:
    await handle(routed("webform-1", address="Hemma"))
    supervisor = await login(client, "supervisor")
    await client.post(f"/v1/cases/{REF}/resolve", json={"resolution_code": "answered"}, headers=supervisor)
    await client.post(f"/v1/cases/{REF}/close", headers=supervisor)
    refused = await client.post(f"/v1/cases/{REF}/position", json={"address": "Borta"}, headers=supervisor)
    assert refused.status_code == 409
    assert (await client.get(f"/v1/cases/{REF}", headers=supervisor)).json()["position"]["address"] == "Hemma"
