"""One local address for the browser: the built web app and the five services' APIs behind it.

The web app (``frontend/dist``) calls ``/v1/...`` on its own origin. This gateway serves the app,
falls back to ``index.html`` for the app's own paths (client-side routing), and passes every API
path on to the service that owns it, by prefix, streaming the body both ways: method, headers
(``Authorization`` included), body and status go through unchanged; ``X-Forwarded-For`` gains the
browser's address. In production a reverse proxy does the same (``deploy/gateway/Caddyfile``).

``make run`` starts it on http://127.0.0.1:8080 with the other local processes; the browser tests
start it on a free port. Run it alone, in front of services that already run on their default
ports, with ``python -m lotsen.devserver.gateway``.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from lotsen.devserver import devtiles
from lotsen.devserver.threaded import ThreadedServer, serve_in_thread

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIST = REPO_ROOT / "frontend" / "dist"
DEFAULT_PORT = 8080

# Path prefix → the service that owns it (DESIGN §4). Longest prefixes are not needed: none overlaps.
ROUTES: tuple[tuple[str, str], ...] = (
    ("/v1/contacts", "intake"),
    ("/v1/channels", "intake"),
    ("/v1/open311", "intake"),
    ("/open311", "intake"),
    ("/v1/rules", "routing"),
    ("/v1/directory", "routing"),
    ("/v1/cases", "casestore"),
    ("/v1/kb", "casestore"),
    ("/v1/public", "casestore"),
    ("/v1/privacy", "casestore"),
    ("/v1/auth", "casestore"),
    ("/v1/attachments", "casestore"),
    ("/v1/registry", "casestore"),
    ("/v1/staff", "casestore"),
    ("/v1/calls", "casestore"),
    ("/v1/subscriptions", "notify"),
    ("/v1/deliveries", "notify"),
    ("/v1/stats", "stats"),
)

# Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never passed on.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob: https://tile.openstreetmap.org; "
        "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'self'; form-action 'self'"
    ),
}


def service_for(path: str) -> str | None:
    for prefix, service in ROUTES:
        if path == prefix or path.startswith(prefix + "/"):
            return service
    return None


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": {}}}, status_code=status)


def _upstream_headers(request: Request) -> list[tuple[str, str]]:
    headers = [
        (name, value)
        for name, value in request.headers.items()
        if name not in HOP_BY_HOP and name not in ("host", "x-forwarded-for")
    ]
    client = request.client.host if request.client else None
    earlier = request.headers.get("x-forwarded-for")
    forwarded = ", ".join(a for a in (earlier, client) if a)
    if forwarded:
        headers.append(("x-forwarded-for", forwarded))
    headers.append(("x-forwarded-proto", request.url.scheme))
    if "host" in request.headers:
        headers.append(("x-forwarded-host", request.headers["host"]))
    return headers


async def _request_body(request: Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        if chunk:
            yield chunk


def _dev_tile(path: str) -> Response | None:
    """``/dev-tiles/{z}/{x}/{y}.png`` (lotsen/devserver/devtiles.py), or None for any other path."""
    parts = path.removeprefix("/dev-tiles/").removesuffix(".png").split("/")
    if not path.startswith("/dev-tiles/") or not path.endswith(".png") or len(parts) != 3:
        return None
    if not all(p.isdigit() and len(p) <= 7 for p in parts):
        return None
    png = devtiles.tile(*(int(p) for p in parts))
    if png is None:
        return None
    return Response(png, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})


def create_app(
    upstreams: Mapping[str, str], dist_dir: Path = DEFAULT_DIST, *, dev_tiles: bool = False
) -> Starlette:
    """The gateway as an ASGI app; ``upstreams`` maps a service name to its base URL. With
    ``dev_tiles`` it also serves map tiles of its own and tells the web app to use them."""

    async def proxy(request: Request, service: str) -> Response:
        client: httpx.AsyncClient = request.app.state.client
        base = upstreams.get(service)
        if base is None:
            return _error(502, "bad_gateway", f"no address is configured for {service}")
        has_body = request.method not in ("GET", "HEAD", "OPTIONS") or "content-length" in request.headers
        upstream_request = client.build_request(
            request.method,
            base.rstrip("/") + request.url.path,
            params=request.url.query or None,
            headers=_upstream_headers(request),
            content=_request_body(request) if has_body else None,
        )
        try:
            upstream = await client.send(upstream_request, stream=True)
        except httpx.HTTPError as exc:
            return _error(
                502, "bad_gateway", f"{service} does not answer ({type(exc).__name__}); try again shortly"
            )
        headers = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP}
        return StreamingResponse(
            upstream.aiter_raw(),
            status_code=upstream.status_code,
            headers=headers,
            background=BackgroundTask(upstream.aclose),
        )

    def app_file(path: str) -> Response:
        index = dist_dir / "index.html"
        if not index.is_file():
            return PlainTextResponse(
                "The web app is not built: run `make frontend` (cd frontend && npm ci && npm run build).",
                status_code=503,
            )
        candidate = (dist_dir / path.lstrip("/")).resolve()
        if path not in ("", "/") and candidate.is_file() and candidate.is_relative_to(dist_dir.resolve()):
            cache = "public, max-age=31536000, immutable" if "/assets/" in path else "no-cache"
            return FileResponse(candidate, headers={"Cache-Control": cache, **SECURITY_HEADERS})
        # Any other path is one of the app's own pages: the app decides what to show.
        return FileResponse(index, headers={"Cache-Control": "no-cache", **SECURITY_HEADERS})

    async def dispatch(request: Request) -> Response:
        path = request.url.path
        service = service_for(path)
        if service is not None:
            return await proxy(request, service)
        if path == "/healthz":
            return JSONResponse({"status": "ok"})
        if path.startswith("/v1/"):
            return _error(404, "not_found", f"no service answers {path}")
        if request.method not in ("GET", "HEAD"):
            return _error(405, "method_not_allowed", "the web app's pages are read with GET")
        if dev_tiles and path == "/map-settings.json":
            return JSONResponse(devtiles.SETTINGS, headers={"Cache-Control": "no-cache"})
        if dev_tiles and path.startswith("/dev-tiles/"):
            return _dev_tile(path) or _error(404, "not_found", f"{path} is not a tile")
        return app_file(path)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0)) as client:
            app.state.client = client
            yield

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return Starlette(
        routes=[Route("/{path:path}", dispatch, methods=methods)],
        lifespan=lifespan,
    )


class Gateway(ThreadedServer):
    """A running gateway (uvicorn in a thread of its own); ``stop()`` ends it."""


def start_gateway(
    ports: Mapping[str, int],
    dist_dir: Path = DEFAULT_DIST,
    port: int = DEFAULT_PORT,
    *,
    host: str = "127.0.0.1",
    timeout: float = 15.0,
    dev_tiles: bool = False,
) -> Gateway:
    """Serve ``dist_dir`` and proxy the APIs to the services on ``ports`` (``Stack.ports``); with
    ``dev_tiles`` the fault-report map shows tiles made here instead of OpenStreetMap's."""
    upstreams = {name: f"http://127.0.0.1:{p}" for name, p in ports.items()}
    app = create_app(upstreams, dist_dir, dev_tiles=dev_tiles)
    return serve_in_thread(Gateway, app, name="gateway", host=host, port=port, timeout=timeout, lifespan="on")


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the web app and the APIs at one address.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--dist", type=Path, default=DEFAULT_DIST)
    parser.add_argument(
        "--dev-tiles",
        action="store_true",
        help="map tiles made here instead of OpenStreetMap's (no internet)",
    )
    args = parser.parse_args()
    from lotsen.devserver.stack import DEFAULT_PORTS

    gateway = start_gateway(DEFAULT_PORTS, args.dist, args.port, dev_tiles=args.dev_tiles)
    print(f"Lotsen's web app and APIs: {gateway.url}  (Ctrl-C stops)", flush=True)
    try:
        gateway.thread.join()
    except KeyboardInterrupt:
        gateway.stop()


if __name__ == "__main__":
    main()
