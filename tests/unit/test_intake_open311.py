"""Open311 GeoReport v2 on intake: services and definitions from the directory, form-encoded requests
published as open311 contacts, the spec's errors, keys, retries, and the requests read back as the
case events tell them (docs/open311.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree

import pytest

from lotsen.contracts import topics
from lotsen.contracts.cases import (
    CaseCreated,
    CaseCreatedData,
    CaseErased,
    CaseErasedData,
    CaseHandedOff,
    CaseHandedOffData,
    CaseResolved,
    CaseResolvedData,
)
from lotsen.contracts.envelope import Event
from lotsen.devserver.gateway import service_for
from lotsen.directory import directory_from
from lotsen.errors import Unavailable
from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.processing import MemoryDeduplicator
from services.intake.open311 import readmodel
from services.intake.open311.repository import Requests
from services.intake.settings import IntakeSettings
from tests.casestore_support import bearer
from tests.intake_support import Intake, intake_on

V2 = "/open311/v2"
POTHOLE = {
    "api_key": "dev-open311-key",
    "service_code": "felanmalan-gata-park",
    "lat": "59.3267",
    "long": "14.5237",
    "address_string": "Skolgatan 7, Karlskoga",
    "attribute[typ]": "gata",
    "attribute[djup]": "over-10cm",
    "description": "Djupt hål i asfalten utanför nr 7.",
    "email": "maja@example.se",
    "first_name": "Maja",
    "last_name": "Ek",
    "phone": "070-123 45 67",
    "device_id": "phone-42",
    "media_url": "https://bilder.example/hal.jpg",
    "attribute[report_url]": "https://fixmystreet.example/report/7",
}
T = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[Intake]:
    async with intake_on(bus, smtp_enabled=False) as running:
        yield running


async def post(intake: Intake, fields: dict[str, str], fmt: str = "json", **headers: str) -> Any:
    return await intake.client.post(f"{V2}/requests.{fmt}", data=fields, headers=headers)


async def follow(intake: Intake) -> None:
    """Hand intake's read model what is on the bus, as its consumer would."""
    handler = readmodel.make_handler(Requests(intake.db), directory_from())
    dedupe = MemoryDeduplicator()
    for topic in (topics.CONTACTS_RECEIVED, topics.CASES_EVENTS):
        await intake.bus.deliver(topic, handler, group="intake", dedupe=dedupe)


async def publish(intake: Intake, event: Event[Any]) -> None:
    await intake.bus.publish(topics.CASES_EVENTS, event, key=event.data.case_ref)


def case_created(contact_id: str, ref: str, **extra: Any) -> CaseCreated:
    return CaseCreated(
        producer="casestore",
        organization="karlskoga",
        occurred_at=T,
        data=CaseCreatedData.model_validate(
            {
                "case_ref": ref,
                "channel": "open311",
                "received_at": T,
                "category": "felanmalan-gata-park",
                "department": None,
                "handled_by": "first_line",
                "rosa_level": 3,
                "contact_id": contact_id,
                "first_response_due": T + timedelta(hours=24),
                **extra,
            }
        ),
    )


# --- services -----------------------------------------------------------------------------------


