"""Periods a figure can be asked for: any real date; a date outside the calendar is a 422, never a 500."""

from __future__ import annotations

import pytest

from lotsen.kafka.memory import InMemoryBus
from tests.stats_support import stats_app


@pytest.mark.parametrize("endpoint", ["email-response", "answer-rate", "resolution", "volumes", "backlog"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
async def test_a_date_at_the_edge_of_the_calendar_is_refused_with_what_is_allowed(
    endpoint: str, day: str, bus: InMemoryBus, dev_env: None
) -> None:
    async with stats_app(bus) as app:
        response = await app.state.client.get(f"/v1/stats/{endpoint}", params={"from": day, "to": day})
    assert response.status_code == 422, response.text
    assert "1900-01-01" in response.text or "9998-12-31" in response.text


async def test_a_long_period_within_the_calendar_answers(bus: InMemoryBus, dev_env: None) -> None:
    async with stats_app(bus) as app:
        response = await app.state.client.get(
            "/v1/stats/email-response", params={"from": "1900-01-01", "to": "9998-12-31"}
        )
    assert response.status_code == 200, response.text
