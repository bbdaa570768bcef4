"""Traces: recorded only where they can go somewhere, ids always there for logs and Kafka headers."""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.trace import SpanKind, TraceFlags, set_span_in_context
from opentelemetry.trace.span import NonRecordingSpan, SpanContext

from lotsen.settings import ServiceSettings
from lotsen.telemetry import setup_tracing, tracer_provider
from tests.helpers import running


def test_without_an_exporter_spans_have_ids_but_record_nothing() -> None:
    provider = tracer_provider(ServiceSettings(env="dev"))
    span = provider.get_tracer("test").start_span("POST /v1/contacts/webform", kind=SpanKind.SERVER)
    context = span.get_span_context()
    assert context.is_valid  # the trace id for the log lines and the traceparent header
    assert not span.is_recording()
    assert not context.trace_flags.sampled


def test_a_caller_that_samples_its_trace_is_followed() -> None:
    provider = tracer_provider(ServiceSettings(env="dev"))
    parent = SpanContext(
        trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736,
        span_id=0x00F067AA0BA902B7,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    span = provider.get_tracer("test").start_span(
        "handle", context=set_span_in_context(NonRecordingSpan(parent))
    )
    assert span.is_recording()
    assert span.get_span_context().trace_id == parent.trace_id


def test_with_an_exporter_every_trace_is_recorded() -> None:
    provider = tracer_provider(
        ServiceSettings(env="dev", otel_exporter_otlp_endpoint="http://127.0.0.1:4318")
    )
    try:
        span = provider.get_tracer("test").start_span("POST /v1/contacts/webform")
        assert span.is_recording()
    finally:
        provider.shutdown()


async def test_without_an_exporter_a_request_continues_the_callers_trace_or_starts_one() -> None:
    app = FastAPI()

    @app.get("/trace")
    async def current() -> dict[str, str]:
        context = trace.get_current_span().get_span_context()
        return {
            "trace_id": format(context.trace_id, "032x"),
            "span_id": format(context.span_id, "016x"),
            "valid": str(context.is_valid),
        }

    setup_tracing(ServiceSettings(env="dev"), app)
    caller = "4bf92f3577b34da6a3ce929d0e0e4736"
    async with running(app) as client:
        continued = (
            await client.get("/trace", headers={"traceparent": f"00-{caller}-00f067aa0ba902b7-00"})
        ).json()
        first, second = [(await client.get("/trace")).json() for _ in range(2)]
    assert continued["trace_id"] == caller and continued["valid"] == "True"
    assert continued["span_id"] != "00f067aa0ba902b7"  # the request's own span, child of the caller's
    assert first["valid"] == second["valid"] == "True"
    assert first["trace_id"] != second["trace_id"]
