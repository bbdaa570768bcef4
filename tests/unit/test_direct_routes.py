"""Direct routes: answered without FastAPI's routing, indistinguishable for the caller."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.types import ASGIApp, Receive, Scope, Send

from lotsen.direct_routes import DirectRoutes, direct_route
from lotsen.errors import Conflict, install_error_handlers
from lotsen.settings import ServiceSettings
from lotsen.telemetry import fastapi_telemetry, setup_tracing


def refuse_the_slow_way() -> None:
    raise Conflict("FastAPI's route handling ran", details={"field": "route"})


router = APIRouter(dependencies=[Depends(refuse_the_slow_way)])


@router.post("/v1/things", status_code=202)
async def receive_thing(request: Request) -> JSONResponse:
    body = await request.json()
    if body.get("broken"):
        raise RuntimeError("a bug")
    if body.get("conflict"):
        raise Conflict("that thing exists", details={"field": "name"})
    context = trace.get_current_span().get_span_context()
    return JSONResponse({"name": body["name"], "traced": context.is_valid}, status_code=202)


def app_with_direct_route(*, tracing: bool = True) -> FastAPI:
    settings = ServiceSettings(env="dev")
    app = FastAPI(telemetry=fastapi_telemetry(settings))
    install_error_handlers(app)
    app.include_router(router)
    app.add_middleware(DirectRoutes, routes=[direct_route(router, receive_thing)])
    if tracing:
        setup_tracing(settings, app)
    return app


async def post(app: ASGIApp, path: str = "/v1/things", **kwargs: object) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.post(path, **kwargs)  # type: ignore[arg-type]


async def test_the_route_is_answered_without_fastapis_route_handling() -> None:
    response = await post(app_with_direct_route(), json={"name": "bänk"})
    # The router's dependency would have refused: the endpoint was called directly.
    assert response.status_code == 202
    assert response.json() == {"name": "bänk", "traced": True}  # inside the trace-context middleware


async def test_refusals_come_from_the_apps_exception_handlers() -> None:
    response = await post(app_with_direct_route(), json={"conflict": True})
    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "conflict", "message": "that thing exists", "details": {"field": "name"}}
    }


async def test_an_unexpected_error_is_a_500_as_on_any_other_route() -> None:
    response = await post(app_with_direct_route(), json={"broken": True})
    assert response.status_code == 500


async def test_other_methods_and_paths_go_to_fastapi() -> None:
    app = app_with_direct_route()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/v1/things")).status_code == 405
        assert (await client.post("/v1/other", json={})).status_code == 404
        spec = (await client.get("/openapi.json")).json()
    assert "post" in spec["paths"]["/v1/things"]


async def test_behind_a_root_path_the_route_is_found_under_it() -> None:
    app = app_with_direct_route()
    transport = httpx.ASGITransport(app=app, root_path="/intake")
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post("/intake/v1/things", json={"name": "x"})
    assert response.status_code == 202


async def test_a_recorded_request_span_is_named_after_the_route() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    inner = app_with_direct_route(tracing=False)

    async def with_request_span(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await inner(scope, receive, send)
            return
        with provider.get_tracer("test").start_as_current_span("POST"):
            await inner(scope, receive, send)

    assert (await post(with_request_span, json={"name": "x"})).status_code == 202
    (span,) = exporter.get_finished_spans()
    assert span.name == "POST /v1/things"
    assert span.attributes is not None and span.attributes["http.route"] == "/v1/things"


def test_only_a_registered_single_method_route_can_be_direct() -> None:
    async def elsewhere(request: Request) -> JSONResponse:
        return JSONResponse({})

    with pytest.raises(ValueError, match="elsewhere"):
        direct_route(router, elsewhere)