async def test_services_are_the_fault_report_categories_in_json_and_xml(intake: Intake) -> None:
    services = (await intake.client.get(f"{V2}/services.json")).json()
    pothole = next(s for s in services if s["service_code"] == "felanmalan-gata-park")
    assert pothole == {
        "service_code": "felanmalan-gata-park",
        "service_name": "Felanmälan gata, park och belysning",
        "description": pothole["description"],
        "metadata": True,
        "type": "realtime",
        "keywords": "gatubelysning, potthål, trottoar, lekplats, skylt, klotter",
        "group": "Gata och park",
    }
    assert "bygglov" not in {s["service_code"] for s in services}  # not offered to Open311 clients

    response = await intake.client.get(f"{V2}/services.xml", params={"jurisdiction_id": "karlskogahem"})
    assert response.headers["content-type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "services"
    codes = [s.findtext("service_code") for s in root.findall("service")]
    assert "felanmalan-lagenhet" in codes
    flat = next(s for s in root.findall("service") if s.findtext("service_code") == "felanmalan-lagenhet")
    assert flat.findtext("metadata") == "true"
    assert flat.findtext("group") == "Lägenhet och fastighet"


async def test_a_service_definition_lists_its_attributes(intake: Intake) -> None:
    definition = (await intake.client.get(f"{V2}/services/felanmalan-gata-park.json")).json()
    assert definition["service_code"] == "felanmalan-gata-park"
    depth = next(a for a in definition["attributes"] if a["code"] == "djup")
    assert depth["datatype"] == "singlevaluelist"
    assert depth["required"] is False
    assert {"key": "over-10cm", "name": "Mer än 10 cm"} in depth["values"]
    assert [a["order"] for a in definition["attributes"]] == sorted(
        a["order"] for a in definition["attributes"]
    )

    xml = await intake.client.get(f"{V2}/services/avfall.xml")
    root = ElementTree.fromstring(xml.content)
    assert root.tag == "service_definition"
    [bin_] = [a for a in root.iter("attribute") if a.findtext("code") == "karl"]
    assert bin_.findtext("required") == "true"
    assert "matavfall" in [v.findtext("key") for v in bin_.iter("value")]


async def test_unknown_services_formats_and_jurisdictions_answer_404(intake: Intake) -> None:
    missing = await intake.client.get(f"{V2}/services/bygglov.json")
    assert missing.status_code == 404
    [error] = missing.json()
    assert error["code"] == 404 and "bygglov" in error["description"]
    xml = await intake.client.get(f"{V2}/services/nope.xml")
    assert xml.status_code == 404
    assert ElementTree.fromstring(xml.content).findtext("error/code") == "404"
    assert (await intake.client.get(f"{V2}/services.yaml")).status_code == 404
    nowhere = await intake.client.get(f"{V2}/services.json", params={"jurisdiction_id": "stockholm"})
    assert nowhere.status_code == 404


# --- posting ------------------------------------------------------------------------------------


async def test_a_form_encoded_request_becomes_an_open311_contact(intake: Intake) -> None:
    response = await post(intake, POTHOLE)
    assert response.status_code == 200
    [answer] = response.json()
    [event] = intake.contacts()
    data = event.data
    assert answer == {"token": data.contact_id}
    assert event.organization == "karlskoga"
    assert data.channel == "open311"
    assert data.form_id == data.category_hint == "felanmalan-gata-park"
    assert data.sender.name == "Maja Ek"
    assert data.sender.email == "maja@example.se"
    assert data.sender.phone == "070-123 45 67"
    assert (data.location.lat, data.location.lon) == (59.3267, 14.5237)
    assert data.address == "Skolgatan 7, Karlskoga"
    assert data.media_url == "https://bilder.example/hal.jpg"
    assert data.text == "Djupt hål i asfalten utanför nr 7."
    fields = data.model_extra["form_fields"]
    assert fields["attribute.typ"] == "gata"
    assert fields["attribute.report_url"] == "https://fixmystreet.example/report/7"  # a client's own
    assert fields["attribute.djup"] == "over-10cm"
    assert fields["open311.device_id"] == "phone-42"
    # The token is known at once; the request id comes with the case.
    token = await intake.client.get(f"{V2}/tokens/{data.contact_id}.json")
    assert token.json() == [{"token": data.contact_id, "service_request_id": None}]


async def test_the_answer_waits_for_kafka(intake: Intake) -> None:
    intake.bus.fail_publishing = True
    response = await post(intake, POTHOLE, "xml")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert ElementTree.fromstring(response.content).findtext("error/code") == "503"
    intake.bus.fail_publishing = False
    again = await post(intake, POTHOLE, "xml")
    assert again.status_code == 200
    root = ElementTree.fromstring(again.content)
    assert root.tag == "service_requests"
    assert root.findtext("request/token") == intake.contacts()[0].data.contact_id


async def test_a_retry_gives_the_first_token_and_publishes_nothing_new(intake: Intake) -> None:
    first = (await post(intake, POTHOLE)).json()
    assert (await post(intake, POTHOLE)).json() == first
    assert len(intake.contacts()) == 1
    keyed = (await post(intake, {**POTHOLE, "description": "Annat hål"}, **{"Idempotency-Key": "r-1"})).json()
    assert keyed != first
    assert (
        await post(intake, {**POTHOLE, "description": "Annat hål"}, **{"Idempotency-Key": "r-1"})
    ).json() == keyed
    assert len(intake.contacts()) == 2
    reused = await post(intake, {**POTHOLE, "description": "Ett tredje"}, **{"Idempotency-Key": "r-1"})
    assert reused.status_code == 409
    # Once the case exists, a retry answers its request id.
    await publish(intake, case_created(first[0]["token"], "KGA-2026-000101"))
    await follow(intake)
    assert (await post(intake, POTHOLE)).json() == [{"service_request_id": "KGA-2026-000101"}]


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"api_key": ""}, 403, "api_key"),
        ({"jurisdiction_id": "degerfors"}, 403, "degerfors"),
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "bygglov"}, 404, "bygglov"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "location"),
        ({"lat": "91"}, 400, "lat"),
        ({"long": ""}, 400, "lat and long"),
        ({"attribute[typ]": ""}, 400, "attribute[typ]"),
        ({"attribute[djup]": "1 m"}, 400, "attribute[djup]"),
        ({"attribute[farg]": "x" * 1001}, 400, "attribute[farg]"),
        ({"email": "inte en adress"}, 400, "email"),
        ({"phone": "ring mig"}, 400, "phone"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"description": "x" * 20_001}, 400, "description"),
    ],
)
async def test_what_is_wrong_is_refused_with_the_spec_s_error(
    intake: Intake, change: dict[str, str], status: int, says: str
) -> None:
    response = await post(intake, {**POTHOLE, **change})
    assert response.status_code == status
    [error] = response.json()
    assert error["code"] == status
    assert says in error["description"]
    assert intake.contacts() == []


