"""Brokers wake nodes up; they never hold the truth.

The in-process broker hands envelopes straight to this node's hub. A multi-node broker (Redis)
carries the same envelopes between nodes; a node that misses one notices the gap in sequence
numbers and re-reads from the database, so a lost notification delays but never loses an event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from helpline.core.events import Envelope

Deliver = Callable[[Envelope], Awaitable[None] | None]


class Broker(Protocol):
    async def start(self, deliver: Deliver) -> None: ...

    async def publish(self, envelopes: Iterable[Envelope]) -> None: ...

    async def close(self) -> None: ...


class InProcessBroker:
    def __init__(self) -> None:
        self._deliver: Deliver | None = None

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver

    async def publish(self, envelopes: Iterable[Envelope]) -> None:
        if self._deliver is None:
            return
        for envelope in envelopes:
            result = self._deliver(envelope)
            if result is not None:
                await result

    async def close(self) -> None:
        self._deliver = None
