"""The durable event feed: every committed domain event, in one global order, for consumers.

Writes: :meth:`Database.write`'s ``publish`` queues envelopes; just before the commit the
committed-event ones (kind ``event``: conversation and inbox streams) are appended here by
:func:`append`, in the same transaction. A rolled-back write appends nothing; a committed one
cannot lose its feed rows.

Order: a reader takes rows after its cursor by ``id``, so ids must become visible in id order.
On SQLite one writer at a time (the process write lock) gives that for free. On PostgreSQL ids
come from a sequence when a row is inserted, and a transaction that took id 6 may commit after
the one that took id 7; a reader at cursor 5 would then see 7, move past 6 and never see it.
So the append takes a transaction-level advisory lock first (:data:`APPEND_LOCK`), held until
commit: the next appender waits, takes a higher id and commits later. The lock covers only the
append and the commit at the end of a write, never the work before it.

Consumers (webhooks, e-mail, analytics, bots, alerts) register by name (:func:`register`) and
are run by :mod:`helpline.core.jobs`, one node each, from a stored cursor that moves only after
the handler returned. Delivery is therefore at least once: a handler must make a repeated
event change nothing (key its effects by :attr:`FeedEvent.id`).
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Integer,
    String,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from helpline.core.clock import now
from helpline.core.db import Base, Database
from helpline.core.events import Envelope

log = logging.getLogger("helpline.feed")

# pg_advisory_xact_lock key: "HFED" in ASCII (a 32-bit parameter, like every integer we bind).
APPEND_LOCK = 0x48464544
FeedId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER keys


class FeedRow(Base):
    __tablename__ = "event_feed"

    id: Mapped[int] = mapped_column(FeedId, primary_key=True, autoincrement=True)
    stream: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class FeedCursor(Base):
    __tablename__ = "feed_cursors"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(200), default="")


@dataclass(frozen=True)
class FeedEvent:
    """One committed event as a consumer sees it."""

    id: int
    stream: str
    type: str
    payload: dict[str, Any]
    created_at: datetime


def durable(envelope: Envelope) -> bool:
    """Whether an envelope is a committed domain event that belongs in the feed."""
    return envelope.kind == "event"


async def append(
    target: AsyncSession | AsyncConnection, envelopes: Sequence[Envelope], *, postgres: bool
) -> None:
    """Append the durable ones of ``envelopes`` inside the caller's open write transaction.
    Call it last before the commit (it takes the append lock on PostgreSQL)."""
    at = now()
    rows = [
        {
            "stream": e.stream,
            "type": str(e.payload.get("type", "")),
            "payload": e.payload,
            "created_at": at,
        }
        for e in envelopes
        if durable(e)
    ]
    if not rows:
        return
    if postgres:
        await target.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK})
    await target.execute(insert(FeedRow), rows)


Handler = Callable[[FeedEvent], Awaitable[None]]


@dataclass(frozen=True)
class Consumer:
    """A named reader of the feed. ``handle`` is called once per event, in feed order, and must
    be idempotent: after a crash the event it was handling is delivered again."""

    name: str
    handle: Handler
    batch: int = 100


CONSUMERS: dict[str, Consumer] = {}


CONSUMER_NAME = re.compile(r"[a-z][a-z0-9_.-]{0,29}")


def register(consumer: Consumer) -> Consumer:
    """Add a consumer (at import time of the module that defines it). Names are unique, 1-30
    characters of lowercase letters, digits, ``_``, ``.`` and ``-``."""
    if not CONSUMER_NAME.fullmatch(consumer.name):
        raise ValueError(f"bad feed consumer name {consumer.name!r}")
    if consumer.name in CONSUMERS and CONSUMERS[consumer.name] is not consumer:
        raise ValueError(f"a feed consumer named {consumer.name!r} is already registered")
    CONSUMERS[consumer.name] = consumer
    return consumer


def load_plugins(specs: Sequence[str]) -> list[Consumer]:
    """Register consumers named as ``module:attribute`` (``HELPLINE_CONSUMERS``)."""
    loaded = []
    for spec in specs:
        module_name, _, attr = spec.partition(":")
        consumer = getattr(importlib.import_module(module_name), attr)
        if not isinstance(consumer, Consumer):
            raise TypeError(f"{spec} is not a feed Consumer")
        loaded.append(register(consumer))
    return loaded


async def head(db: Database) -> int:
    """The id of the newest event in the feed (0 when empty)."""
    async with db.read_conn() as conn:
        return int(await conn.scalar(select(func.coalesce(func.max(FeedRow.id), 0))) or 0)


async def read_after(db: Database, position: int, *, limit: int) -> list[FeedEvent]:
    async with db.read_conn() as conn:
        rows = await conn.execute(
            select(FeedRow).where(FeedRow.id > position).order_by(FeedRow.id).limit(limit)
        )
        return [FeedEvent(r.id, r.stream, r.type, r.payload, r.created_at) for r in rows.mappings()]


async def cursor(db: Database, name: str) -> FeedCursor:
    """The consumer's stored cursor; a new consumer starts at the feed's head, so it sees only
    what happens from now on (a backfill is a separate, explicit step)."""
    async with db.read() as s:
        row = await s.get(FeedCursor, name)
    if row is not None:
        return row
    start = await head(db)
    async with db.write() as s:
        row = await s.get(FeedCursor, name)
        if row is None:
            row = FeedCursor(name=name, position=start, updated_at=now(), attempts=0, last_error="")
            s.add(row)
    return row


async def advance(db: Database, name: str, *, position: int) -> None:
    """Move the cursor forward to ``position`` (never back) and clear the failure count."""
    async with db.write() as s:
        await s.execute(
            update(FeedCursor)
            .where(FeedCursor.name == name, FeedCursor.position < position)
            .values(position=position, updated_at=now(), attempts=0, last_error="")
        )


async def failed(db: Database, name: str, *, error: BaseException) -> int:
    """Count a failed attempt; returns the attempts so far. Only the exception's class is
    stored: messages may quote customer data."""
    async with db.write() as s:
        row = await s.get(FeedCursor, name, with_for_update=True)
        if row is None:
            return 1
        row.attempts += 1
        row.last_error = type(error).__name__[:200]
        row.updated_at = now()
        return row.attempts


async def trim(db: Database, *, keep: timedelta) -> int:
    """Delete events every consumer has passed and that are older than ``keep``."""
    async with db.write() as s:
        slowest = await s.scalar(select(func.min(FeedCursor.position)))
        query = delete(FeedRow).where(FeedRow.created_at < now() - keep)
        if slowest is not None:
            query = query.where(FeedRow.id <= slowest)
        result = await s.execute(query)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
