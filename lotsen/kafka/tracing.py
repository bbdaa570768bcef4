"""Trace context in Kafka headers (``traceparent``, ``tracestate``)."""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry import propagate
from opentelemetry.context import Context

Headers = list[tuple[str, bytes]]


def inject_trace_headers(headers: Headers | None = None) -> Headers:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    out = list(headers or [])
    out.extend((k, v.encode("ascii")) for k, v in carrier.items())
    return out


def extract_trace_context(headers: Sequence[tuple[str, bytes | None]]) -> Context:
    # When a header repeats (our publisher and the aiokafka instrumentation both inject), the last,
    # most specific one wins.
    carrier = {k: v.decode("latin-1") for k, v in headers if v is not None}
    return propagate.extract(carrier)
