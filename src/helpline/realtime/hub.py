"""The connection hub: subscriptions, ordered per-connection delivery, replay and gap filling.

Each connection has one outbox drained by at most one sender task at a time (started when
something is queued, gone when the outbox is empty, so an idle socket costs no task), so
everything a client receives on a
stream is in sequence order, without gaps and without duplicates:

- a subscribe replays from the database, then live events continue from the replayed cursor;
- a live event at ``cursor + 1`` is sent; one at or below the cursor is dropped (already sent);
- one beyond ``cursor + 1`` means an envelope was late or lost (another node, a broker hiccup):
  the missing events are read from the database first.

The sender never blocks the broker: envelopes are queued, and a connection whose outbox overflows
is closed with code 4429 (the client resumes from its cursor, losing nothing).

Rights that shrink take effect at once. A ``user`` envelope (that user logged out, was
deactivated, had a password reset, or a new role or teams; published by agents/actions.py on
every node) *suspends* each of the user's connections: it leaves every stream at once, so
nothing more is queued for it, and its sender re-authenticates the connection's credential.
An ended session gets a ``session_ended`` error and close code 4401; otherwise the connection
takes the fresh actor and rejoins only the streams it may still read, catching up from the
database from its cursors, so it loses nothing it is still entitled to. ``resync`` (after a
broker reconnect and every ``resync_s``) compares every staff connection with the database
too, in case a notice was missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from helpline.core.actors import Actor, Staff, View
from helpline.core.errors import ErrorCode, HelplineError
from helpline.core.events import Envelope
from helpline.core.runtime import Runtime
from helpline.core.streams import (
    StreamId,
    StreamKind,
    StreamSource,
    StreamSources,
    stream_key,
    team_stream,
)
from helpline.realtime import audience
from helpline.realtime.cursor import Step, decide
from helpline.realtime.ports import ChatPort, Identities
from helpline.realtime.protocol import Reload, plan_resume

log = logging.getLogger("helpline.realtime")
OUTBOX_LIMIT = 2000
_ids = itertools.count(1)


def dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def external_name(stream: str) -> str:
    """The stream's name as clients know it: each agent's own ``inbox:<id>`` is just "inbox"."""
    return "inbox" if stream_key(stream, StreamKind.INBOX) is not None else stream


def event_frame(external_stream: str, event: dict[str, Any]) -> str:
    return dumps({"type": "event", "stream": external_stream, "event": event})


@dataclass(frozen=True)
class _Subscribe:
    stream: str
    after: int
    ref: str | None


@dataclass(frozen=True)
class _Recheck:
    stream: str


@dataclass(frozen=True)
class _Resync:
    """Catch the stream up to ``upto`` from the database (a broker may have missed envelopes)."""

    stream: str
    upto: int


@dataclass(frozen=True)
class _Reauth:
    """Re-authenticate a suspended connection and restore what it may still see."""


@dataclass(frozen=True)
class _Event:
    """A live event, already serialized: every connection with the same view sends one text."""

    stream: str
    seq: int
    text: str


_Item = dict[str, Any] | _Subscribe | _Recheck | _Resync | _Reauth | _Event
TouchPresence = Callable[[set[int]], Awaitable[None]]


async def _no_presence(_users: set[int]) -> None:
    return None


SESSION_ENDED = {
    "type": "error",
    "code": ErrorCode.SESSION_ENDED,
    "message": "Your session has ended or your access changed; please log in again.",
}


@dataclass(eq=False)
class Connection:
    """One client connection, whatever the transport. ``send`` writes one text frame."""

    actor: Actor
    send: Callable[[str], Awaitable[None]]
    close: Callable[[int, str], Coroutine[Any, Any, None]]
    # What keeps the connection valid: a staff session's token digest (None for visitors).
    credential: str | None = None
    id: int = field(default_factory=lambda: next(_ids))
    cursors: dict[str, int] = field(default_factory=dict)
    streams: set[str] = field(default_factory=set)  # every stream this connection is listed in
    last_sent: float = 0.0  # event-loop time of the last frame written
    last_received: float = 0.0  # ... and of the last frame from the client
    idle_timeout: bool = False  # close when the client is silent for ``idle_timeout_s``
    outbox: deque[_Item] = field(default_factory=deque)
    task: asyncio.Task[None] | None = None
    # Set while the connection is suspended (off every stream until its rights are checked
    # again); frames from the client wait for it.
    rechecked: asyncio.Event | None = None
    revoked: bool = False  # its session ended: it is closing and may do nothing more

    @property
    def suspended(self) -> bool:
        return self.rechecked is not None

    def resume_frames(self) -> None:
        if self.rechecked is not None:
            self.rechecked.set()
            self.rechecked = None

    @property
    def view(self) -> View:
        return self.actor.view

    def external(self, stream: str) -> str:
        return external_name(stream)


class Hub:
    """The composition (api.py) hands the hub what it needs from the domains: the sources of
    the streams clients follow, the chat frames' actions, who holds a credential, and
    presence (agents/ owns it)."""

    def __init__(
        self,
        rt: Runtime,
        *,
        sources: StreamSources,
        chat: ChatPort,
        identities: Identities,
        touch_presence: TouchPresence | None = None,
    ) -> None:
        self.rt = rt
        self.sources = sources
        self.chat = chat
        self.identities = identities
        self.touch_presence = touch_presence or _no_presence
        self.connections: set[Connection] = set()
        self.by_stream: dict[str, set[Connection]] = defaultdict(set)
        self._tasks: list[asyncio.Task[None]] = []
        self._closing: set[asyncio.Task[None]] = set()

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._touch_presence(), name="helpline-presence"),
            asyncio.create_task(self._keep_alive(), name="helpline-keepalive"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for conn in list(self.connections):
            await self.detach(conn)

    def attach(self, conn: Connection) -> None:
        conn.last_sent = conn.last_received = asyncio.get_running_loop().time()
        self.connections.add(conn)
        self._join_teams(conn)

    def _join_teams(self, conn: Connection) -> None:
        if isinstance(conn.actor, Staff):
            for team_id in conn.actor.team_ids:
                self.by_stream[team_stream(team_id)].add(conn)
                conn.streams.add(team_stream(team_id))

    async def detach(self, conn: Connection) -> None:
        self.connections.discard(conn)
        for stream in list(conn.streams):
            self._drop(conn, stream)
        if conn.task is not None and conn.task is not asyncio.current_task():
            conn.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await conn.task

    # --- subscriptions ---------------------------------------------------------------------

    def subscribe(self, conn: Connection, stream: str, after: int, ref: str | None) -> None:
        """Register first, then replay: events that arrive meanwhile queue behind the replay."""
        self.by_stream[stream].add(conn)
        conn.streams.add(stream)
        self._enqueue(conn, _Subscribe(stream, after, ref))

    def unsubscribe(self, conn: Connection, stream: str) -> None:
        self._drop(conn, stream)

    def is_subscribed(self, conn: Connection, stream: str) -> bool:
        return conn in self.by_stream.get(stream, ())

    def push(self, conn: Connection, frame: dict[str, Any]) -> None:
        """Queue a reply frame behind whatever this connection is already due to receive."""
        self._enqueue(conn, frame)

    def _drop(self, conn: Connection, stream: str) -> None:
        conn.cursors.pop(stream, None)
        conn.streams.discard(stream)
        self._leave(conn, stream)

    def _leave(self, conn: Connection, stream: str) -> None:
        """Stop queueing ``stream``'s envelopes for ``conn``; its cursor stays."""
        members = self.by_stream.get(stream)
        if members is not None:
            members.discard(conn)
            if not members:
                del self.by_stream[stream]

    def suspend(self, conn: Connection) -> None:
        """Take ``conn`` off every stream now and re-authenticate it in its sender."""
        if conn.suspended or conn not in self.connections:
            return
        conn.rechecked = asyncio.Event()
        for stream in conn.streams:
            self._leave(conn, stream)
        self._enqueue(conn, _Reauth())

    # --- fan-out ---------------------------------------------------------------------------

    def deliver(self, envelope: Envelope) -> None:
        """Called by the broker for every envelope; never blocks."""
        if envelope.kind == "user":
            notice = StreamId.parse(envelope.stream)
            for conn in list(self.connections):
                if isinstance(conn.actor, Staff) and notice and conn.actor.user_id == notice.key:
                    self.suspend(conn)
            return
        if envelope.kind == "access":
            notice = StreamId.parse(envelope.stream)
            followed = str(StreamId(StreamKind.CONVERSATION, notice.key)) if notice else ""
            for conn in list(self.by_stream.get(followed, ())):
                self._enqueue(conn, _Recheck(followed))
            return
        views: dict[audience.View, _Event | None] = {}
        for conn in list(self.by_stream.get(envelope.stream, ())):
            if not audience.receives(conn.view, envelope):
                continue
            if envelope.kind == "ephemeral":
                self._enqueue(conn, envelope.payload)
                continue
            if conn.view not in views:
                views[conn.view] = self._viewed(conn.view, envelope)
            item = views[conn.view]
            if item is not None:
                self._enqueue(conn, item)

    def _viewed(self, view: View, envelope: Envelope) -> _Event | None:
        seq = audience.seq_for(view, envelope)
        if seq is None:
            return None
        found = self.sources.get(envelope.stream)
        event = (
            found[0].present(
                envelope.payload, seq=envelope.seq, public_seq=envelope.public_seq, view=view
            )
            if found is not None
            else envelope.payload
        )
        return _Event(envelope.stream, seq, event_frame(external_name(envelope.stream), event))

    def _enqueue(self, conn: Connection, item: _Item) -> None:
        if len(conn.outbox) >= OUTBOX_LIMIT:
            log.warning("connection %s is too slow; closing it so it resumes", conn.id)
            self._close_later(conn, 4429, "slow consumer: resume from your cursor")
            return
        conn.outbox.append(item)
        if conn.task is None:
            conn.task = asyncio.get_running_loop().create_task(self._sender(conn))

    # --- the sender ------------------------------------------------------------------------

    async def _sender(self, conn: Connection) -> None:
        """Drain the outbox, then end. ``conn.task`` is this task until it ends; ``_enqueue``
        starts a new one only when there is none, so there is never more than one."""
        try:
            while conn.outbox:
                item = conn.outbox.popleft()
                if isinstance(item, dict):
                    await conn.send(dumps(item))
                elif isinstance(item, _Event):
                    await self._send_event(conn, item)
                elif isinstance(item, _Subscribe):
                    await self._replay(conn, item)
                elif isinstance(item, _Resync):
                    await self._resync_stream(conn, item)
                elif isinstance(item, _Reauth):
                    await self._reauth(conn)
                else:
                    await self._recheck(conn, item.stream)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.info("connection %s closed while sending", conn.id, exc_info=True)
            conn.outbox.clear()
            with contextlib.suppress(Exception):
                await conn.close(1011, "server error; resume from your cursor")
        finally:
            conn.last_sent = asyncio.get_running_loop().time()
            if conn.task is asyncio.current_task():
                conn.task = None

    async def _send_event(self, conn: Connection, item: _Event) -> None:
        cursor = conn.cursors.get(item.stream)
        step = decide(cursor, item.seq)
        if step is Step.DROP:
            return
        if step is Step.CATCH_UP and cursor is not None:
            await self._catch_up(conn, item.stream, cursor, item.seq - 1)
            if decide(conn.cursors.get(item.stream), item.seq) is not Step.SEND:
                return  # the stream was dropped meanwhile, or the read already sent it
        await conn.send(item.text)
        conn.cursors[item.stream] = item.seq

    async def _write_event(self, conn: Connection, stream: str, event: dict[str, Any]) -> None:
        await conn.send(event_frame(conn.external(stream), event))
        conn.cursors[stream] = int(event["seq"])

    def _source(self, stream: str) -> tuple[StreamSource, int]:
        found = self.sources.get(stream)
        if found is None:
            raise HelplineError(f"{stream} cannot be followed.", code=ErrorCode.NOT_FOUND)
        return found

    async def _load(
        self, conn: Connection, stream: str, after: int, limit: int
    ) -> list[dict[str, Any]]:
        source, key = self._source(stream)
        async with self.rt.db.read_conn() as db:
            return await source.read(db, conn.view, key, after, limit)

    async def _catch_up(self, conn: Connection, stream: str, after: int, upto: int) -> None:
        for event in await self._load(conn, stream, after, upto - after):
            await self._write_event(conn, stream, event)

    async def _resync_stream(self, conn: Connection, item: _Resync) -> None:
        cursor = conn.cursors.get(item.stream)
        if cursor is not None and item.upto > cursor:
            await self._catch_up(conn, item.stream, cursor, item.upto)

    async def resync(self, recheck_access: bool = True) -> int:
        """Compare every followed stream with the database and queue what a connection missed.

        Called by the broker after it (re)connected and periodically. With ``recheck_access``,
        subscriptions are also re-authorized, since "access changed" notices may have been
        missed too. Returns how many connections were behind.
        """
        await self._recheck_identities()
        by_source: dict[StreamKind, tuple[StreamSource, dict[int, str]]] = {}
        for stream in list(self.by_stream):
            found = self.sources.get(stream)
            if found is not None:
                source, key = found
                by_source.setdefault(source.kind, (source, {}))[1][key] = stream
        behind = 0
        for source, streams in by_source.values():
            async with self.rt.db.read_conn() as db:
                heads = await source.heads(db, list(streams))
            for key, stream in streams.items():
                for conn in list(self.by_stream.get(stream, ())):
                    if recheck_access:
                        self._enqueue(conn, _Recheck(stream))
                    last = heads[conn.view].get(key, 0)
                    cursor = conn.cursors.get(stream)
                    if cursor is not None and cursor < last:
                        behind += 1
                        self._enqueue(conn, _Resync(stream, last))
        return behind

    async def _recheck_identities(self) -> None:
        """Suspend every staff connection whose rights differ from the database's (a missed
        ``user`` notice): one read for all of them."""
        staff = [c for c in self.connections if c.credential is not None and not c.suspended]
        if not staff:
            return
        current = await self.identities.live_staff([c.credential for c in staff if c.credential])
        for conn in staff:
            if conn.credential is not None and current.get(conn.credential) != conn.actor:
                self.suspend(conn)

    async def _replay(self, conn: Connection, cmd: _Subscribe) -> None:
        """Check access and read the head (one query), then replay from the cursor or tell the
        client to reload, on one read connection: every resuming client comes through here."""
        if not self.is_subscribed(conn, cmd.stream):
            return
        limit = self.rt.settings.replay_limit
        try:
            source, key = self._source(cmd.stream)
            async with self.rt.db.read_conn() as db:
                last = await source.admit(db, conn.actor, key)
                plan = plan_resume(after=cmd.after, last=last, limit=limit)
                if not isinstance(plan, Reload):
                    events = await source.read(db, conn.view, key, cmd.after, limit)
        except HelplineError as exc:
            self._drop(conn, cmd.stream)
            error = {"type": "error", "code": exc.code, "message": exc.message}
            await conn.send(dumps(self._ref(error, cmd.ref)))
            return
        if isinstance(plan, Reload):
            self._drop(conn, cmd.stream)
            reload = {
                "type": "reload",
                "stream": conn.external(cmd.stream),
                "reason": plan.reason,
                "last_seq": last,
            }
            await conn.send(dumps(self._ref(reload, cmd.ref)))
            return
        conn.cursors[cmd.stream] = cmd.after
        for event in events:
            await self._write_event(conn, cmd.stream, event)
        frame = {
            "type": "subscribed",
            "stream": conn.external(cmd.stream),
            "last_seq": conn.cursors[cmd.stream],
            "replayed": len(events),
        }
        await conn.send(dumps(self._ref(frame, cmd.ref)))

    async def _recheck(self, conn: Connection, stream: str) -> None:
        if stream in conn.cursors:
            await self._may_still_read(conn, stream)

    async def _may_still_read(self, conn: Connection, stream: str) -> bool:
        """Check ``conn`` may still follow ``stream``; if not, drop the stream and tell it."""
        found = self.sources.get(stream)
        if found is None:
            return True
        source, key = found
        try:
            async with self.rt.db.read_conn() as db:
                await source.authorize(db, conn.actor, key)
        except HelplineError:
            self._drop(conn, stream)
            frame = {
                "type": "unsubscribed",
                "stream": conn.external(stream),
                "reason": "access_revoked",
            }
            await conn.send(dumps(frame))
            return False
        return True

    async def _reauth(self, conn: Connection) -> None:
        """Give a suspended connection its current rights, or end it (see the module doc)."""
        credential = conn.credential
        fresh = (
            (await self.identities.live_staff([credential])).get(credential) if credential else None
        )
        if fresh is None:
            conn.revoked = True
            conn.resume_frames()
            for stream in list(conn.streams):
                self._drop(conn, stream)
            conn.outbox.clear()
            await conn.send(dumps(SESSION_ENDED))
            self._close_later(conn, 4401, "session ended")
            return
        conn.actor = fresh
        conn.resume_frames()
        teams = {s for s in conn.streams if stream_key(s, StreamKind.TEAM) is not None}
        followed = conn.streams - teams
        conn.streams -= teams
        self._join_teams(conn)
        for stream in followed:
            await self._rejoin(conn, stream)

    async def _rejoin(self, conn: Connection, stream: str) -> None:
        """Put ``conn`` back on ``stream`` if it may still read it, then catch up from its
        cursor: envelopes queued from now on follow, anything in between comes from the
        database."""
        if not await self._may_still_read(conn, stream):
            return
        self.by_stream[stream].add(conn)
        cursor = conn.cursors.get(stream)
        found = self.sources.get(stream)
        if cursor is not None and found is not None:
            source, key = found
            async with self.rt.db.read_conn() as db:
                head = await source.head(db, conn.view, key)
            if head > cursor:
                await self._catch_up(conn, stream, cursor, head)

    @staticmethod
    def _ref(frame: dict[str, Any], ref: str | None) -> dict[str, Any]:
        return {**frame, "ref": ref} if ref is not None else frame

    def _close_later(self, conn: Connection, code: int, reason: str) -> None:
        task = asyncio.get_running_loop().create_task(conn.close(code, reason))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    # --- keeping connections alive ----------------------------------------------------------

    async def _keep_alive(self) -> None:
        """One sweep for every connection, instead of a timer each: a heartbeat to any client
        that has heard nothing for ``heartbeat_s``, and a close for clients that must talk
        (``idle_timeout``) and have been silent for ``idle_timeout_s``."""
        loop = asyncio.get_running_loop()
        beat_s, idle_s = self.rt.settings.heartbeat_s, self.rt.settings.idle_timeout_s
        while True:
            await asyncio.sleep(min(1.0, beat_s / 4))
            at = loop.time()
            for conn in list(self.connections):
                if conn.idle_timeout and at - conn.last_received >= idle_s:
                    conn.idle_timeout = False  # close once
                    self._close_later(conn, 1000, "idle timeout")
                elif at - conn.last_sent >= beat_s and not conn.outbox:
                    conn.last_sent = at
                    self._enqueue(conn, {"type": "heartbeat"})

    # --- presence --------------------------------------------------------------------------

    def staff_online(self) -> set[int]:
        return {c.actor.user_id for c in self.connections if isinstance(c.actor, Staff)}

    async def _touch_presence(self) -> None:
        """Every heartbeat, tell the presence owner (agents/) which staff are still connected;
        routing's sweep sets the silent ones offline."""
        while True:
            await asyncio.sleep(self.rt.settings.heartbeat_s)
            users = self.staff_online()
            if not users:
                continue
            try:
                await self.touch_presence(users)
            except Exception:
                log.warning("could not record presence", exc_info=True)
