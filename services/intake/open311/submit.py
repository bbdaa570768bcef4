"""``POST requests.{json,xml}``: a GeoReport v2 request becomes a contact on ``contacts.received``.

Form-encoded as the spec says. The contact has channel ``open311``; its ``form_id`` and
``category_hint`` are the service code, so routing picks that category. The answer comes only after
Kafka acknowledged (:func:`services.intake.contacts.accept`): ``[{"token"}]`` while the case does not
exist yet, ``[{"service_request_id"}]`` when a retry finds it. A client's retry is recognised by an
``Idempotency-Key`` header when sent, else by the same api key and the same fields on the same UTC
day; either way it answers the first request's token and publishes nothing new.
"""

from __future__ import annotations

import logging
import math
import re
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import Response

from lotsen.contracts.contacts import ContactReceived, ContactReceivedData, Location, Sender
from lotsen.directory import Category, Open311Attribute
from lotsen.email_address import reply_address
from lotsen.errors import Unavailable
from services.intake import contacts
from services.intake.bodies import media_type, read_limited
from services.intake.language import guess_language
from services.intake.open311 import keys
from services.intake.open311.catalogue import jurisdiction, router, service
from services.intake.open311.formats import InvalidField, KeyRefused, answer, answering
from services.intake.open311.repository import Requests

log = logging.getLogger(__name__)
MAX_FIELDS = 100
MAX_ATTRIBUTES = 50
LIMITS = {  # characters
    "description": 20_000,
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
    "device_id": 200,
    "account_id": 200,
    "address_string": 500,
    "address_id": 200,
    "media_url": 2000,
    "jurisdiction_id": 100,
    "service_code": 100,
    "lat": 40,
    "long": 40,
}
ATTRIBUTE_VALUE_MAX = 1000
_PHONE = re.compile(r"^[0-9+() \-]*$")
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]{1,60})\](\[\])?$")
IDEMPOTENCY_KEY_MAX = 200


async def read_form(request: Request) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The plain fields (first value of each) and ``attribute[code]`` values (all of each)."""
    if media_type(request) != "application/x-www-form-urlencoded":
        raise InvalidField("post the request as application/x-www-form-urlencoded, as GeoReport v2 says")
    raw = await read_limited(request, request.app.state.settings.open311_max_body_bytes)
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
    except UnicodeDecodeError as exc:
        raise InvalidField("the request is not UTF-8") from exc
    except ValueError as exc:
        raise InvalidField(f"the request has more than {MAX_FIELDS} fields") from exc
    fields: dict[str, str] = {}
    attributes: dict[str, list[str]] = {}
    for name, value in pairs:
        matched = _ATTRIBUTE.match(name)
        if matched:
            attributes.setdefault(matched.group(1), []).append(value.strip())
        else:
            fields.setdefault(name, value.strip())
    for name, limit in LIMITS.items():
        if len(fields.get(name, "")) > limit:
            raise InvalidField(f"{name} is longer than {limit} characters")
    if len(attributes) > MAX_ATTRIBUTES:
        raise InvalidField(f"more than {MAX_ATTRIBUTES} attributes")
    return fields, attributes


def location_of(fields: dict[str, str]) -> Location | None:
    lat, lon = fields.get("lat"), fields.get("long")
    if not lat and not lon:
        if not fields.get("address_string") and not fields.get("address_id"):
            raise InvalidField("a location is required: lat and long, address_string or address_id")
        return None
    if not lat or not lon:
        raise InvalidField("lat and long go together: send both")
    try:
        latitude, longitude = float(lat), float(lon)
    except ValueError as exc:
        raise InvalidField(
            "lat and long are decimal degrees (WGS 84), e.g. lat=59.3267&long=14.5237"
        ) from exc
    if not (
        math.isfinite(latitude)
        and -90 <= latitude <= 90
        and math.isfinite(longitude)
        and -180 <= longitude <= 180
    ):
        raise InvalidField("lat is between -90 and 90 and long between -180 and 180")
    return Location(lat=latitude, lon=longitude)


def _checked_attribute(attribute: Open311Attribute, values: list[str]) -> str | None:
    given = [v for v in values if v]
    if not given:
        if attribute.required:
            raise InvalidField(f"attribute[{attribute.code}] is required: {attribute.description}")
        return None
    if any(len(v) > ATTRIBUTE_VALUE_MAX for v in given):
        raise InvalidField(f"attribute[{attribute.code}] is longer than {ATTRIBUTE_VALUE_MAX} characters")
    keys_ = [v.key for v in attribute.values]
    if attribute.datatype == "multivaluelist":
        wrong = [v for v in given if v not in keys_]
    else:
        if len(given) > 1:
            raise InvalidField(f"attribute[{attribute.code}] takes one value")
        wrong = [v for v in given if v not in keys_] if attribute.datatype == "singlevaluelist" else []
    if wrong:
        raise InvalidField(f"attribute[{attribute.code}] is one of {', '.join(keys_)}, not {wrong[0]!r}")
    value = given[0]
    if attribute.datatype == "number":
        try:
            number = float(value)
        except ValueError as exc:
            raise InvalidField(f"attribute[{attribute.code}] is a number") from exc
        if not math.isfinite(number):
            raise InvalidField(f"attribute[{attribute.code}] is a number")
    if attribute.datatype == "datetime":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidField(
                f"attribute[{attribute.code}] is a date or date-time, e.g. 2026-03-02"
            ) from exc
    return ",".join(given)


def attributes_of(category: Category, given: dict[str, list[str]]) -> dict[str, str]:
    """The definition's attributes, checked; others a client adds of its own (FixMyStreet sends its
    report's URL and title as attributes) are kept as given, within the same bounds."""
    defined = {a.code: a for a in (category.open311.attributes if category.open311 else [])}
    checked = {
        code: _checked_attribute(attribute, given.get(code, [])) for code, attribute in defined.items()
    }
    for code, values in given.items():
        if code not in defined and any(values):
            if any(len(v) > ATTRIBUTE_VALUE_MAX for v in values):
                raise InvalidField(f"attribute[{code}] is longer than {ATTRIBUTE_VALUE_MAX} characters")
            checked[code] = ",".join(v for v in values if v)
    return {f"attribute.{code}": value for code, value in checked.items() if value is not None}


