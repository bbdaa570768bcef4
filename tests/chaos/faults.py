"""SIGKILL at random moments: each service in turn, and the broker, then started again.

A kill is what an orchestrator sees when a node dies or the kernel's OOM killer strikes: no
shutdown handler runs, nothing is flushed. The target is started again after a short random pause
(as an orchestrator would), and the next kill waits until the stack is ready again.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sys
import time
from dataclasses import dataclass, field

from lotsen.devserver.stack import SERVICES, Stack
from tests.chaos.stores import DurableBroker

BROKER = "broker"
# A restarted member waits for its dead predecessor's Kafka session to expire before it joins.
READY_TIMEOUT = 300.0


@dataclass
class Kill:
    target: str
    at: float  # seconds since the campaign began
    down_for: float


@dataclass
class Faults:
    stack: Stack
    broker: DurableBroker | None
    rounds: int
    gap: tuple[float, float]
    rng: random.Random
    wave: bool = False  # all targets at once instead of one at a time
    kills: list[Kill] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    unplanned: list[str] = field(default_factory=list)  # services that exited without being killed
    _orchestrating: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def targets(self) -> list[str]:
        return [*SERVICES, *([BROKER] if self.broker is not None else [])]

    async def run(self, began: float) -> None:
        """``rounds`` kills of every target: one at a time in a random order, or all at once (a wave)."""
        try:
            for _ in range(self.rounds):
                order = self.targets
                self.rng.shuffle(order)
                groups = [order] if self.wave else [[target] for target in order]
                for group in groups:
                    await asyncio.sleep(self.rng.uniform(*self.gap))
                    await self.strike(group, began)
        finally:
            self.done.set()

    async def strike(self, group: list[str], began: float) -> None:
        async with self._orchestrating:  # no other restart while these are down
            started = time.monotonic()
            for target in group:
                await self.kill(target)
            await asyncio.sleep(self.rng.uniform(0.2, 2.0))
            if BROKER in group:
                assert self.broker is not None
                await self.broker.restart()
            for name in (t for t in group if t != BROKER):
                await self.stack._spawn(self.stack.services[name])  # all first: the others are dead now
            await self.ready_again()
        down_for = time.monotonic() - started
        self.kills += [Kill(target, started - began, down_for) for target in group]
        print(
            f"chaos | SIGKILL {', '.join(group)} at {started - began:.0f} s, "
            f"ready again after {down_for:.1f} s",
            file=sys.stderr,
            flush=True,
        )

    async def ready_again(self) -> None:
        """Wait until every service answers ``/readyz``, starting again any that exits meanwhile."""
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            await self._restart_exited()
            try:
                await self.stack.wait_ready(timeout=min(5.0, max(0.1, deadline - time.monotonic())))
                return
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise

    async def orchestrate(self) -> None:
        """As an orchestrator does: a service that exits on its own is started again (and counted).
        Runs until cancelled."""
        while True:
            async with self._orchestrating:
                await self._restart_exited()
            await asyncio.sleep(0.5)

    async def _restart_exited(self) -> None:
        for svc in self.stack.services.values():
            if svc.process is not None and svc.process.returncode is not None:
                self.unplanned.append(f"{svc.name} exited with {svc.process.returncode}")
                print(
                    f"chaos | {self.unplanned[-1]} on its own; starting it again", file=sys.stderr, flush=True
                )
                await self.stack._spawn(svc)

    async def kill(self, target: str) -> None:
        if target == BROKER:
            assert self.broker is not None
            await self.broker.kill()
            return
        process = self.stack.services[target].process
        assert process is not None
        process.send_signal(signal.SIGKILL)
        await process.wait()
