"""Kafka topic names (DESIGN §3). Services use these constants, never string literals."""

CONTACTS_RECEIVED = "contacts.received"
CONTACTS_ROUTED = "contacts.routed"
CASES_EVENTS = "cases.events"
CALLS_EVENTS = "calls.events"
OUTBOUND_REQUESTS = "outbound.requests"
OUTBOUND_RESULTS = "outbound.results"
NOTICES_EVENTS = "notices.events"
REPORTS_EVENTS = "reports.events"

SOURCE_TOPICS = (
    CONTACTS_RECEIVED,
    CONTACTS_ROUTED,
    CASES_EVENTS,
    CALLS_EVENTS,
    OUTBOUND_REQUESTS,
    OUTBOUND_RESULTS,
    NOTICES_EVENTS,
    REPORTS_EVENTS,
)


def dlq(topic: str) -> str:
    """The dead-letter topic of ``topic``: where records that can never be handled go."""
    return f"{topic}.dlq"


ALL_TOPICS = SOURCE_TOPICS + tuple(dlq(t) for t in SOURCE_TOPICS)
