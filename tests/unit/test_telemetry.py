"""Traces: recorded only where they can go somewhere, ids always there for logs and Kafka headers."""

from __future__ import annotations

from opentelemetry.trace import SpanKind, TraceFlags, set_span_in_context
from opentelemetry.trace.span import NonRecordingSpan, SpanContext

from lotsen.settings import ServiceSettings
from lotsen.telemetry import tracer_provider


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
