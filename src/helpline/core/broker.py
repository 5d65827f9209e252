"""Brokers wake nodes up; they never hold the truth.

The in-process broker hands envelopes straight to this node's hub. The Redis broker does the
same for this node and also publishes every envelope on one Redis channel
(``HELPLINE_REDIS_CHANNEL``, one per deployment), which every other node listens to. Redis
pub/sub delivers at most once, so a node can miss envelopes (Redis restarted, a connection
dropped, a node died between its commit and its publish). That delays but never loses an event:
a hub that sees a gap in sequence numbers re-reads from the database, and after any reconnect to
Redis (and every ``resync_s`` seconds as a safety net) the broker asks the hub to compare each
subscribed stream with the database and catch up.

Exceptions: :meth:`Broker.publish` never raises for a broker outage (the events are committed;
the acknowledgement must go out). Ephemeral frames (typing, queue positions) published while
Redis is unreachable are lost, by design: the next one replaces them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from helpline.core.events import Envelope

log = logging.getLogger("helpline.broker")
Deliver = Callable[[Envelope], None]
Resync = Callable[[bool], Awaitable[object]]
PUBLISH_BACKLOG = 10_000


class Broker(Protocol):
    async def start(self, deliver: Deliver, resync: Resync) -> None:
        """Begin delivering to ``deliver``; call ``resync(recheck_access)`` whenever envelopes
        may have been missed."""

    async def publish(self, envelopes: Iterable[Envelope]) -> None: ...

    def status(self) -> str:
        """ "ok", or a word saying why other nodes may not hear this one right now."""

    async def close(self) -> None: ...


class InProcessBroker:
    """One node: envelopes go straight to this process's hub."""

    def __init__(self) -> None:
        self._deliver: Deliver | None = None

    async def start(self, deliver: Deliver, resync: Resync) -> None:
        self._deliver = deliver

    async def publish(self, envelopes: Iterable[Envelope]) -> None:
        if self._deliver is None:
            return
        for envelope in envelopes:
            self._deliver(envelope)

    def status(self) -> str:
        return "ok"

    async def close(self) -> None:
        self._deliver = None


def encode(node: str, envelopes: list[Envelope]) -> bytes:
    body = json.dumps([e.to_wire() for e in envelopes], separators=(",", ":"))
    return f"{node}\n{body}".encode()


def decode(message: bytes) -> tuple[str, list[Envelope]]:
    node, _, body = message.partition(b"\n")
    return node.decode(), [Envelope.from_wire(item) for item in json.loads(body)]


class RedisBroker:
    """Several nodes: local delivery at once, plus Redis pub/sub to and from the other nodes.

    Publishing is asynchronous: envelopes are batched by a publisher task, so an action never
    waits on Redis. While Redis is unreachable the batch is kept (up to ``PUBLISH_BACKLOG``
    envelopes) and sent on reconnect; every node also resyncs from the database then.
    """

    def __init__(
        self, url: str, *, node: str, channel: str = "helpline:events", resync_s: float = 5.0
    ) -> None:
        self.url = url
        self.channel = channel
        self.node = node
        self.resync_s = resync_s
        self._deliver: Deliver | None = None
        self._resync: Resync | None = None
        self._pending: list[Envelope] = []
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._listening = False
        self._client: Redis | None = None

    async def start(self, deliver: Deliver, resync: Resync) -> None:
        self._deliver, self._resync = deliver, resync
        self._client = Redis.from_url(
            self.url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=10
        )
        self._tasks = [
            asyncio.create_task(self._listen(), name="helpline-broker-listen"),
            asyncio.create_task(self._publisher(), name="helpline-broker-publish"),
            asyncio.create_task(self._safety_net(), name="helpline-broker-resync"),
        ]

    async def publish(self, envelopes: Iterable[Envelope]) -> None:
        batch = list(envelopes)
        if self._deliver is not None:
            for envelope in batch:
                self._deliver(envelope)
        self._pending.extend(batch)
        if len(self._pending) > PUBLISH_BACKLOG:
            # Other nodes resync from the database when Redis comes back; they lose nothing.
            del self._pending[: len(self._pending) - PUBLISH_BACKLOG]
        self._wake.set()

    def status(self) -> str:
        return "ok" if self._listening else "reconnecting"

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.aclose()
        self._deliver = None

    async def _publisher(self) -> None:
        assert self._client is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch, self._pending = self._pending[:500], self._pending[500:]
                try:
                    await self._client.publish(self.channel, encode(self.node, batch))
                except (RedisError, OSError):
                    log.warning("could not publish to Redis; retrying", exc_info=True)
                    self._pending[:0] = batch
                    await asyncio.sleep(0.5)

    async def _listen(self) -> None:
        assert self._client is not None
        backoff = 0.1
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self._listening = True
                backoff = 0.1
                # Subscribed first, then resync: anything committed before is read from the
                # database, anything after arrives on the channel.
                await self._run_resync(recheck_access=True)
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._handle(message)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError):
                if self._listening:
                    log.warning("lost the Redis connection; reconnecting")
                self._listening = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call,unused-ignore]

    def _handle(self, message: dict[str, Any]) -> None:
        data = message.get("data")
        if not isinstance(data, bytes) or self._deliver is None:
            return
        try:
            node, envelopes = decode(data)
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed broker message")
            return
        if node == self.node:
            return
        for envelope in envelopes:
            self._deliver(envelope)

    async def _safety_net(self) -> None:
        while True:
            await asyncio.sleep(self.resync_s)
            await self._run_resync(recheck_access=False)

    async def _run_resync(self, *, recheck_access: bool) -> None:
        if self._resync is None:
            return
        try:
            await self._resync(recheck_access)
        except Exception:
            log.warning("resync from the database failed; will retry", exc_info=True)
