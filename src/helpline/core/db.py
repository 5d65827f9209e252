"""Database engine, sessions and the write discipline.

The database is the single source of truth. Writes go through :meth:`Database.write`, which
opens one transaction and commits it on exit. Inside the block an action *queues* what must
happen once the change is durable: ``s.publish(envelope)`` and ``s.after_commit(fn)``. The
database runs them only after a successful commit, and drops them on a rollback, so no event
ever describes a change that did not happen and no action flushes an outbox by hand.

SQLite allows one writer at a time, so on SQLite every write transaction in this process takes
``write_lock`` first (readers never wait, thanks to WAL). PostgreSQL needs no process lock:
correctness across nodes comes from row locks and conditional updates in the actions.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, MetaData, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from helpline.core.errors import ErrorCode, Invalid, Unavailable
from helpline.core.events import Envelope

log = logging.getLogger("helpline.db")

AfterCommit = Callable[[], Awaitable[None] | None]
Publisher = Callable[[list[Envelope]], Awaitable[None]]
Recorder = Callable[[AsyncSession | AsyncConnection, list[Envelope]], Awaitable[None]]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


# Every integer column is ``Integer``: 32 bits on PostgreSQL, which refuses a larger parameter
# before it runs the statement (SQLite, past 64 bits). The edges bound what they know to be ids
# (frames, request schemas); this backstop turns any other oversized number from a path, query
# or body into a client error on both databases alike, never a 500.
INTEGER_RANGE = range(-(2**31), 2**31)


def _integers_in_range(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, executemany: bool
) -> None:
    if executemany:
        return  # only the group-commit writer's batches: server-made values, bounded at the edge
    for row in (parameters,):
        for value in row.values() if isinstance(row, dict) else row or ():
            if type(value) is int and value not in INTEGER_RANGE:
                raise Invalid(
                    "A number in the request is out of range.", code=ErrorCode.OUT_OF_RANGE
                )


def make_engine(url: str) -> AsyncEngine:
    """The engine for ``url``. Statement parameters (names, e-mails, message text) never appear
    in its errors' messages (``hide_parameters``), so they never reach a log."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, pool_size=8, max_overflow=4, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        engine = create_async_engine(
            url, pool_size=10, max_overflow=10, pool_pre_ping=True, hide_parameters=True
        )
    event.listen(engine.sync_engine, "before_cursor_execute", _integers_in_range)
    return engine


# SQLSTATE classes that mean "try again": connection exceptions, operator intervention (a server
# shutting down or starting up), insufficient resources; plus serialization failure and deadlock.
RETRYABLE_SQLSTATE_CLASSES = ("08", "57", "53")
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    for candidate in (exc, orig, getattr(orig, "__cause__", None)):
        state = getattr(candidate, "sqlstate", None)
        if isinstance(state, str):
            return state
    return None


