"""The results casestore shows on a case (``outbound.delivered|failed``) are published beside the
sends: Kafka taking its time with them holds back no acknowledgement, and one it refuses for now
holds back no other result."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from lotsen.contracts import topics
from lotsen.contracts.envelope import Event
from lotsen.kafka.publisher import PublishFailed
from tests.notify_events import new_ref, outbound
from tests.notify_support import Notify, Outbox, clock, notify, notify_overrides, outbox

__all__ = ["clock", "notify", "notify_overrides", "outbox"]  # fixtures


class SlowKafka:
    """Kafka that acknowledges nothing until ``acknowledge`` is set."""

    def __init__(self, bus: Any) -> None:
        self.bus = bus
        self.acknowledge = asyncio.Event()
        self.waiting = 0

    async def publish(self, topic: str, event: Event[Any], *, key: str) -> None:
        self.waiting += 1
        await self.acknowledge.wait()
        await self.bus.publish(topic, event, key=key)


class RefusesOneCase:
    """Kafka that refuses the results of one case (say, its partition has no leader) until
    ``case_ref`` is cleared, and takes everything else."""

    def __init__(self, bus: Any, case_ref: str) -> None:
        self.bus = bus
        self.case_ref = case_ref

    async def publish(self, topic: str, event: Event[Any], *, key: str) -> None:
        if key == self.case_ref:
            raise PublishFailed("not acknowledged in time")
        await self.bus.publish(topic, event, key=key)


async def eventually(check: Callable[[], object], *, seconds: float = 10.0) -> None:
    async with asyncio.timeout(seconds):
        while not check():
            await asyncio.sleep(0.02)


def result_refs(notify: Notify) -> list[str]:
    return [event.data.case_ref for event in notify.bus.published(topics.OUTBOUND_RESULTS)]


async def test_acknowledgements_go_out_while_kafka_is_slow_to_take_their_results(
    notify: Notify, outbox: Outbox
) -> None:
    kafka = SlowKafka(notify.bus)
    notify.dispatcher._publisher = kafka
    stop = asyncio.Event()
    dispatching = asyncio.create_task(notify.dispatcher.run(stop))
    first, second = new_ref(), new_ref()

    await notify.publish(outbound(first, kind="acknowledgement"))
    await eventually(lambda: kafka.waiting == 1)  # the first one's result waits for Kafka
    await notify.publish(outbound(second, kind="acknowledgement"))
    await eventually(lambda: outbox.messages(second))
    assert outbox.messages(first)
    assert result_refs(notify) == []

    kafka.acknowledge.set()
    await eventually(lambda: sorted(result_refs(notify)) == sorted([first, second]))
    stop.set()
    await dispatching


async def test_a_result_kafka_refuses_for_now_holds_back_no_other(notify: Notify, outbox: Outbox) -> None:
    first, second = new_ref(), new_ref()
    kafka = RefusesOneCase(notify.bus, first)
    notify.dispatcher._publisher = kafka
    await notify.publish(outbound(first, kind="acknowledgement"))
    await notify.publish(outbound(second, kind="acknowledgement"))  # recorded after the refused one
    await notify.dispatch()
    assert outbox.messages(first) and outbox.messages(second)
    assert result_refs(notify) == [second]
    [waiting] = await notify.deliveries(case_ref=first)
    assert waiting["status"] == "delivered"

    kafka.case_ref = ""
    await notify.dispatch()
    assert result_refs(notify) == [second, first], "the refused one later, the other not twice"
