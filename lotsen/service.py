"""What every service shares at run time: the app factory, the lifespan and the health endpoints.

A service's ``app.py`` calls :func:`build_app` with its settings, routers and a ``startup``
function that creates its repository and consumers on the :class:`Runtime`. Tests pass an
in-memory bus as ``publisher`` and leave consumers off.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo.asynchronous.database import AsyncDatabase

from lotsen import mongo
from lotsen.body_limit import limit_request_bodies
from lotsen.direct_routes import DirectRoute, DirectRoutes
from lotsen.directory import Directory, directory_from
from lotsen.errors import install_error_handlers
from lotsen.kafka.batches import BatchConsumerRunner, BatchHandler
from lotsen.kafka.consumer import ConsumerRunner
from lotsen.kafka.processing import Handler
from lotsen.kafka.publisher import KafkaPublisher, Publisher
from lotsen.leases import Lease, RunOnce, Work, replica_id
from lotsen.settings import ServiceSettings, TrialInfrastructureOutsideDevMode
from lotsen.telemetry import fastapi_telemetry, setup_logging, setup_tracing

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """The clients a running service holds; created in the lifespan, kept on ``app.state.runtime``."""

    settings: ServiceSettings
    db: AsyncDatabase[dict[str, Any]]
    publisher: Publisher
    directory: Directory
    run_consumers: bool = True
    consumers: list[ConsumerRunner | BatchConsumerRunner] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    _stops: list[asyncio.Event] = field(default_factory=list)
    replica: str = field(default_factory=replica_id)

    async def consume(
        self,
        group: str,
        topics: Sequence[str],
        handler: Handler,
        *,
        event_types: Collection[str] | None = None,
    ) -> None:
        """Run ``handler`` over ``topics`` as consumer group ``lotsen-<group>`` (if consumers are on);
        with ``event_types``, only events of those types (the others are passed over unrecorded)."""
        if not self.run_consumers:
            return
        group_id = f"lotsen-{group}"
        dedupe = mongo.MongoDeduplicator(
            self.db, group_id, ttl_seconds=round(self.settings.processed_events_ttl_days * 86400)
        )
        await dedupe.ensure_indexes()
        runner = ConsumerRunner(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=group_id,
            topics=list(topics),
            handler=handler,
            dead_letters=self.publisher,
            dedupe=dedupe,
            event_types=event_types,
            **self._retry_settings(),
        )
        await self._run(runner)

    async def consume_batches(
        self, group: str, topics: Sequence[str], handler: BatchHandler, *, max_records: int = 500
    ) -> None:
        """Like :meth:`consume`, one ``handler`` call per poll; the handler itself must be idempotent
        (there is no event-id store: a crash hands it the uncommitted poll again)."""
        if not self.run_consumers:
            return
        group_id = f"lotsen-{group}"
        runner = BatchConsumerRunner(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=group_id,
            topics=list(topics),
            handler=handler,
            dead_letters=self.publisher,
            max_records=max_records,
            **self._retry_settings(),
        )
        await self._run(runner)

    def _retry_settings(self) -> dict[str, Any]:
        return {
            "fetch_max_wait_ms": self.settings.kafka_fetch_max_wait_ms,
            "commit_interval_ms": self.settings.kafka_commit_interval_ms,
            "max_attempts": self.settings.consumer_max_attempts,
            "retry_initial_seconds": self.settings.consumer_retry_initial_seconds,
            "retry_max_seconds": self.settings.consumer_retry_max_seconds,
        }

    async def _run(self, runner: ConsumerRunner | BatchConsumerRunner) -> None:
        await runner.start()
        task = asyncio.create_task(runner.run(), name=runner.group_id)
        task.add_done_callback(self._on_consumer_done)
        self.consumers.append(runner)
        self.tasks.append(task)

    def background(self, work: Coroutine[Any, Any, None], stop: asyncio.Event) -> None:
        """Run a periodic job (scheduler, relay) until shutdown sets ``stop``; it fails like a consumer."""
        if stop not in self._stops:
            self._stops.append(stop)
        task = asyncio.create_task(work, name=getattr(work, "__qualname__", "background"))
        task.add_done_callback(self._on_consumer_done)
        self.tasks.append(task)

    def background_once(self, job: str, work: Work, stop: asyncio.Event) -> None:
        """Like :meth:`background`, on one replica at a time: ``work`` runs only while this replica
        holds the lease ``job`` (:mod:`lotsen.leases`), and is cancelled when it loses it."""
        lease = Lease(
            self.db, job, holder=self.replica, ttl=timedelta(seconds=self.settings.lease_ttl_seconds)
        )
        runner = RunOnce(lease, work, renew_every=self.settings.lease_renew_seconds)
        self.background(runner.run(stop), stop)

    def _on_consumer_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        self.failed.append(task.get_name())
        log.critical("consumer %s stopped on an unexpected error", task.get_name(), exc_info=task.exception())
        if self.settings.exit_on_consumer_failure:
            # Let the process manager restart the service from the last committed offset.
            signal.raise_signal(signal.SIGTERM)

    async def stop_consumers(self) -> None:
        for stop in self._stops:
            stop.set()
        for runner in self.consumers:
            await runner.stop()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=10)


Startup = Callable[[FastAPI, Runtime], Awaitable[None]]


def build_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    startup: Startup | None = None,
    shutdown: Startup | None = None,
    database: str,
    publisher: Publisher | None = None,
    run_consumers: bool = True,
    db: AsyncDatabase[dict[str, Any]] | None = None,
    direct_routes: Sequence[DirectRoute] = (),
) -> FastAPI:
    """``db``: a database the caller owns and keeps open, instead of ``database`` on ``MONGODB_URL``
    (a test that stops and restarts a service against the same data, even on the in-memory stand-in).
    ``direct_routes``: routes of ``routers`` answered without FastAPI's routing
    (:mod:`lotsen.direct_routes`)."""
    setup_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client: Any = None
        service_db = db
        if service_db is None:
            client = mongo.connect(settings.mongodb_url)
            service_db = client[database]
        kafka: KafkaPublisher | None = None
        if publisher is None:
            kafka = KafkaPublisher(
                settings.kafka_bootstrap_servers,
                client_id=f"lotsen-{settings.service_name}",
                enable_idempotence=settings.kafka_enable_idempotence,
                timeout_seconds=settings.kafka_publish_timeout_seconds,
            )
            await kafka.start()
        runtime = Runtime(
            settings=settings,
            db=service_db,
            publisher=publisher or kafka,  # type: ignore[arg-type]
            directory=directory_from(settings.directory_file),
            run_consumers=run_consumers,
        )
        app.state.runtime = runtime
        try:
            if startup is not None:
                await startup(app, runtime)
            # What start-up built (directory, models, routes) lives as long as the process: out of
            # the collector's sight, so collections under load only walk what requests create.
            gc.collect()
            gc.freeze()
            log.info("%s ready on port %d", settings.service_name, settings.port)
            yield
        finally:
            await runtime.stop_consumers()
            if shutdown is not None:
                await shutdown(app, runtime)
            if kafka is not None:
                await kafka.stop()
            if client is not None:
                await mongo.close(client)

    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        telemetry=fastapi_telemetry(settings),
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(_health_router())
    for router in routers:
        app.include_router(router)
    if direct_routes:  # inside the trace-context middleware that setup_tracing adds
        app.add_middleware(DirectRoutes, routes=direct_routes)
    limit_request_bodies(app, settings.max_request_bytes)
    setup_tracing(settings, app)
    return app


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Kafka and MongoDB are reachable and every consumer runs")
    async def readyz(request: Request) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        ping = getattr(runtime.publisher, "ping", None)
        checks = {
            "kafka": bool(await ping()) if ping is not None else True,
            "mongodb": await mongo.ping(runtime.db),
            "consumers": not runtime.failed,
        }
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": checks}, 200 if ready else 503
        )

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def serve(create_app: Callable[..., FastAPI], settings: ServiceSettings) -> None:
    """Run one service with uvicorn on its settings' host and port (``python -m services.<name>``)."""
    import uvicorn

    try:
        settings.refuse_trial_infrastructure()
    except TrialInfrastructureOutsideDevMode as exc:
        raise SystemExit(f"{settings.service_name} does not start: {exc}") from None
    if settings.mongodb_url.startswith("mongomock://"):
        from lotsen.standin.collector import freeze_survivors_of_full_collections

        freeze_survivors_of_full_collections()  # a service process only: a test run keeps its cycles
    app = create_app(settings)
    # No proxy_headers: uvicorn would believe X-Forwarded-For from 127.0.0.1 on its own; which
    # proxies are believed is each service's TRUSTED_PROXIES setting alone (docs/deploy.md).
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_config=None, access_log=False, proxy_headers=False
    )