async def test_bounds_on_the_body_and_its_fields(intake: Intake) -> None:
    many = {**POTHOLE, **{f"attribute[a{i}]": "x" for i in range(60)}}
    assert (await post(intake, many)).status_code == 400
    huge = await intake.client.post(
        f"{V2}/requests.json",
        content=b"description=" + b"x" * 70_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413
    assert huge.json()[0]["code"] == 413
    as_json = await intake.client.post(f"{V2}/requests.json", json=POTHOLE)
    assert as_json.status_code == 400 and "x-www-form-urlencoded" in as_json.json()[0]["description"]


async def test_the_demo_key_exists_only_in_dev_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOTSEN_JWT_SECRET", "a-real-secret-of-at-least-thirty-two-characters")
    production = IntakeSettings(env="production")
    assert production.open311_keys == {}
    with pytest.raises(ValueError, match=r"demo secrets are configured \(INTAKE_OPEN311_KEYS\)"):
        IntakeSettings(env="production", open311_keys={"dev-open311-key": "karlskoga"})
    assert IntakeSettings(env="dev").open311_keys == {"dev-open311-key": "karlskoga"}


async def test_an_issued_key_posts_for_its_organisation_and_is_withdrawn(intake: Intake) -> None:
    admin = bearer("admin", organizations=("karlskogahem",))
    issued = await intake.client.post("/v1/open311/keys", json={"name": "Felanmälan-appen"}, headers=admin)
    assert issued.status_code == 201
    key = issued.json()["key"]
    flat = {
        "api_key": key,
        "service_code": "felanmalan-lagenhet",
        "address_string": "Bergsgatan 3",
        "attribute[rum]": "kok",
        "attribute[huvudnyckel]": "ja",
        "description": "Kylskåpet är trasigt",
    }
    assert (await post(intake, flat)).status_code == 200
    assert intake.contacts()[-1].organization == "karlskogahem"
    assert key not in str(await intake.db["open311_keys"].find_one({}))  # only its hash is kept
    withdrawn = await intake.client.delete(f"/v1/open311/keys/{issued.json()['id']}", headers=admin)
    assert withdrawn.status_code == 204
    assert (await post(intake, {**flat, "description": "igen"})).status_code == 403


async def test_each_key_has_its_own_rate_limit(intake: Intake) -> None:
    admin = bearer("admin", organizations=("karlskoga",))
    issued = (
        await intake.client.post(
            "/v1/open311/keys", json={"name": "Test", "requests_per_hour": 2}, headers=admin
        )
    ).json()
    for n in range(2):
        assert (
            await post(intake, {**POTHOLE, "api_key": issued["key"], "description": f"hål {n}"})
        ).status_code == 200
    limited = await post(intake, {**POTHOLE, "api_key": issued["key"], "description": "hål 3"})
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 3600
    assert "at most 2 an hour" in limited.json()[0]["description"]
    assert (await post(intake, {**POTHOLE, "description": "demo-nyckeln"})).status_code == 200


async def test_replicas_on_one_database_share_a_keys_limit(intake: Intake, bus: InMemoryBus) -> None:
    admin = bearer("admin", organizations=("karlskoga",))
    issued = (
        await intake.client.post(
            "/v1/open311/keys", json={"name": "Test", "requests_per_hour": 2}, headers=admin
        )
    ).json()
    async with intake_on(bus, smtp_enabled=False) as replica:
        replica.app.state.runtime.db = intake.db  # a second replica of intake, on the same database
        for n, runs in enumerate((intake, replica)):
            posted = await post(runs, {**POTHOLE, "api_key": issued["key"], "description": f"hål {n}"})
            assert posted.status_code == 200, posted.text
        for runs in (intake, replica):
            refused = await post(runs, {**POTHOLE, "api_key": issued["key"], "description": "ett till"})
            assert refused.status_code == 429, refused.text


# --- the read model -----------------------------------------------------------------------------


async def test_the_read_model_learns_a_request_from_its_contact(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(*args: Any, **kwargs: Any) -> None:
        raise Unavailable("MongoDB is away")

    monkeypatch.setattr(Requests, "by_token", down)
    response = await post(intake, POTHOLE)
    assert response.status_code == 200  # the contact is in Kafka: the answer does not wait for MongoDB
    token = response.json()[0]["token"]
    monkeypatch.undo()
    assert (await intake.client.get(f"{V2}/tokens/{token}.json")).status_code == 404
    await follow(intake)
    assert (await intake.client.get(f"{V2}/tokens/{token}.json")).json() == [
        {"token": token, "service_request_id": None}
    ]


async def test_requests_follow_the_case_events(intake: Intake) -> None:
    token = (await post(intake, POTHOLE)).json()[0]["token"]
    ref = "KGA-2026-000201"
    await publish(intake, case_created(token, ref))
    await follow(intake)
    assert (await intake.client.get(f"{V2}/tokens/{token}.json")).json() == [
        {"token": token, "service_request_id": ref}
    ]
    [request] = (await intake.client.get(f"{V2}/requests/{ref}.json")).json()
    assert request["status"] == "open"
    assert request["service_code"] == "felanmalan-gata-park"
    assert request["agency_responsible"] == "Karlskoga kommun"
    assert request["description"] == "Djupt hål i asfalten utanför nr 7."
    assert (request["lat"], request["long"]) == (59.3267, 14.5237)
    assert request["address"] == "Skolgatan 7, Karlskoga"
    assert request["media_url"] == "https://bilder.example/hal.jpg"
    assert request["expected_datetime"] == (T + timedelta(hours=24)).isoformat().replace("+00:00", "Z")
    assert "Maja" not in str(request) and "maja@example.se" not in str(request) and "070" not in str(request)

    await publish(
        intake,
        CaseHandedOff(
            producer="casestore",
            organization="karlskoga",
            occurred_at=T + timedelta(hours=1),
            data=CaseHandedOffData(
                case_ref=ref,
                department="samhallsbyggnad",
                reason="Gatuenheten lagar",
                due_at=T + timedelta(days=5),
                handed_off_by="agent",
            ),
        ),
    )
    await follow(intake)
    [request] = (await intake.client.get(f"{V2}/requests/{ref}.json")).json()
    assert request["status"] == "open"
    assert request["agency_responsible"] == "Samhällsbyggnadsförvaltningen"
    assert request["status_notes"] == "Överlämnad till Samhällsbyggnadsförvaltningen"
    assert "Gatuenheten" not in str(request)  # what an officer wrote stays inside

    resolved_at = T + timedelta(hours=1, minutes=30)
    await publish(
        intake,
        CaseResolved(
            producer="casestore",
            organization="karlskoga",
            occurred_at=resolved_at,
            data=CaseResolvedData(
                case_ref=ref, resolved_at=resolved_at, resolved_by_first_line=False, resolution_code="fixed"
            ),
        ),
    )
    await follow(intake)
    root = ElementTree.fromstring((await intake.client.get(f"{V2}/requests/{ref}.xml")).content)
    assert root.findtext("request/status") == "closed"
    assert root.findtext("request/status_notes") == "Åtgärdad"
    assert root.findtext("request/updated_datetime") == resolved_at.isoformat().replace("+00:00", "Z")
    # Handing the same events over again changes nothing.
    intake.bus._positions.clear()
    await follow(intake)
    [again] = (await intake.client.get(f"{V2}/requests/{ref}.json")).json()
    assert again["status"] == "closed"


async def test_a_confidential_case_shows_no_text_and_no_place(intake: Intake) -> None:
    token = (await post(intake, POTHOLE)).json()[0]["token"]
    await publish(intake, case_created(token, "KGA-2026-000301", confidential=True, department="social"))
    await follow(intake)
    [request] = (await intake.client.get(f"{V2}/requests/KGA-2026-000301.json")).json()
    assert request["description"] == ""
    assert request["address"] is None and request["lat"] is None and request["media_url"] is None
    assert request["agency_responsible"] == "Socialförvaltningen"


async def test_an_erased_case_keeps_no_text(intake: Intake) -> None:
    token = (await post(intake, POTHOLE)).json()[0]["token"]
    await publish(intake, case_created(token, "KGA-2026-000401"))
    await publish(
        intake,
        CaseErased(
            producer="casestore", organization="karlskoga", data=CaseErasedData(case_ref="KGA-2026-000401")
        ),
    )
    await follow(intake)
    [request] = (await intake.client.get(f"{V2}/requests/KGA-2026-000401.json")).json()
    assert request["description"] == "" and request["address"] is None and request["lat"] is None
    assert "Djupt" not in str(await intake.db["open311_requests"].find_one({"_id": token}))


async def test_filters_on_the_list_of_requests(intake: Intake) -> None:
    refs = {}
    for n, code in enumerate(("felanmalan-gata-park", "avfall", "felanmalan-gata-park")):
        fields = {**POTHOLE, "description": f"fel {n}"}
        if code == "avfall":
            fields = {
                "api_key": "dev-open311-key",
                "service_code": "avfall",
                "address_string": "Storgatan 1",
                "attribute[karl]": "matavfall",
                "description": "Inte tömt",
            }
        token = (await post(intake, fields)).json()[0]["token"]
        refs[n] = f"KGA-2026-0005{n:02d}"
        await publish(intake, case_created(token, refs[n], category=code))
    await publish(
        intake,
        CaseResolved(
            producer="casestore",
            organization="karlskoga",
            data=CaseResolvedData(
                case_ref=refs[2], resolved_at=T, resolved_by_first_line=True, resolution_code="x"
            ),
        ),
    )
    # A case of another channel is no Open311 request.
    await publish(intake, case_created("not-ours", "KGA-2026-000599", channel="email"))
    await follow(intake)

    async def ids(**params: str) -> set[str]:
        response = await intake.client.get(f"{V2}/requests.json", params=params)
        assert response.status_code == 200, response.text
        return {r["service_request_id"] for r in response.json()}

    assert await ids() == set(refs.values())
    assert await ids(service_code="avfall") == {refs[1]}
    assert await ids(status="closed") == {refs[2]}
    assert await ids(status="open") == {refs[0], refs[1]}
    assert await ids(service_request_id=f"{refs[0]},{refs[2]},KGA-2026-000599") == {refs[0], refs[2]}
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert await ids(start_date=future) == set()
    assert await ids(jurisdiction_id="degerfors") == set()
    bad = await intake.client.get(f"{V2}/requests.json", params={"status": "lost"})
    assert bad.status_code == 400
    assert (await intake.client.get(f"{V2}/requests.json", params={"start_date": "igår"})).status_code == 400
    assert (await intake.client.get(f"{V2}/requests/KGA-2026-000599.json")).status_code == 404
    assert (await intake.client.get(f"{V2}/tokens/nobody.json")).status_code == 404


def test_the_gateway_sends_open311_to_intake() -> None:
    assert service_for("/open311/v2/requests.json") == "intake"
    assert service_for("/v1/open311/keys") == "intake"
