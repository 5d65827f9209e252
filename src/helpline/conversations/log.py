"""Appending to the event logs: the only code that assigns sequence numbers.

Contract: call inside an open write transaction (``Database.write``) and publish the returned
envelopes only after that transaction has committed. The counter UPDATE takes the conversation's
row lock (PostgreSQL) or runs under the process write lock (SQLite), so numbers are gapless and
in commit order; a rollback gives the numbers back.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.agents.models import User
from helpline.conversations.models import Conversation, ConversationEvent, InboxEvent
from helpline.conversations.service import event_payload, view_event
from helpline.core.actors import Actor, Visitor
from helpline.core.clock import iso, now
from helpline.core.errors import NotFound, WrongState
from helpline.core.events import Envelope
from helpline.core.streams import conversation_stream, inbox_stream


@dataclass(frozen=True)
class Appended:
    seq: int
    public_seq: int | None
    payload: dict[str, Any]

    @property
    def envelope(self) -> Envelope:
        return Envelope(
            stream=conversation_stream(self.payload["conversation_id"]),
            kind="event",
            seq=self.seq,
            public_seq=self.public_seq,
            payload=self.payload,
            audience="all" if self.public_seq is not None else "staff",
        )

    def as_seen_by_visitor(self) -> dict[str, Any]:
        return view_event(self.payload, seq=self.seq, public_seq=self.public_seq, view="visitor")

    def as_seen_by_staff(self) -> dict[str, Any]:
        return view_event(self.payload, seq=self.seq, public_seq=self.public_seq, view="staff")

    def as_seen_by(self, actor: Actor) -> dict[str, Any]:
        return self.as_seen_by_visitor() if isinstance(actor, Visitor) else self.as_seen_by_staff()


async def append_event(
    s: AsyncSession,
    conversation_id: int,
    *,
    type: str,
    public: bool,
    sender: str = "system",
    sender_name: str | None = None,
    body: str | None = None,
    client_id: str | None = None,
    data: dict[str, Any] | None = None,
    states: Collection[str] | None = None,
) -> Appended:
    """Append one event. With ``states``, refuse (WrongState) unless the chat is in one of them.

    The state check and the counter bump are one conditional UPDATE, so a chat closed by another
    node a moment earlier cannot receive a message.
    """
    counters = {Conversation.last_seq: Conversation.last_seq + 1}
    if public:
        counters[Conversation.last_public_seq] = Conversation.last_public_seq + 1
    q = update(Conversation).where(Conversation.id == conversation_id)
    if states is not None:
        q = q.where(Conversation.state.in_(list(states)))
    q = q.values(counters).returning(Conversation.last_seq, Conversation.last_public_seq)
    row = (await s.execute(q)).one_or_none()
    if row is None:
        state = await s.scalar(select(Conversation.state).where(Conversation.id == conversation_id))
        if state is None:
            raise NotFound("Conversation not found.")
        raise WrongState(f"The conversation is {state}.", state=state)
    seq, public_seq = int(row[0]), (int(row[1]) if public else None)
    stored = dict(data or {})
    if sender_name:
        stored["sender_name"] = sender_name
    created = now()
    await s.execute(
        insert(ConversationEvent).values(
            conversation_id=conversation_id,
            seq=seq,
            public_seq=public_seq,
            type=type,
            sender=sender,
            client_id=client_id,
            body=body,
            data=stored,
            created_at=created,
        )
    )
    payload = event_payload(
        conversation_id=conversation_id,
        type=type,
        sender=sender,
        body=body,
        client_id=client_id,
        data=stored,
        created_at=created,
    )
    return Appended(seq, public_seq, payload)


async def append_inbox(s: AsyncSession, user_id: int, type: str, data: dict[str, Any]) -> Envelope:
    """Append one event to an agent's own stream and return its envelope."""
    seq = (
        await s.execute(
            update(User)
            .where(User.id == user_id)
            .values(inbox_seq=User.inbox_seq + 1)
            .returning(User.inbox_seq)
        )
    ).scalar_one()
    created = now()
    await s.execute(
        insert(InboxEvent).values(
            user_id=user_id, seq=seq, type=type, data=data, created_at=created
        )
    )
    payload = {"type": type, "seq": seq, "created_at": iso(created), **data}
    return Envelope(stream=inbox_stream(user_id), kind="event", seq=seq, payload=payload)


def summary(conv: Conversation) -> dict[str, Any]:
    """The short form of a conversation carried in inbox events and lists."""
    return {
        "conversation_id": conv.id,
        "state": conv.state,
        "team_id": conv.team_id,
        "agent_id": conv.agent_id,
        "topic": conv.topic,
        "priority": conv.priority,
        "queued_at": iso(conv.queued_at),
    }