def sender_of(fields: dict[str, str]) -> Sender:
    name = " ".join(part for part in (fields.get("first_name"), fields.get("last_name")) if part) or None
    phone = fields.get("phone") or None
    if phone and not _PHONE.match(phone):
        raise InvalidField("phone has digits, spaces and + - ( ) only")
    email = fields.get("email") or None
    if email:
        address = reply_address(email)
        if address.address is None:
            raise InvalidField(f"email is not an address a reply can reach: {address.problem}")
        email = address.address
    return Sender(name=name, email=email, phone=phone)


def media_url_of(fields: dict[str, str]) -> str | None:
    url = fields.get("media_url") or None
    if url and not re.match(r"^https?://[^\s/]+", url):
        raise InvalidField("media_url is an http or https address")
    return url


@router.post("/requests.{fmt}", summary="Open311: post a request (form-encoded)")
async def post_request(request: Request, fmt: str) -> Response:
    async def work(fmt: str) -> Response:
        idempotency_key = request.headers.get("Idempotency-Key")
        if idempotency_key is not None and not 0 < len(idempotency_key) <= IDEMPOTENCY_KEY_MAX:
            raise InvalidField(f"the Idempotency-Key header has 1 to {IDEMPOTENCY_KEY_MAX} characters")
        fields, given_attributes = await read_form(request)
        client = await keys.authenticate(request, fields.get("api_key"))
        await keys.hit(request, client)
        directory = request.app.state.runtime.directory
        jurisdiction_id = fields.get("jurisdiction_id")
        if not jurisdiction_id and len(client.organizations) != 1:
            raise InvalidField(f"jurisdiction_id is required: one of {', '.join(client.organizations)}")
        org = jurisdiction(directory, jurisdiction_id or client.organizations[0])
        if org.id not in client.organizations:
            raise KeyRefused(f"the api_key is not valid for {org.id}")
        if not fields.get("service_code"):
            raise InvalidField("service_code is required: see services.json")
        category = service(org, fields["service_code"])
        attributes = attributes_of(category, given_attributes)
        location = location_of(fields)
        description = fields.get("description", "")
        form_fields = {
            **attributes,
            "open311.api_key_id": client.id,
            **{
                f"open311.{name}": fields[name]
                for name in ("device_id", "account_id", "address_id")
                if fields.get(name)
            },
        }
        contact_id = contacts.new_contact_id()
        received = datetime.now(UTC)
        event = ContactReceived(
            event_id=contacts.event_id_for(contact_id),
            producer="intake",
            organization=org.id,
            data=ContactReceivedData(
                contact_id=contact_id,
                channel="open311",
                received_at=received,
                sender=sender_of(fields),
                subject=category.name,
                text=description,
                form_id=category.id,
                category_hint=category.id,
                location=location,
                address=fields.get("address_string") or None,
                media_url=media_url_of(fields),
                language=guess_language(description) if description else None,
                form_fields=form_fields,
            ),
        )
        request_fingerprint = contacts.fingerprint(
            [org.id, sorted(fields.items()), sorted(given_attributes.items())]
        )
        key = idempotency_key or f"body:{request_fingerprint}:{received.date().isoformat()}"
        token = await contacts.accept(
            event=event,
            intake=request.app.state.intake,
            scope=f"open311:{client.id}",
            idempotency_key=key,
            request_fingerprint=request_fingerprint,
        )
        # The contact is safe in Kafka: what follows only speeds up the read model, which the
        # contact event fills anyway, so a database that fails here does not fail the answer.
        requests = Requests(request.app.state.runtime.db)
        try:
            known = await requests.by_token(token)
            if known is not None and known.get("service_request_id"):
                return answer(
                    fmt,
                    [{"service_request_id": known["service_request_id"]}],
                    root="service_requests",
                    item="request",
                )
            if token == contact_id:  # new: known at once, before the contact comes back from Kafka
                await requests.upsert(token, received_fields(event), unless_erased=True)
        except Unavailable:
            log.warning("open311 request %s accepted; the read model learns it from contacts.received", token)
        return answer(fmt, [{"token": token}], root="service_requests", item="request")

    return await answering(fmt, work)


def received_fields(event: ContactReceived) -> dict[str, object]:
    """What the read model keeps of a request as received (:mod:`readmodel` writes the same)."""
    data = event.data
    return {
        "token": data.contact_id,
        "organization": event.organization,
        "service_code": data.form_id,
        "requested_datetime": data.received_at,
        "description_text": data.text or None,
        "address": data.address,
        "address_id": (data.model_extra or {}).get("form_fields", {}).get("open311.address_id"),
        "lat": data.location.lat if data.location else None,
        "long": data.location.lon if data.location else None,
        "media_url": data.media_url,
    }
