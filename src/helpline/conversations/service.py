"""Reads over conversations and the event log, rendering, and the access helpers.

Every load on behalf of a user or visitor goes through :func:`access_conversation` (or
:func:`visible_team_ids` for lists), so the rules live in one place:

- a visitor sees only the conversations their token created (anything else is "not found");
- an admin sees everything;
- supervisors, QA and agents see conversations of the teams they belong to, and agents also the
  ones assigned to them;
- only the assigned agent may write to a chat; supervisors and admins of its team may also
  transfer and close it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, cast

from sqlalchemy import ColumnElement, Select, Table, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from helpline.agents.models import User
from helpline.conversations import search
from helpline.conversations.models import Conversation, ConversationEvent, InboxEvent
from helpline.conversations.schemas import CustomerOut, PastConversation
from helpline.core.actors import Actor, Staff, View, Visitor
from helpline.core.clock import aware, iso
from helpline.core.errors import ErrorCode, Forbidden, NotFound
from helpline.core.permissions import Capability
from helpline.customers.models import Customer
from helpline.customers.models import Visitor as VisitorRow

Need = Literal["read", "write", "manage"]


def sender_of(sender: str, name: str | None) -> dict[str, Any]:
    kind, _, ident = sender.partition(":")
    out: dict[str, Any] = {"kind": kind}
    if kind == "agent":
        out["id"] = int(ident)
    if name:
        out["name"] = name
    return out


def event_payload(
    *,
    conversation_id: int,
    type: str,
    sender: str,
    body: str | None,
    client_id: str | None,
    data: dict[str, Any],
    created_at: datetime,
) -> dict[str, Any]:
    """The event as clients see it (docs/protocol.md, "Conversation events"), minus ``seq``."""
    shown = {k: v for k, v in data.items() if k != "sender_name"}
    payload: dict[str, Any] = {
        "type": type,
        "conversation_id": conversation_id,
        "sender": sender_of(sender, data.get("sender_name")),
        "created_at": iso(aware(created_at)),
    }
    if body is not None:
        payload["text"] = body
    if client_id is not None:
        payload["client_id"] = client_id
    if shown:
        payload["data"] = shown
    return payload


def row_payload(row: Any) -> dict[str, Any]:
    """The payload of a stored event: an ORM ``ConversationEvent`` or a Core row of its columns."""
    return event_payload(
        conversation_id=row.conversation_id,
        type=row.type,
        sender=row.sender,
        body=row.body,
        client_id=row.client_id,
        data=row.data,
        created_at=row.created_at,
    )


def view_event(
    payload: dict[str, Any], *, seq: int, public_seq: int | None, view: View
) -> dict[str, Any]:
    """Number an event for one audience. Visitors count only public events."""
    if view == "visitor":
        return {**payload, "seq": public_seq}
    return {**payload, "seq": seq, "public_seq": public_seq}


Reader = AsyncSession | AsyncConnection
_E = cast(Table, ConversationEvent.__table__).c
_C = cast(Table, Conversation.__table__).c
_EVENT_COLUMNS = (
    _E.conversation_id, _E.seq, _E.public_seq, _E.type, _E.sender, _E.client_id, _E.body,
    _E.data, _E.created_at,
)  # fmt: skip
# Built once: resume and replay run these for every reconnecting client.
_STAFF_EVENTS = (
    select(*_EVENT_COLUMNS)
    .where(_E.conversation_id == bindparam("cid"), _E.seq > bindparam("after"))
    .order_by(_E.seq)
    .limit(bindparam("limit"))
)
_PUBLIC_EVENTS = (
    select(*_EVENT_COLUMNS)
    .where(_E.conversation_id == bindparam("cid"), _E.public_seq > bindparam("after"))
    .order_by(_E.public_seq)
    .limit(bindparam("limit"))
)
_HEADS = select(_C.last_seq, _C.last_public_seq).where(_C.id == bindparam("cid"))
_ACCESS = select(
    _C.id, _C.visitor_id, _C.agent_id, _C.team_id, _C.state, _C.last_seq, _C.last_public_seq
).where(_C.id == bindparam("cid"))


async def load_events(
    s: Reader, *, conversation_id: int, after: int, view: View, limit: int
) -> list[dict[str, Any]]:
    """Events after ``after`` in the given view's numbering, oldest first."""
    q = _PUBLIC_EVENTS if view == "visitor" else _STAFF_EVENTS
    rows = (await s.execute(q, {"cid": conversation_id, "after": after, "limit": limit})).all()
    return [view_event(row_payload(r), seq=r.seq, public_seq=r.public_seq, view=view) for r in rows]


async def last_seq(s: Reader, *, conversation_id: int, view: View) -> int:
    row = (await s.execute(_HEADS, {"cid": conversation_id})).first()
    if row is None:
        return 0
    return int(row.last_public_seq if view == "visitor" else row.last_seq)


