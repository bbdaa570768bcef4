"""Open311 GeoReport v2 clients written elsewhere, against the running intake's ``/open311/v2/``.

- ``georeport`` (PyPI) reads services, a service definition and service requests, in JSON and XML;
  ``civicbot``'s ``Open311Client`` (PyPI) posts a request as a form and reads its token. Neither
  knows Lotsen: what they send is what the specification describes, and they read the answers with
  their own parsers.
- FixMyStreet's Open311 client (``perl/lib/Open311.pm``) is Perl; its requests are rebuilt here
  field by field (form-encoded ``requests.xml`` with ``attribute[...]``, ``jurisdiction_id`` and
  ``api_key``), and its answers are read the way it reads them (XML::Simple: the first ``<request>``'s
  ``service_request_id``, else its ``token`` and then ``tokens/{token}.xml``; ``<errors><error>``).
- Every XML answer, whoever asked, is validated against ``tests/data/open311/georeport-v2.xsd``, the
  specification's documented elements as an XML Schema.

The department works the case through casestore, and the clients see its status change.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
import requests
import xmlschema
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport

from lotsen.devserver.stack import Stack
from lotsen.settings import DEMO_OPEN311_KEY
from tests.helpers import demo_login, eventually

pytestmark = pytest.mark.integration

XSD = Path(__file__).resolve().parents[1] / "data" / "open311" / "georeport-v2.xsd"
POTHOLE = "felanmalan-gata-park"  # Karlskoga's fault reports on streets, parks and lighting
KARLSKOGA = (59.3267, 14.5239)


@functools.cache
def schema() -> xmlschema.XMLSchema11:
    return xmlschema.XMLSchema11(XSD)


def valid_xml(body: bytes) -> ElementTree.Element:
    """An XML answer as the specification wants it: declared UTF-8, and valid against its elements."""
    declaration = body.split(b"?>", 1)[0].lower()
    assert body.startswith(b"<?xml") and b"utf-8" in declaration, body[:80]
    schema().validate(body.decode("utf-8"))
    return ElementTree.fromstring(body)


@pytest.fixture
def xml_seen(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every XML answer the ``requests`` library receives (georeport's calls) is validated as it arrives."""
    seen: list[str] = []
    original = requests.get

    def validating_get(url: str, *args: Any, **kwargs: Any) -> requests.Response:
        response = original(url, *args, **kwargs)
        if url.endswith(".xml"):
            valid_xml(response.content)
            seen.append(url)
        return response

    monkeypatch.setattr(requests, "get", validating_get)
    yield seen


def endpoint(stack: Stack) -> str:
    return f"{stack.url('intake')}/open311/v2"


def civicbot_client(stack: Stack) -> Open311Client:
    """civicbot's client for this server: its own transport (urllib), without its politeness pause."""
    target = Endpoint(id="karlskoga", name="Karlskoga kommun", base_url=endpoint(stack), write=True)
    return Open311Client(
        target, HttpTransport(rate_limiter=RateLimiter(min_interval=0)), jurisdiction_id="karlskoga"
    )


# --- FixMyStreet's reading of an answer (perl/lib/Open311.pm, _get_xml_object) ---------------------


def fms_object(body: bytes) -> dict[str, list[dict[str, Any]]]:
    """XML::Simple as FixMyStreet configures it: the root dropped, ``request``, ``service``, ``error``,
    ``attribute`` and ``value`` always lists, an empty element undef (None)."""
    groups = {
        "services": "service",
        "attributes": "attribute",
        "values": "value",
        "service_requests": "request",
        "errors": "error",
    }

    def simple(element: ElementTree.Element) -> Any:
        children = list(element)
        if not children:
            return element.text if element.text else None
        if element.tag in groups and all(c.tag == groups[element.tag] for c in children):
            return [simple(c) for c in children]
        return {c.tag: simple(c) for c in children}

    root = valid_xml(body)
    return {groups.get(root.tag, root.tag): [simple(c) for c in root]}


