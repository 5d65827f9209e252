"""The runtime every action receives: settings, database, broker, limiters and the routing hook.

Built once per process in helpline.api; tests build their own against a real database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from helpline.core import feed
from helpline.core.broker import Broker, InProcessBroker
from helpline.core.config import Settings
from helpline.core.db import Database
from helpline.core.events import Envelope
from helpline.core.ratelimit import Limiter


@dataclass
class Limits:
    conversations: Limiter
    visitor_messages: Limiter
    logins: Limiter
    typing: Limiter
    receipts: Limiter

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            conversations=Limiter(*settings.conversation_rate),
            visitor_messages=Limiter(*settings.visitor_message_rate),
            logins=Limiter(*settings.login_rate),
            typing=Limiter(*settings.typing_rate),
            receipts=Limiter(*settings.receipt_rate),
        )


def _no_routing(_team_id: int) -> None:
    return None


@dataclass
class Runtime:
    settings: Settings
    db: Database
    broker: Broker = field(default_factory=InProcessBroker)
    limits: Limits | None = None
    request_routing: Callable[[int], None] = _no_routing
    node: str = "node"
    # The group-commit writer for messages (conversations.writer.MessageWriter) once started;
    # without one, sends take the general one-transaction-each path.
    message_writer: object | None = None

    def __post_init__(self) -> None:
        if self.limits is None:
            self.limits = Limits.from_settings(self.settings)
        self.db.publisher = self.publish
        self.db.recorder = self._record
        # Set whenever this node commits feed events, so its feed jobs wake without polling.
        self.feed_appended = asyncio.Event()

    async def _record(
        self, target: AsyncSession | AsyncConnection, envelopes: list[Envelope]
    ) -> None:
        await feed.append(target, envelopes, postgres=not self.db.is_sqlite)

    @property
    def limit(self) -> Limits:
        assert self.limits is not None
        return self.limits

    async def publish(self, envelopes: Iterable[Envelope]) -> None:
        """Hand envelopes to the broker. Committed events go through the write session's
        ``publish`` (which calls this after the commit); call it directly only for ephemeral
        envelopes that describe no stored change (typing, read receipts, queue summaries)."""
        batch = list(envelopes)
        if any(feed.durable(e) for e in batch):
            self.feed_appended.set()
        await self.broker.publish(batch)
