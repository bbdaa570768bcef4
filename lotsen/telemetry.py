"""OpenTelemetry and logging: trace context through HTTP and Kafka, JSON logs with trace ids.

A tracer provider is always installed so every log line can carry the current trace id and the trace
context travels through Kafka. With ``OTEL_EXPORTER_OTLP_ENDPOINT`` set, HTTP requests, Kafka records
and MongoDB calls get spans (FastAPI's own telemetry, :func:`fastapi_telemetry`, and the aiokafka and PyMongo
instrumentations) and spans are exported. Without it nothing is recorded: each request only gets the
caller's trace context or a new one (:class:`TraceContextMiddleware`), since recorded spans that went
nowhere cost intake half of a web form's CPU time.
"""

from __future__ import annotations

import logging
import sys

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased, Sampler
from opentelemetry.trace import NonRecordingSpan, SpanContext
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Receive, Scope, Send

from lotsen.settings import ServiceSettings

_instrumented_libraries = False


class TraceContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        ctx = trace.get_current_span().get_span_context()
        record.trace_id = format(ctx.trace_id, "032x") if ctx.is_valid else None
        record.span_id = format(ctx.span_id, "016x") if ctx.is_valid else None
        return True


def setup_logging(settings: ServiceSettings) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(TraceContextFilter())
    if settings.log_json:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(trace_id)s %(span_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                static_fields={"service": settings.service_name},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for noisy in ("aiokafka", "kafka"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def tracer_provider(settings: ServiceSettings) -> TracerProvider:
    # Without an exporter, spans keep their ids (for logs and propagation) but record nothing;
    # with one, the SDK's sampler settings (OTEL_TRACES_SAMPLER, default: every trace) apply.
    sampler: Sampler | None = None if settings.otel_exporter_otlp_endpoint else ParentBased(ALWAYS_OFF)
    provider = TracerProvider(
        resource=Resource.create({"service.name": f"lotsen-{settings.service_name}"}), sampler=sampler
    )
    if settings.otel_exporter_otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


# Health checks and scrapes are not requests anyone traces.
_UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def fastapi_telemetry(settings: ServiceSettings) -> TelemetryConfig:
    """FastAPI's own OpenTelemetry support: an HTTP server span per request when spans are exported.

    Metrics are Prometheus' (``/metrics``), and the spans FastAPI can add for dependency resolution,
    the endpoint and serialisation (four more per request) tell an operator nothing they need.
    """
    exported = bool(settings.otel_exporter_otlp_endpoint)
    return {
        "tracing": exported,
        "metrics": False,
        "logs": False,
        "operation_spans": False,
        "exclude": lambda scope: scope.get("path") in _UNTRACED_PATHS,
    }


def setup_tracing(settings: ServiceSettings, app: FastAPI) -> None:
    """The tracer provider, and trace context for every request (FastAPI's span, or only the context)."""
    global _instrumented_libraries
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(tracer_provider(settings))
    if not settings.otel_exporter_otlp_endpoint:
        # Nothing would be exported: only carry the trace context, for log lines and Kafka headers
        # (the publisher injects it, the consumer runner continues it).
        app.add_middleware(TraceContextMiddleware)
        return
    if not _instrumented_libraries:
        from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
        from opentelemetry.instrumentation.pymongo import PymongoInstrumentor

        AIOKafkaInstrumentor().instrument()
        PymongoInstrumentor().instrument()
        _instrumented_libraries = True


_TRACE_HEADERS = (b"traceparent", b"tracestate")
_ids = RandomIdGenerator()


class TraceContextMiddleware:
    """Each HTTP request runs in the caller's trace (``traceparent``) or a new one, under a span of
    its own that records nothing: its ids reach the log lines and, through the publisher, the Kafka
    headers of what the request publishes. The span is made here rather than by the tracer, whose
    sampling would come to the same non-recording span at several times the cost per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in _TRACE_HEADERS
        }
        caller = trace.get_current_span(propagate.extract(carrier)).get_span_context() if carrier else None
        if caller is not None and caller.is_valid:
            span = SpanContext(caller.trace_id, _ids.generate_span_id(), False, caller.trace_flags)
        else:
            span = SpanContext(_ids.generate_trace_id(), _ids.generate_span_id(), False)
        token = otel_context.attach(trace.set_span_in_context(NonRecordingSpan(span)))
        try:
            await self.app(scope, receive, send)
        finally:
            otel_context.detach(token)