async def fms_service_request_id(http: httpx.AsyncClient, base: str, answer: bytes) -> str | None:
    """send_service_request: the first request's service_request_id, else the id its token names
    (get_service_request_id_from_token; 0 there means 'not yet', and FixMyStreet tries again later)."""
    request = fms_object(answer)["request"][0]
    if request.get("service_request_id"):
        return str(request["service_request_id"])
    token = request["token"]
    assert token, answer

    async def from_token() -> str | None:
        response = await http.get(f"{base}/tokens/{token}.xml", params={"jurisdiction_id": "karlskoga"})
        if response.status_code == 404:
            valid_xml(response.content)
            return None
        assert response.status_code == 200, response.text
        found = fms_object(response.content)["request"]
        return str(found[0]["service_request_id"]) if found and found[0].get("service_request_id") else None

    return await eventually(from_token)


# --- The department's side: casestore -------------------------------------------------------------


async def hand_off(http: httpx.AsyncClient, stack: Stack, ref: str) -> None:
    """First line hands the pothole to the street department (samhällsbyggnad)."""
    agent = await demo_login(http, stack, "agent")
    handed = await http.post(
        f"{stack.url('casestore')}/v1/cases/{ref}/handoff",
        headers=agent,
        json={"department": "samhallsbyggnad", "reason": "Gatuenheten lagar hålet"},
    )
    assert handed.status_code == 200, handed.text


async def resolve(http: httpx.AsyncClient, stack: Stack, ref: str) -> None:
    """The department's handler has the hole mended and resolves the case."""
    handler = await demo_login(http, stack, "handler")
    resolved = await http.post(
        f"{stack.url('casestore')}/v1/cases/{ref}/resolve",
        headers=handler,
        json={"resolution_code": "fixed", "failure_demand": False},
    )
    assert resolved.status_code == 200, resolved.text


# --- The tests ----------------------------------------------------------------------------------


async def test_published_clients_report_a_pothole_and_follow_it_to_closed(
    stack: Stack, xml_seen: list[str]
) -> None:
    marker = uuid.uuid4().hex[:8]
    as_json = GeoReport(endpoint(stack), jurisdiction="karlskoga")
    as_xml = GeoReport(endpoint(stack), jurisdiction="karlskoga", output_format="xml")

    # The service list and the pothole's questions, in both formats, as georeport reads them.
    services = as_json.get_service_list()
    pothole = next(s for s in services if s["service_code"] == POTHOLE)
    assert pothole["metadata"] is True and pothole["type"] in ("realtime", "batch")
    listed_in_xml = as_xml.get_service_list()
    listed_in_xml = listed_in_xml if isinstance(listed_in_xml, list) else [listed_in_xml]
    assert {s["service_code"] for s in listed_in_xml} == {s["service_code"] for s in services}
    definition = as_json.get_service_definition(POTHOLE)
    questions = {a["code"]: a for a in definition["attributes"]}
    assert questions["typ"]["required"] is True
    assert "gata" in {v["key"] for v in questions["typ"]["values"]}
    in_xml = as_xml.get_service_definition(POTHOLE)
    assert in_xml["service_code"] == POTHOLE
    assert {a["code"] for a in in_xml["attributes"]["attribute"]} == set(questions)

    # civicbot posts the report: checked against the live definition first, then sent as a form.
    client = civicbot_client(stack)
    photo = f"https://bilder.example/potthal-{marker}.jpg"
    sent = client.create_request(
        POTHOLE,
        dry_run=False,
        confirm="SEND",
        api_key=DEMO_OPEN311_KEY,
        validate_remote=True,
        lat=KARLSKOGA[0],
        lng=KARLSKOGA[1],
        address_string="Kungsvägen 12, Karlskoga",
        description=f"Djupt hål i asfalten vid övergångsstället {marker}",
        media_url=photo,
        attributes={"typ": "gata", "djup": "over-10cm"},
        email=f"anna.{marker}@example.se",
        first_name="Anna",
        last_name="Berg",
    )
    assert sent.dry_run is False and isinstance(sent.response, list) and len(sent.response) == 1
    acknowledged = sent.response[0]
    token = acknowledged.get("token")
    assert acknowledged.get("service_request_id") or token

    # The token leads to the service request once the case is open (civicbot's get_token).
    async def request_id() -> str | None:
        if acknowledged.get("service_request_id"):
            return str(acknowledged["service_request_id"])
        try:
            found = client.get_token(token)
        except HttpError as not_yet:  # 404 until the case is open
            assert not_yet.status == 404, not_yet
            return None
        return str(found[0]["service_request_id"]) if found and found[0].get("service_request_id") else None

    ref = await eventually(request_id)

    # georeport reads it back: where it is, what it is, the photo, open.
    request = as_json.get_service_request(ref)
    assert request["service_request_id"] == ref and request["service_code"] == POTHOLE
    assert request["status"] == "open"
    assert (float(request["lat"]), float(request["long"])) == pytest.approx(KARLSKOGA)
    assert request["media_url"] == photo
    assert marker in request["description"]
    assert [r["service_request_id"] for r in as_json.get_service_requests(service_request_id=ref)] == [ref]

    # The department works the case; the clients follow it: handed over (still open), then closed.
    async with httpx.AsyncClient(timeout=15) as http:
        await hand_off(http, stack, ref)

        async def handed_over() -> dict[str, Any] | None:
            seen = as_json.get_service_request(ref)
            return seen if (seen["status_notes"] or "").startswith("Överlämnad") else None

        handed = await eventually(handed_over)
        assert handed["status"] == "open"
        assert handed["agency_responsible"] == "Samhällsbyggnadsförvaltningen"
        await resolve(http, stack, ref)

    async def closed() -> dict[str, Any] | None:
        seen = as_xml.get_service_request(ref)
        return seen if seen["status"] == "closed" else None

    in_xml_closed = await eventually(closed)
    assert in_xml_closed["service_request_id"] == ref and in_xml_closed["media_url"] == photo
    assert as_json.get_service_request(ref)["status"] == "closed"
    assert client.get_request(ref)["status"] == "closed"
    # Every XML answer georeport read above was valid against the specification's elements.
    assert {url.removeprefix(endpoint(stack)) for url in xml_seen} == {
        "/services.xml",
        f"/services/{POTHOLE}.xml",
        f"/requests/{ref}.xml",
    }