def is_unavailable(exc: BaseException) -> bool:
    """True for failures that mean "the database is unreachable or busy, retry", not "your
    request is wrong"."""
    if isinstance(exc, OperationalError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        state = _sqlstate(exc)
        if state is not None and (
            state in RETRYABLE_SQLSTATES or state.startswith(RETRYABLE_SQLSTATE_CLASSES)
        ):
            return True
    return isinstance(exc, OSError | ConnectionError)


@contextlib.contextmanager
def _outages_are_unavailable() -> Iterator[None]:
    """Turn "the database is unreachable" into the retryable :class:`Unavailable`."""
    try:
        yield
    except Exception as exc:
        if is_unavailable(exc):
            raise Unavailable("The database is not reachable; please retry.") from exc
        raise


@dataclass
class Pending:
    """What a write transaction has queued for after its commit."""

    envelopes: list[Envelope] = field(default_factory=list)
    callbacks: list[AfterCommit] = field(default_factory=list)

    def publish(self, *envelopes: Envelope | Iterable[Envelope]) -> None:
        """Queue envelopes for the broker; they go out, in this order, after the commit."""
        for item in envelopes:
            if isinstance(item, Envelope):
                self.envelopes.append(item)
            else:
                self.envelopes.extend(item)

    def after_commit(self, fn: AfterCommit) -> None:
        """Queue ``fn`` (plain or async) to run after the commit, after the envelopes went out."""
        self.callbacks.append(fn)


class WriteSession(AsyncSession):
    """The session :meth:`Database.write` yields: an ``AsyncSession`` that also queues events
    (:meth:`publish`) and follow-up work (:meth:`after_commit`) for after its commit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending = Pending()

    def publish(self, *envelopes: Envelope | Iterable[Envelope]) -> None:
        self.pending.publish(*envelopes)

    def after_commit(self, fn: AfterCommit) -> None:
        self.pending.after_commit(fn)


@dataclass
class WriteConn:
    """What :meth:`Database.write_conn` yields: a Core connection in an open transaction, with
    the same after-commit queue as :class:`WriteSession`."""

    conn: AsyncConnection
    pending: Pending = field(default_factory=Pending)

    def publish(self, *envelopes: Envelope | Iterable[Envelope]) -> None:
        self.pending.publish(*envelopes)

    def after_commit(self, fn: AfterCommit) -> None:
        self.pending.after_commit(fn)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = url.startswith("sqlite")
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.write_sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, class_=WriteSession
        )
        self.write_lock = asyncio.Lock()
        # Where committed envelopes go (the runtime binds its broker); None refuses to publish.
        self.publisher: Publisher | None = None
        # What stores the durable envelopes in the transaction, just before its commit (the
        # runtime binds the event feed's append); None stores nothing.
        self.recorder: Recorder | None = None

    async def _record(self, target: AsyncSession | AsyncConnection, pending: Pending) -> None:
        if pending.envelopes and self.recorder is not None:
            await self.recorder(target, pending.envelopes)

    async def _committed(self, pending: Pending) -> None:
        """Run what a committed transaction queued: the envelopes first, then the callbacks in
        the order they were queued. The change is durable whatever happens here, so nothing
        here turns it into an error for the caller: a failure is logged and the rest still
        runs (a client that missed an event catches up from the database by its cursor)."""
        if pending.envelopes:
            try:
                if self.publisher is None:
                    raise RuntimeError("publish() needs a runtime that binds a broker")
                await self.publisher(pending.envelopes)
            except Exception:
                log.exception("publishing %d committed envelopes failed", len(pending.envelopes))
        for fn in pending.callbacks:
            try:
                result = fn()
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("an after-commit callback failed")

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only. Nothing is committed."""
        with _outages_are_unavailable():
            async with self.sessions() as session:
                yield session

    @contextlib.asynccontextmanager
    async def read_conn(self) -> AsyncIterator[AsyncConnection]:
        """Like :meth:`read`, as a Core connection, for the hot read paths (connect, resume)."""
        with _outages_are_unavailable():
            async with self.engine.connect() as conn:
                yield conn

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[WriteSession]:
        """One write transaction, committed when the block exits without an exception.

        Raising inside the block rolls everything back and drops what it queued with
        ``publish``/``after_commit``; after a commit those run, outside the SQLite write lock.
        Database outages surface as :class:`Unavailable` (retryable): the caller has not been
        acknowledged, so nothing is lost.
        """
        lock = self.write_lock if self.is_sqlite else contextlib.nullcontext()
        with _outages_are_unavailable():
            async with lock, self.write_sessions() as session, session.begin():
                yield session
                await self._record(session, session.pending)
        await self._committed(session.pending)

    @contextlib.asynccontextmanager
    async def write_conn(self) -> AsyncIterator[WriteConn]:
        """Like :meth:`write`, as a Core connection (no ORM session) for hot paths."""
        lock = self.write_lock if self.is_sqlite else contextlib.nullcontext()
        with _outages_are_unavailable():
            async with lock, self.engine.begin() as conn:
                tx = WriteConn(conn)
                yield tx
                await self._record(conn, tx.pending)
        await self._committed(tx.pending)

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
            return True
        except Exception:
            return False

    async def close(self) -> None:
        await self.engine.dispose()
