"""The timeline's verification reports any broken entry as stored, including what MongoDB leaves behind."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.casestore import timeline
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

REF = "KGA-2026-000001"
_AT = datetime(2026, 3, 2, 8, 41, tzinfo=UTC)


async def _case_with_timeline(client: httpx.AsyncClient, handle: Any) -> dict[str, str]:
    await handle(routed("mail-1", channel="email", sender={"name": "Åsa", "email": "asa@example.se"}))
    agent = await login(client, "agent")
    await client.post(f"/v1/cases/{REF}/assign", json={"assignee": "agent"}, headers=agent)
    return agent


async def test_a_null_left_by_unset_is_reported_not_a_server_error(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    agent = await _case_with_timeline(client, handle)
    cases = app.state.runtime.db["cases"]
    entries = len((await cases.find_one({"_id": REF}))["timeline"])
    # What MongoDB does for {"$unset": {"timeline.1": 1}}: the element stays, as null.
    await cases.update_one({"_id": REF}, {"$set": {"timeline.1": None}})

    response = await client.get(f"/v1/cases/{REF}/timeline/verify", headers=agent)

    assert response.status_code == 200
    assert response.json() == {"ok": False, "entries": entries, "first_broken": 2}


@pytest.mark.parametrize(
    "broken",
    [
        "a string where an entry was",
        ["a", "list"],
        {"seq": 1},
        {"seq": 1, "at": "x", "actor": "a", "type": "t", "data": {}, "prev_hash": timeline.GENESIS},
        {"seq": 1, "at": "x", "actor": "a", "type": "t", "data": {}, "prev_hash": None, "hash": 7},
    ],
    ids=["string", "list", "missing fields", "no hash", "wrong types"],
)
def test_any_entry_that_is_not_a_whole_entry_breaks_the_chain_where_it_stands(broken: Any) -> None:
    first = timeline.new_entry(None, at=_AT, actor="lotsen", type="created", data={})
    result = timeline.verify([broken, first])
    assert (result.ok, result.first_broken) == (False, 1)
    second = timeline.new_entry(first, at=_AT, actor="agent", type="assigned", data={"assignee": "agent"})
    third = timeline.new_entry(second, at=_AT, actor="agent", type="note", data={})
    assert timeline.verify([first, second, third]).ok
    result = timeline.verify([first, broken, third])
    assert (result.ok, result.entries, result.first_broken) == (False, 3, 2)


async def test_the_timeline_shows_the_readable_entries_when_one_was_unset(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    agent = await _case_with_timeline(client, handle)
    cases = app.state.runtime.db["cases"]
    stored = (await cases.find_one({"_id": REF}))["timeline"]
    await cases.update_one({"_id": REF}, {"$set": {"timeline.1": None}})

    response = await client.get(f"/v1/cases/{REF}/timeline", headers=agent)

    assert response.status_code == 200
    shown = [entry["seq"] for entry in response.json()]
    assert shown == [entry["seq"] for i, entry in enumerate(stored) if i != 1]
