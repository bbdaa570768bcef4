"""Routes answered straight from the middleware stack, for the few endpoints that take bursts.

FastAPI's way to an endpoint (matching the path against every included router, two exit stacks,
the exception wrapper, resolving parameters) cost intake about 150 µs of CPU per web form, a fifth
of all it spends on one. An endpoint that takes the request and returns its response needs none of
it. :class:`DirectRoutes` answers such a route itself, inside the service's middleware (trace
context, FastAPI's telemetry, the server-error handler) and with the app's own exception handlers,
so a caller cannot tell the difference. The route stays registered with FastAPI too: the OpenAPI
document describes it, and other methods and paths are answered as before (405, 404).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from opentelemetry import trace
from starlette.types import ASGIApp, Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class DirectRoute:
    method: str
    path: str
    endpoint: Endpoint


def direct_route(router: APIRouter, endpoint: Endpoint) -> DirectRoute:
    """The route ``router`` registered for ``endpoint``, to be answered directly.

    Taken from the router so the method and path are always the ones the OpenAPI document shows.
    """
    for route in router.routes:
        if isinstance(route, APIRoute) and route.endpoint is endpoint and route.methods:
            if len(route.methods) == 1:
                return DirectRoute(method=next(iter(route.methods)), path=route.path, endpoint=endpoint)
    raise ValueError(f"{endpoint.__qualname__} is not a single-method route of this router")


class DirectRoutes:
    """ASGI middleware: the given routes are answered here, everything else goes on to the app."""

    def __init__(self, app: ASGIApp, routes: Iterable[DirectRoute]) -> None:
        self.app = app
        self._routes = {(route.method, route.path): route for route in routes}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self._routes.get((scope["method"], _route_path(scope))) if scope["type"] == "http" else None
        if route is None:
            await self.app(scope, receive, send)
            return
        span = trace.get_current_span()
        if span.is_recording():  # FastAPI's request span, when spans are exported
            span.update_name(f"{route.method} {route.path}")
            span.set_attribute("http.route", route.path)
        request = Request(scope, receive, send)
        try:
            response = await route.endpoint(request)
        except Exception as exc:
            handler = _handler_for(request.app.exception_handlers, exc)
            if handler is None:
                raise  # to the server-error handler, as from any other route
            response = await handler(request, exc)
        await response(scope, receive, send)


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _handler_for(handlers: dict[Any, Any], exc: Exception) -> Any:
    """The handler the app's ExceptionMiddleware would pick (unexpected errors are not its)."""
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        if cls in handlers:
            return handlers[cls]
    return None
