"""outbound.results on the case: a delivery lands on its message and timeline once; a result for a
case that does not exist is poison (the consumer dead-letters it), not an endless retry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI

from lotsen.contracts.envelope import InvalidEvent
from lotsen.contracts.outbound import OutboundDelivered, OutboundResultData
from services.casestore import outcomes
from tests.casestore_support import app, client, handle, routed

__all__ = ["app", "client", "handle"]  # fixtures


def delivered(case_ref: str, outbound_id: str) -> OutboundDelivered:
    data = OutboundResultData(
        case_ref=case_ref, outbound_id=outbound_id, channel="email", at=datetime.now(UTC)
    )
    return OutboundDelivered(producer="notify", organization="karlskoga", data=data)


async def test_a_delivery_lands_on_its_message_once(app: FastAPI, handle: object) -> None:
    await handle(routed("m-1", subject="Snöröjning"))  # type: ignore[operator]
    [case] = [c async for c in app.state.cases.repo._cases.find({})]
    acknowledgement = next(m for m in case["messages"] if m["direction"] == "outbound")
    on_result = outcomes.make_handler(cases=app.state.cases)
    result = delivered(case["_id"], acknowledgement["key"])

    await on_result(result)
    await on_result(result)  # redelivered

    stored = await app.state.cases.get(case["_id"])
    message = next(m for m in stored["messages"] if m["key"] == acknowledgement["key"])
    assert message["delivery"]["status"] == "delivered"
    assert [e["type"] for e in stored["timeline"]].count("outbound_delivered") == 1


async def test_a_result_for_a_case_that_does_not_exist_is_poison(app: FastAPI) -> None:
    on_result = outcomes.make_handler(cases=app.state.cases)
    with pytest.raises(InvalidEvent, match="unknown case KGA-2026-999999"):
        await on_result(delivered("KGA-2026-999999", "nothing"))