def fixmystreet_form(marker: str, **changes: Any) -> dict[str, Any]:
    """A report as FixMyStreet's _populate_service_request_params builds it, plus what _request adds
    (jurisdiction_id, api_key): its extended description (title, detail, link), the name split in two,
    the position truncated to six decimals, the photo's URL, and as attribute[...] the service's
    questions and the fields FixMyStreet adds of its own."""
    form = {
        "service_code": POTHOLE,
        "description": "Titel: Potthål på Bergsmansgatan\n\n"
        f"Beskrivning: Hålet är stort som ett däck {marker}\n\n"
        f"Länk till ärendet: https://fixamingata.example/report/{marker}\n\n"
        "Skickad via FixaMinGata\n",
        "first_name": "Per",
        "last_name": "Olsson Ek",
        "email": f"per.{marker}@example.se",
        "phone": "070-123 45 67",
        "lat": "59.325101",
        "long": "14.530262",
        "media_url": f"https://fixamingata.example/photo/{marker}.0.full.jpeg",
        "attribute[typ]": "gata",
        "attribute[djup]": "5-10cm",
        # What a cobrand's open311_extra_data_include adds of its own, beside the service's questions.
        "attribute[fixmystreet_id]": "4711",
        "attribute[report_url]": f"https://fixamingata.example/report/{marker}",
        "attribute[title]": "Potthål på Bergsmansgatan",
        "attribute[description]": f"Hålet är stort som ett däck {marker}",
        "attribute[category]": "Gata och park",
        "jurisdiction_id": "karlskoga",
        "api_key": DEMO_OPEN311_KEY,
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


async def test_fixmystreet_shaped_reports_in_xml(stack: Stack) -> None:
    marker = uuid.uuid4().hex[:8]
    base = endpoint(stack)
    async with httpx.AsyncClient(timeout=15) as http:
        # get_service_list / get_service_meta_info, read as FixMyStreet reads them.
        services = fms_object(
            (await http.get(f"{base}/services.xml", params={"jurisdiction_id": "karlskoga"})).content
        )
        assert POTHOLE in {s["service_code"] for s in services["service"]}
        meta = (
            await http.get(f"{base}/services/{POTHOLE}.xml", params={"jurisdiction_id": "karlskoga"})
        ).content
        definition = valid_xml(meta)
        codes = [a.findtext("code") for a in definition.iterfind("attributes/attribute")]
        assert "typ" in codes

        # send_service_request: a pinned report, and one placed by its address only.
        pinned = await http.post(f"{base}/requests.xml", data=fixmystreet_form(marker))
        assert pinned.status_code == 200, pinned.text
        by_address = await http.post(
            f"{base}/requests.xml",
            data=fixmystreet_form(
                f"{marker}b", lat=None, long=None, address_string="Bergsmansgatan 4, 691 31 Karlskoga"
            ),
        )
        assert by_address.status_code == 200, by_address.text
        not_pinpointed = await http.post(  # some councils' setting: send_notpinpointed
            f"{base}/requests.xml",
            data=fixmystreet_form(f"{marker}c", lat=None, long=None, address_id="#NOTPINPOINTED#"),
        )
        assert not_pinpointed.status_code == 200, not_pinpointed.text
        first = await fms_service_request_id(http, base, pinned.content)
        second = await fms_service_request_id(http, base, by_address.content)
        third = await fms_service_request_id(http, base, not_pinpointed.content)
        assert len({first, second, third}) == 3

        # get_service_requests with report_ids: both, comma separated, in one answer.
        both = await http.get(
            f"{base}/requests.xml",
            params={"service_request_id": f"{first},{second}", "jurisdiction_id": "karlskoga"},
        )
        assert both.status_code == 200, both.text
        found = {r["service_request_id"]: r for r in fms_object(both.content)["request"]}
        assert set(found) == {first, second}
        assert found[first]["status"] == "open" and found[first]["service_code"] == POTHOLE
        assert f"Beskrivning: Hålet är stort som ett däck {marker}" in (found[first]["description"] or "")
        assert found[first]["media_url"] == f"https://fixamingata.example/photo/{marker}.0.full.jpeg"
        assert (float(found[first]["lat"]), float(found[first]["long"])) == (59.325101, 14.530262)
        assert "Bergsmansgatan 4" in (found[second].get("address") or "")


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"api_key": "not-a-key"}, 403, "api_key"),
        ({"service_code": "finns-inte"}, 404, "finns-inte"),
        ({"attribute[typ]": None}, 400, "typ"),
        ({"attribute[typ]": "vulkan"}, 400, "vulkan"),
        ({"lat": None, "long": None}, 400, "lat"),
        ({"lat": "91.5"}, 400, "lat"),
    ],
)
async def test_fixmystreet_reads_every_refusal_as_errors(
    stack: Stack, change: dict[str, Any], status: int, says: str
) -> None:
    """_process_error: each <error>'s code and description, which FixMyStreet shows its admins."""
    async with httpx.AsyncClient(timeout=15) as http:
        refused = await http.post(f"{endpoint(stack)}/requests.xml", data=fixmystreet_form("x", **change))
    assert refused.status_code == status, refused.text
    errors = fms_object(refused.content)["error"]
    assert errors and {int(e["code"]) for e in errors} == {status}
    assert says in " ".join(e["description"] for e in errors)


