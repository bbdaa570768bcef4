"""Answers in the format the path names (``.json`` or ``.xml``) and errors as GeoReport v2 writes them:
``[{"code": 400, "description": "..."}]`` or ``<errors><error><code>400</code>…``.

XML is written with the standard library (:mod:`xml.etree.ElementTree`), which escapes every text.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

from fastapi.responses import JSONResponse, Response

from lotsen.errors import DomainError

log = logging.getLogger(__name__)

FORMATS = ("json", "xml")
# A list's elements in XML are named by the list: <attributes><attribute>…, <values><value>…
_ITEM_NAMES = {"attributes": "attribute", "values": "value"}


class Open311Error(DomainError):
    """A refusal answered in the spec's error format, with the HTTP status as its code."""

    status = 400
    code = "open311_bad_request"


class InvalidField(Open311Error):
    status = 400
    code = "open311_invalid"


class KeyRefused(Open311Error):
    status = 403
    code = "open311_api_key"


class NotFound(Open311Error):
    status = 404
    code = "open311_not_found"


def format_of(fmt: str) -> str:
    if fmt not in FORMATS:
        raise NotFound(f"unknown format {fmt[:20]!r}: ask for .json or .xml")
    return fmt


def timestamp(value: datetime | None) -> str | None:
    """W3C date-time with the offset, as the spec's examples write it."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return timestamp(value) or ""
    return "" if value is None else str(value)


def _fill(element: ElementTree.Element, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        child = ElementTree.SubElement(element, name)
        if isinstance(value, list):
            for item in value:
                entry = ElementTree.SubElement(child, _ITEM_NAMES.get(name, "item"))
                if isinstance(item, Mapping):
                    _fill(entry, item)
                else:
                    entry.text = _text(item)
        elif isinstance(value, Mapping):
            _fill(child, value)
        else:
            child.text = _text(value)


def xml_of(root: str, item: str | None, content: list[dict[str, Any]] | dict[str, Any]) -> bytes:
    """``<root><item>…</item>…</root>`` for a list, ``<root>…</root>`` for one object."""
    top = ElementTree.Element(root)
    if isinstance(content, list):
        for fields in content:
            _fill(ElementTree.SubElement(top, item or "item"), fields)
    else:
        _fill(top, content)
    written: bytes = ElementTree.tostring(top, encoding="utf-8", xml_declaration=True)
    return written


def answer(
    fmt: str,
    content: list[dict[str, Any]] | dict[str, Any],
    *,
    root: str,
    item: str | None = None,
    status: int = 200,
) -> Response:
    if fmt == "xml":
        return Response(xml_of(root, item, content), status, media_type="text/xml; charset=utf-8")
    return JSONResponse(_jsonable(content), status)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def error_response(fmt: str, error: DomainError) -> Response:
    errors = [{"code": error.status, "description": error.message}]
    response = answer(
        fmt if fmt in FORMATS else "json", errors, root="errors", item="error", status=error.status
    )
    response.headers.update(error.headers or {})
    return response


async def answering(fmt: str, work: Callable[[str], Awaitable[Response]]) -> Response:
    """Run ``work`` for the format the path names; any refusal is answered in the spec's error format
    (a 503 with ``Retry-After`` stays one: the client retries)."""
    try:
        return await work(format_of(fmt))
    except DomainError as error:
        return error_response(fmt, error)
