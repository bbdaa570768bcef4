"""Request bodies read with limits: JSON into a model, multipart into fields and files.

Routes that take files or raw bytes read the body themselves, so a body is never read past its
limit and every refusal says what is wrong (413 too large, 415 wrong type, 422 not valid).
"""

from __future__ import annotations

import copy
import mimetypes
import re
from collections.abc import AsyncGenerator
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from lotsen.errors import DomainError
from services.intake.contacts import FileContent

M = TypeVar("M")


class PayloadTooLarge(DomainError):
    status = 413
    code = "too_large"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


class InvalidBody(DomainError):
    status = 422
    code = "invalid_request"


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} kB"


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_limited(request: Request, limit: int, *, what: str = "the request body") -> bytes:
    """The whole body, refused with 413 as soon as it is larger than ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(
            f"{what} is {megabytes(int(declared))}; the limit is {megabytes(limit)}",
            details={"limit_bytes": limit},
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(
                f"{what} is larger than the limit of {megabytes(limit)}", details={"limit_bytes": limit}
            )
        chunks.append(chunk)
    return b"".join(chunks)


def validation_failed(exc: ValidationError, *, prefix: tuple[str | int, ...] = ()) -> RequestValidationError:
    """The pydantic errors, reported like FastAPI's own (422 ``invalid_request``)."""
    errors = [{**e, "loc": (*prefix, *e.get("loc", ()))} for e in exc.errors(include_url=False)]
    return RequestValidationError(errors)


def parse_json(adapter: TypeAdapter[M], raw: bytes) -> M:
    try:
        return adapter.validate_json(raw)
    except ValidationError as exc:
        raise validation_failed(exc) from exc


def parse_fields(model: type[BaseModel], fields: dict[str, Any]) -> Any:
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise validation_failed(exc) from exc


async def read_multipart(
    request: Request, *, body: bytes, max_files: int, max_file_bytes: int
) -> tuple[dict[str, str], list[FileContent]]:
    """Text fields and files of a ``multipart/form-data`` body already read within its limit."""

    async def once() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(request.headers, once(), max_files=max_files, max_fields=200)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise InvalidBody(f"the multipart body is not valid: {exc.message}") from exc
    fields: dict[str, str] = {}
    files: list[FileContent] = []
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if not value.filename and not value.size:
                    continue  # an empty file input of a browser form
                data = await value.read()
                filename = safe_filename(value.filename, len(files) + 1, value.content_type)
                if len(data) > max_file_bytes:
                    raise PayloadTooLarge(
                        f"the file {filename!r} is {megabytes(len(data))}; "
                        f"the limit is {megabytes(max_file_bytes)} per file",
                        details={"file": filename, "limit_bytes": max_file_bytes},
                    )
                content_type = plain_media_type(value.content_type) or guess_type(filename)
                files.append(FileContent(filename, content_type, data))
            else:
                fields.setdefault(name, value)
    finally:
        await form.close()
    return fields, files


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\\\]+")


def safe_filename(name: str | None, n: int, content_type: str | None = None) -> str:
    """A file name fit to show and to put in a header: no path, no control characters, not empty."""
    cleaned = _UNSAFE.sub("_", (name or "").strip()).strip(" .")[-200:]
    if cleaned:
        return cleaned
    extension = mimetypes.guess_extension((content_type or "").split(";")[0].strip()) or ".bin"
    return f"bilaga-{n}{extension}"


_MEDIA_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]{1,64}/[a-z0-9!#$&^_.+-]{1,128}")


def plain_media_type(value: str | None) -> str | None:
    """``type/subtype`` of a Content-Type value, lower case and without parameters; None if it is none."""
    kind = (value or "").split(";", 1)[0].strip().lower()
    return kind if _MEDIA_TYPE.fullmatch(kind) else None


def guess_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema with its ``$defs`` inlined, fit for an OpenAPI request body."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(copy.deepcopy(defs[ref.removeprefix("#/$defs/")]))
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)  # type: ignore[no-any-return]
