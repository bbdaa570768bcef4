"""The short faults campaign: contacts on every channel while all five services are SIGKILLed at
once and started again; nothing acknowledged is lost, nothing becomes two cases, no citizen gets two
acknowledgements, and stats' figures equal a recount of the cases.

The broker is not killed here: Tansu on s3rver is several times slower than in memory, and its
restart is covered by ``test_durable_broker`` and ``make chaos`` (docs/reliability.md, "Faults").
"""

from __future__ import annotations

import pytest

from lotsen.devserver.stack import SERVICES
from tests.chaos.campaign import Plan, run
from tests.chaos.report import summary
from tests.chaos.stores import MissingTool

pytestmark = pytest.mark.integration

SHORT = Plan(contacts=60, rounds=1, kill_broker=False, wave=True, gap=(4.0, 8.0))


async def test_a_kill_of_every_service_under_load_loses_and_doubles_nothing() -> None:
    try:
        outcome = await run(SHORT)
    except MissingTool as missing:
        pytest.skip(str(missing))
    findings = outcome.findings
    report = summary(outcome) + "\n" + "\n".join(outcome.log_tail[-60:])
    assert {k.target for k in outcome.kills} == set(SERVICES)
    assert findings.acknowledged >= SHORT.contacts, report
    assert findings.lost == [], report
    assert findings.on_two_cases == [], report
    assert findings.duplicate_errands == [], report
    assert findings.acknowledged_twice == [], report
    assert findings.without_acknowledgement == [], report
    assert findings.volumes_stats == findings.volumes_recount, report
    assert findings.calls_stats == findings.calls_recount, report
