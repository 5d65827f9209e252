"""Group commit for messages and notes: many sends, one transaction.

Every send is queued for this node's writer task, which takes whatever is waiting (up to
``MAX_BATCH``) and commits it in one transaction of a few Core statements, whatever the batch
size:

1. lock the batch's conversations (``SELECT ... FOR UPDATE`` in id order, so two nodes' batches
   never deadlock each other) and read their state, parties and counters;
2. read the client ids already stored for them (resends);
3. decide each send in memory, in arrival order: access, resend or new, rate limit, state, and
   its sequence numbers from the counters;
4. insert the new events and write the counters back;
5. commit; only then answer each send and publish the events.

So the guarantees hold as they do for a single send: an acknowledgement follows the commit,
numbers are gapless and in commit order (the counters are read and written under the row lock, or
under the process write lock on SQLite), and a resend returns the stored original. A send that
fails its checks fails alone and writes nothing. If the batch itself fails for any reason but a
database outage, it is retried one send at a time, so a poisonous send only fails itself.

Staff messages on an offered (``assigned``) chat also accept the offer; they are rare and are
handed back to the caller (``Outcome.slow``) to run through the general path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from helpline.conversations.log import Appended
from helpline.conversations.models import Conversation, ConversationEvent
from helpline.conversations.send import plan_send, send_need
from helpline.conversations.service import check_access, event_payload
from helpline.core.actors import Actor
from helpline.core.clock import now
from helpline.core.errors import HelplineError, NotFound, Unavailable
from helpline.core.events import Envelope
from helpline.core.runtime import Runtime

log = logging.getLogger("helpline.writer")
MAX_BATCH = 256
CONVERSATIONS = cast(Table, Conversation.__table__)
EVENTS = cast(Table, ConversationEvent.__table__)


@dataclass(frozen=True)
class Outcome:
    """The sender's view of the stored event; ``slow`` means "use the general path"."""

    event: dict[str, Any]
    duplicate: bool
    slow: bool = False


SLOW = Outcome({}, False, slow=True)


@dataclass(frozen=True)
class Draft:
    """One send, checked and PII-masked, not yet stored."""

    conversation_id: int
    client_id: str
    body: str
    data: dict[str, Any]
    internal: bool


@dataclass
class _Send:
    actor: Actor
    draft: Draft
    done: asyncio.Future[Outcome]

    @property
    def conversation_id(self) -> int:
        return self.draft.conversation_id

    @property
    def client_id(self) -> str:
        return self.draft.client_id

    @property
    def internal(self) -> bool:
        return self.draft.internal

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.conversation_id, self.actor.sender, self.client_id)


@dataclass
class _Chat:
    """A locked conversation row, with counters advanced in memory as the batch is decided."""

    id: int
    visitor_id: int
    agent_id: int | None
    team_id: int
    state: str
    last_seq: int
    last_public_seq: int
    first_response_at: Any
    seq_changed: bool = False


@dataclass
class _Batch:
    rows: list[dict[str, Any]] = field(default_factory=list)
    first_responses: dict[int, Any] = field(default_factory=dict)
    envelopes: list[Envelope] = field(default_factory=list)
    results: list[tuple[_Send, Outcome | HelplineError]] = field(default_factory=list)