async def access_row(s: Reader, actor: Actor, conversation_id: int, need: Need = "read") -> Any:
    """:func:`access_conversation` for the hot paths: the row's access columns, state and
    numbering heads (``last_seq``, ``last_public_seq``), no ORM object, no lock."""
    row = (await s.execute(_ACCESS, {"cid": conversation_id})).first()
    if row is None:
        raise NotFound("Conversation not found.")
    check_access(actor, row, need)
    return row


async def last_seqs(
    s: AsyncSession, *, conversation_ids: Sequence[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """Staff and visitor numbering heads for many conversations: ({id: seq}, {id: public_seq})."""
    staff: dict[int, int] = {}
    public: dict[int, int] = {}
    for start in range(0, len(conversation_ids), 500):
        chunk = conversation_ids[start : start + 500]
        q = select(Conversation.id, Conversation.last_seq, Conversation.last_public_seq).where(
            Conversation.id.in_(chunk)
        )
        for conv_id, seq, public_seq in (await s.execute(q)).all():
            staff[conv_id], public[conv_id] = seq, public_seq
    return staff, public


async def load_inbox(s: Reader, *, user_id: int, after: int, limit: int) -> list[dict[str, Any]]:
    i = cast(Table, InboxEvent.__table__).c
    q = (
        select(i.type, i.seq, i.created_at, i.data)
        .where(i.user_id == user_id, i.seq > after)
        .order_by(i.seq)
        .limit(limit)
    )
    return [inbox_payload(r) for r in (await s.execute(q)).all()]


def inbox_payload(row: Any) -> dict[str, Any]:
    """An inbox event as clients see it: an ORM ``InboxEvent`` or a Core row of its columns."""
    return {"type": row.type, "seq": row.seq, "created_at": iso(aware(row.created_at)), **row.data}


async def inbox_last_seq(s: Reader, *, user_id: int) -> int:
    return int(await s.scalar(select(User.inbox_seq).where(User.id == user_id)) or 0)


async def inbox_last_seqs(s: AsyncSession, *, user_ids: Sequence[int]) -> dict[int, int]:
    heads: dict[int, int] = {}
    for start in range(0, len(user_ids), 500):
        q = select(User.id, User.inbox_seq).where(User.id.in_(user_ids[start : start + 500]))
        heads.update({user_id: seq for user_id, seq in (await s.execute(q)).all()})
    return heads


class Accessible(Protocol):
    """What access rules look at: a Conversation, or a row selected with these columns."""

    @property
    def visitor_id(self) -> int: ...
    @property
    def agent_id(self) -> int | None: ...
    @property
    def team_id(self) -> int: ...


def can_access(actor: Actor, conv: Accessible, need: Need) -> bool:
    if isinstance(actor, Visitor):
        return conv.visitor_id == actor.visitor_id and need != "manage"
    own = conv.agent_id == actor.user_id
    if need == "write":
        return own and actor.can(Capability.ANSWER_CHATS)
    in_team = actor.is_admin or conv.team_id in actor.team_ids
    if need == "manage":
        return (own and actor.can(Capability.ANSWER_CHATS)) or (actor.supervises and in_team)
    return in_team or own


def check_access(actor: Actor, conv: Accessible, need: Need) -> None:
    """Raise unless ``actor`` may do ``need`` on ``conv``.

    Visitors get :class:`NotFound` for conversations that are not theirs (existence is not
    revealed). Staff who may read the chat but not do ``need`` get ``read_only`` (their role
    does not answer chats) or ``not_assigned``; anyone else gets ``forbidden``.
    """
    if can_access(actor, conv, need):
        return
    if isinstance(actor, Visitor):
        raise NotFound("Conversation not found.")
    if need != "read" and can_access(actor, conv, "read"):
        check_can_answer(actor)
        raise Forbidden("This conversation is not assigned to you.", code=ErrorCode.NOT_ASSIGNED)
    raise Forbidden("You do not have access to this conversation.")


def check_can_answer(staff: Staff) -> None:
    """Raise ``read_only`` unless ``staff``'s role may take and answer chats."""
    if not staff.can(Capability.ANSWER_CHATS):
        raise Forbidden(
            "Your role can read chats and write internal notes, not answer them.",
            code=ErrorCode.READ_ONLY,
        )


async def access_conversation(
    s: AsyncSession, actor: Actor, conversation_id: int, need: Need = "read", *, lock: bool = False
) -> Conversation:
    """Load a conversation on behalf of ``actor`` or raise.

    Visitors get :class:`NotFound` for conversations that are not theirs (existence is not
    revealed); staff get :class:`Forbidden`. ``lock=True`` takes a row lock (PostgreSQL) for the
    rest of the caller's transaction.
    """
    q = select(Conversation).where(Conversation.id == conversation_id)
    if lock:
        q = q.with_for_update()
    conv = await s.scalar(q)
    if conv is None:
        raise NotFound("Conversation not found.")
    check_access(actor, conv, need)
    return conv


def scope_query(q: Select[Any], actor: Staff) -> Select[Any]:
    if actor.is_admin:
        return q
    return q.where(
        or_(Conversation.team_id.in_(actor.team_ids), Conversation.agent_id == actor.user_id)
    )


@dataclass(frozen=True)
class ListFilters:
    """What the console's conversation lists and history search filter on (all optional)."""

    states: Sequence[str] = ()
    team_id: int | None = None
    agent_id: int | None = None
    search: str = ""  # words, through the full-text engine (conversations/search.py)
    resolution_code: str | None = None
    since: datetime | None = None  # created at or after
    until: datetime | None = None  # created before
    customer: str = ""  # part of the visitor's or customer's name or e-mail, or an external id


def is_sqlite(s: AsyncSession) -> bool:
    return s.get_bind().dialect.name == "sqlite"


async def list_conversations(
    s: AsyncSession,
    actor: Staff,
    filters: ListFilters,
    *,
    limit: int = 50,
    before_id: int | None = None,
) -> list[Conversation]:
    """Newest first, filtered, within what ``actor`` may read."""
    q = scope_query(select(Conversation), actor)
    if filters.states:
        q = q.where(Conversation.state.in_(filters.states))
    if filters.team_id is not None:
        q = q.where(Conversation.team_id == filters.team_id)
    if filters.agent_id is not None:
        q = q.where(Conversation.agent_id == filters.agent_id)
    if filters.resolution_code is not None:
        q = q.where(Conversation.resolution_code == filters.resolution_code)
    if filters.since is not None:
        q = q.where(Conversation.created_at >= filters.since)
    if filters.until is not None:
        q = q.where(Conversation.created_at < filters.until)
    if filters.customer:
        q = q.where(_customer_matches(filters.customer))
    if before_id is not None:
        q = q.where(Conversation.id < before_id)
    if filters.search:
        words = search.terms(filters.search)
        if not words:
            return []
        q = q.where(Conversation.id.in_(search.matching_conversations(words, sqlite=is_sqlite(s))))
    q = q.order_by(Conversation.id.desc()).limit(limit)
    return list((await s.execute(q)).scalars().all())


def _customer_matches(needle: str) -> ColumnElement[bool]:
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    pattern = pattern.lower()

    def like(column: Any) -> ColumnElement[bool]:
        return func.lower(column).like(pattern, escape="\\")

    visitors = select(VisitorRow.id).where(or_(like(VisitorRow.name), like(VisitorRow.email)))
    customers = select(Customer.id).where(
        or_(like(Customer.name), like(Customer.email), Customer.external_id == needle)
    )
    return or_(Conversation.visitor_id.in_(visitors), Conversation.customer_id.in_(customers))


async def customer_profile(s: AsyncSession, actor: Staff, conv: Conversation) -> CustomerOut:
    """The visitor, their verified customer record if any, and other chats ``actor`` may read."""
    visitor = await s.get(VisitorRow, conv.visitor_id)
    customer = await s.get(Customer, conv.customer_id) if conv.customer_id else None
    same_person = Conversation.visitor_id == conv.visitor_id
    if conv.customer_id is not None:
        same_person = or_(same_person, Conversation.customer_id == conv.customer_id)
    q = scope_query(select(Conversation), actor).where(same_person, Conversation.id != conv.id)
    past = (await s.execute(q.order_by(Conversation.id.desc()).limit(10))).scalars().all()
    return CustomerOut(
        name=(customer.name if customer and customer.name else "")
        or (visitor.name if visitor else ""),
        email=(customer.email if customer and customer.email else "")
        or (visitor.email if visitor else ""),
        tier=customer.tier if customer else "standard",
        account_status=customer.account_status if customer else "",
        external_id=customer.external_id if customer else None,
        past=[PastConversation.model_validate(p) for p in past],
    )


def transcript_line(event: dict[str, Any]) -> str:
    """One line of a plain-text transcript, or "" for events that are not worth a line."""
    sender = event.get("sender", {})
    who = sender.get("name") or sender.get("kind", "system")
    stamp = event.get("created_at", "")
    match event["type"]:
        case "message":
            return f"[{stamp}] {who}: {event.get('text', '')}"
        case "note":
            return f"[{stamp}] (internal note) {who}: {event.get('text', '')}"
        case "agent_joined" | "agent_left" | "ended" | "started" | "transferred" | "closed":
            return f"[{stamp}] -- {event['type'].replace('_', ' ')}" + (
                f" ({who})" if sender.get("kind") != "system" else ""
            )
    return ""