XML_READS: list[Callable[[str], tuple[str, dict[str, str]]]] = [
    lambda base: (f"{base}/services.xml", {}),
    lambda base: (f"{base}/services.xml", {"jurisdiction_id": "karlskogahem"}),
    lambda base: (f"{base}/services/{POTHOLE}.xml", {"jurisdiction_id": "karlskoga"}),
    lambda base: (f"{base}/services/avfall.xml", {"jurisdiction_id": "karlskoga"}),
    lambda base: (f"{base}/requests.xml", {"jurisdiction_id": "karlskoga"}),
    lambda base: (f"{base}/requests.xml", {"jurisdiction_id": "karlskoga", "status": "open"}),
    lambda base: (f"{base}/services/finns-inte.xml", {"jurisdiction_id": "karlskoga"}),
    lambda base: (f"{base}/services.xml", {"jurisdiction_id": "stockholm"}),
    lambda base: (f"{base}/requests/KGA-1999-999999.xml", {"jurisdiction_id": "karlskoga"}),
    lambda base: (f"{base}/tokens/{uuid.uuid4()}.xml", {"jurisdiction_id": "karlskoga"}),
    lambda base: (f"{base}/requests.xml", {"jurisdiction_id": "karlskoga", "start_date": "igår"}),
]


async def test_every_xml_answer_is_valid_against_the_specification(stack: Stack) -> None:
    """The reads of every kind, answers and refusals alike, all valid; a refusal is <errors>."""
    base = endpoint(stack)
    async with httpx.AsyncClient(timeout=15) as http:
        for read in XML_READS:
            url, params = read(base)
            response = await http.get(url, params=params)
            root = valid_xml(response.content)
            assert (root.tag == "errors") == (response.status_code >= 400), (url, params, response.text)