class MessageWriter:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._queue: asyncio.Queue[_Send] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="helpline-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if not item.done.done():
                item.done.set_exception(Unavailable("The server is shutting down; please retry."))

    async def submit(self, actor: Actor, draft: Draft) -> Outcome:
        """Queue one send and wait for its commit."""
        done: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Send(actor, draft, done))
        return await done

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit_or_split(batch)
            except Exception:  # never let the writer die; each send was answered
                log.exception("writer batch failed")

    async def _commit_or_split(self, sends: list[_Send]) -> None:
        try:
            batch = await self._commit(sends)
        except Exception as exc:
            if len(sends) > 1 and not isinstance(exc, Unavailable):
                log.warning("a batch of %d sends failed; retrying one by one", len(sends))
                for send in sends:
                    await self._commit_or_split([send])
                return
            for send in sends:
                if not send.done.done():
                    send.done.set_exception(exc)
            return
        for send, result in batch.results:
            if send.done.done():
                continue
            if isinstance(result, HelplineError):
                send.done.set_exception(result)
            else:
                send.done.set_result(result)

    async def _commit(self, sends: list[_Send]) -> _Batch:
        ids = sorted({s.conversation_id for s in sends})
        batch = _Batch()
        async with self.rt.db.write_conn() as tx:
            conn = tx.conn
            chats = await _lock_chats(conn, ids)
            stored = await _stored(conn, sends)
            for send in sends:
                try:
                    batch.results.append((send, self._decide(send, chats, stored, batch)))
                except HelplineError as exc:
                    batch.results.append((send, exc))
            await _write(conn, chats, batch)
            tx.publish(batch.envelopes)
        return batch

    def _decide(
        self,
        send: _Send,
        chats: dict[int, _Chat],
        stored: dict[tuple[int, str, str], dict[str, Any]],
        batch: _Batch,
    ) -> Outcome:
        chat = chats.get(send.conversation_id)
        if chat is None:
            raise NotFound("Conversation not found.")
        original = stored.get(send.key)
        if original is not None:
            check_access(send.actor, chat, "read")
            # Publish again: the first publish may have died with the node that committed it.
            appended = _appended(original)
            batch.envelopes.append(appended.envelope)
            return Outcome(appended.as_seen_by(send.actor), True)
        check_access(send.actor, chat, send_need(internal=send.internal))
        plan = plan_send(
            by=send.actor.view,
            internal=send.internal,
            state=chat.state,
            answered=chat.first_response_at is not None,
        )
        if plan.accept_offer:
            return SLOW
        if plan.visitor_budget:
            self.rt.limit.visitor_messages.check(send.actor.sender, "messages")
        public = plan.public
        chat.last_seq += 1
        chat.last_public_seq += 1 if public else 0
        chat.seq_changed = True
        created = now()
        if plan.first_response:
            chat.first_response_at = batch.first_responses[chat.id] = created
        data = send.draft.data
        data = {**data, "sender_name": send.actor.name} if send.actor.name else data
        event = {
            "conversation_id": chat.id,
            "seq": chat.last_seq,
            "public_seq": chat.last_public_seq if public else None,
            "type": "message" if public else "note",
            "sender": send.actor.sender,
            "client_id": send.client_id,
            "body": send.draft.body,
            "data": data,
            "created_at": created,
        }
        batch.rows.append(event)
        stored[send.key] = event
        appended = _appended(event)
        batch.envelopes.append(appended.envelope)
        return Outcome(appended.as_seen_by(send.actor), False)


_c, _e = CONVERSATIONS.c, EVENTS.c
# Built once: the hot path only binds values (SQLAlchemy caches their compiled form).
LOCK_CHATS = (
    select(
        _c.id,
        _c.visitor_id,
        _c.agent_id,
        _c.team_id,
        _c.state,
        _c.last_seq,
        _c.last_public_seq,
        _c.first_response_at,
    )
    .where(_c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_c.id)
    .with_for_update()
)
STORED = select(
    _e.conversation_id,
    _e.seq,
    _e.public_seq,
    _e.type,
    _e.sender,
    _e.client_id,
    _e.body,
    _e.data,
    _e.created_at,
).where(
    _e.conversation_id.in_(bindparam("ids", expanding=True)),
    _e.client_id.in_(bindparam("client_ids", expanding=True)),
)
INSERT_EVENTS = insert(EVENTS)
SET_COUNTERS = (
    update(CONVERSATIONS)
    .where(_c.id == bindparam("b_id"))
    .values(last_seq=bindparam("b_seq"), last_public_seq=bindparam("b_public"))
)
SET_FIRST_RESPONSE = (
    update(CONVERSATIONS)
    .where(_c.id == bindparam("b_id"), _c.first_response_at.is_(None))
    .values(first_response_at=bindparam("b_at"))
)


async def _lock_chats(conn: AsyncConnection, ids: list[int]) -> dict[int, _Chat]:
    rows = (await conn.execute(LOCK_CHATS, {"ids": ids})).all()
    return {row.id: _Chat(*row) for row in rows}


async def _stored(
    conn: AsyncConnection, sends: list[_Send]
) -> dict[tuple[int, str, str], dict[str, Any]]:
    """Stored events for the batch's (conversation, sender, client id) keys: the resends."""
    params = {
        "ids": list({s.conversation_id for s in sends}),
        "client_ids": list({s.client_id for s in sends}),
    }
    wanted = {s.key for s in sends}
    found = {}
    for row in (await conn.execute(STORED, params)).mappings().all():
        key = (row["conversation_id"], row["sender"], row["client_id"])
        if key in wanted:
            found[key] = dict(row)
    return found


async def _write(conn: AsyncConnection, chats: dict[int, _Chat], batch: _Batch) -> None:
    if batch.rows:
        await conn.execute(INSERT_EVENTS, batch.rows)
    counters = [
        {"b_id": chat.id, "b_seq": chat.last_seq, "b_public": chat.last_public_seq}
        for chat in chats.values()
        if chat.seq_changed
    ]
    if counters:
        await conn.execute(SET_COUNTERS, counters)
    if batch.first_responses:
        await conn.execute(
            SET_FIRST_RESPONSE,
            [{"b_id": i, "b_at": at} for i, at in batch.first_responses.items()],
        )


def _appended(event: dict[str, Any]) -> Appended:
    """A stored or just-decided event row (the columns of ``conversation_events``)."""
    fields = {k: v for k, v in event.items() if k not in ("seq", "public_seq")}
    return Appended(event["seq"], event["public_seq"], event_payload(**fields))
