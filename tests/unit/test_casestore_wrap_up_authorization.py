""" "Klar med efterarbete" (``POST /v1/calls/{call_id}/wrap-up``) × every kind of caller × organisation
(staff/wrap_ups.py).

- role: agents and supervisors answer calls and mark them done; handlers and administrators do not
  (403); no token answers 401;
- organisation: a call of an organisation the caller does not work for answers 404, and nothing is
  published; without ``organization`` in the body the caller's only organisation is meant, and a
  caller of several (or, listing none, of all) is told to name it (422);
- what is published names the caller as the agent, and the organisation the call counts under.
"""

from __future__ import annotations

import httpx
import pytest

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from tests.authorization import CALLERS, EVERY_ORGANIZATION, Caller, headers_of, serves, subject_of
from tests.casestore_support import app, client

__all__ = ["app", "client"]

NAMED = ("karlskoga", "degerfors", None)  # None: the body names no organisation


def expected(caller: Caller, organization: str | None) -> int:
    if caller.role is None:
        return 401
    if caller.role not in ("agent", "supervisor"):
        return 403
    if organization is None:
        served = caller.organizations or EVERY_ORGANIZATION
        return 201 if len(served) == 1 and caller.organizations else 422
    return 201 if serves(caller, organization) else 404


@pytest.mark.parametrize("name", CALLERS)
async def test_matrix(client: httpx.AsyncClient, bus: InMemoryBus, name: str) -> None:
    caller = CALLERS[name]
    h = await headers_of(client, name, caller)
    observed, wanted, published = {}, {}, []
    for number, organization in enumerate(NAMED):
        body = {"wrap_up_seconds": 42, **({"organization": organization} if organization else {})}
        response = await client.post(f"/v1/calls/c-{number}/wrap-up", json=body, headers=h)
        observed[organization] = response.status_code
        wanted[organization] = expected(caller, organization)
        if wanted[organization] == 201:
            published.append((f"c-{number}", organization or caller.organizations[0]))
    assert observed == wanted
    events = bus.published(topics.CALLS_EVENTS)
    assert [(e.data.call_id, e.organization) for e in events] == published
    assert all(e.data.agent == subject_of(name, caller) and e.data.source == "agent" for e in events)
