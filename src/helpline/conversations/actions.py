"""Changes to conversations: start, send, note, read, end, close.

Validate first (``check_*``), then change and publish (``do_*``). Every text is PII-masked before
it is stored or published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.agents.models import Team
from helpline.compliance import audit
from helpline.compliance.pii import mask
from helpline.conversations import states
from helpline.conversations.log import append_event, append_inbox, summary
from helpline.conversations.models import Conversation, ConversationEvent, ResolutionCode
from helpline.conversations.send import check_text, plan_send, send_need
from helpline.conversations.service import (
    Need,
    access_conversation,
    access_row,
    load_events,
    row_payload,
    transcript_line,
    view_event,
)
from helpline.conversations.writer import Draft, MessageWriter
from helpline.core.actors import Actor, Staff, View, Visitor
from helpline.core.clock import now
from helpline.core.errors import Conflict, ErrorCode, Invalid, Unavailable, WrongState
from helpline.core.events import Envelope
from helpline.core.runtime import Runtime
from helpline.core.streams import conversation_stream
from helpline.customers import actions as customers
from helpline.customers.identity import verify
from helpline.customers.models import TIERS
from helpline.routing.actions import accept_in_tx, reroute


@dataclass(frozen=True)
class Started:
    conversation: Conversation
    visitor_token: str | None


async def _pick_team(s: AsyncSession, topic: str, team_id: int | None) -> Team:
    if team_id is not None:
        team = await s.get(Team, team_id)
        if team is None:
            raise Invalid("Unknown team.", code=ErrorCode.UNKNOWN_TEAM)
        return team
    teams = list((await s.execute(select(Team).order_by(Team.id))).scalars().all())
    if not teams:
        raise Unavailable("Chat is not set up yet: there are no teams.", code=ErrorCode.NO_TEAMS)
    by_skill = [t for t in teams if topic and topic in t.skills]
    defaults = [t for t in teams if t.is_default]
    return (by_skill or defaults or teams)[0]


async def do_start(
    rt: Runtime,
    *,
    visitor: Visitor | None,
    name: str,
    email: str,
    topic: str,
    language: str,
    team_id: int | None,
    identity: dict[str, Any] | None,
    signature: str | None,
) -> Started:
    """Start a chat for an existing visitor (token) or a new one; it joins its team's queue."""
    record = (
        verify(identity, signature or "", rt.settings.identity_secret)
        if identity is not None
        else None
    )
    topic_text = mask(topic.strip()).text[:100]
    name = mask(name.strip()).text[:100]
    async with rt.db.write() as s:
        token = None
        if visitor is None:
            row, token = await customers.new_visitor(s, name=name, email=email)
            visitor_id = row.id
        else:
            visitor_id = visitor.visitor_id
        customer = await customers.upsert_customer(s, record) if record else None
        team = await _pick_team(s, topic_text, team_id)
        conv = Conversation(
            visitor_id=visitor_id,
            customer_id=customer.id if customer else None,
            team_id=team.id,
            topic=topic_text,
            language=language,
            skills=[topic_text] if topic_text in team.skills else [],
            priority=TIERS.get(customer.tier, 0) if customer else 0,
        )
        s.add(conv)
        await s.flush()
        started = await append_event(
            s,
            conv.id,
            type="started",
            public=True,
            sender=f"visitor:{visitor_id}",
            sender_name=name,
            data={"topic": topic_text},
        )
        s.publish(started.envelope)
        reroute(rt, s, team.id)
    return Started(conv, token)


@dataclass(frozen=True)
class Sent:
    event: dict[str, Any]
    duplicate: bool

    @property
    def seq(self) -> int:
        return int(self.event["seq"])


async def _original(
    rt: Runtime, conversation_id: int, sender: str, client_id: str
) -> ConversationEvent | None:
    async with rt.db.read() as s:
        return await s.scalar(
            select(ConversationEvent).where(
                ConversationEvent.conversation_id == conversation_id,
                ConversationEvent.sender == sender,
                ConversationEvent.client_id == client_id,
            )
        )


def _as_sent(row: ConversationEvent, actor: Actor) -> Sent:
    view: View = actor.view
    return Sent(
        view_event(row_payload(row), seq=row.seq, public_seq=row.public_seq, view=view), True
    )


async def do_send(
    rt: Runtime,
    actor: Actor,
    *,
    conversation_id: int,
    client_id: str,
    text: str,
    internal: bool = False,
) -> Sent:
    """Append a message (or, for staff with ``internal``, a note) exactly once per client id.

    A resend with a client id already stored returns the original event, whatever the text.
    The caller acknowledges the sender with the returned event only after this returns. Sends go
    through the node's group-commit writer (conversations/writer.py) when it runs.
    """
    body = check_text(text, max_chars=rt.settings.max_message_chars)
    masked = mask(body)
    data: dict[str, Any] = {"masked": list(masked.kinds)} if masked.changed else {}
    draft = Draft(conversation_id, client_id, masked.text, data, internal)
    writer = rt.message_writer
    if isinstance(writer, MessageWriter):
        outcome = await writer.submit(actor, draft)
        if not outcome.slow:
            return Sent(outcome.event, outcome.duplicate)
    return await _send_in_own_transaction(rt, actor, draft)


async def _send_in_own_transaction(rt: Runtime, actor: Actor, draft: Draft) -> Sent:
    """The general path: one transaction for one send, including accepting an offered chat."""
    conversation_id, client_id, internal = draft.conversation_id, draft.client_id, draft.internal
    body, data = draft.body, draft.data
    existing = await _original(rt, conversation_id, actor.sender, client_id)
    if existing is not None:
        async with rt.db.read() as s:
            await access_conversation(s, actor, conversation_id, "read")
        return _as_sent(existing, actor)
    try:
        async with rt.db.write() as s:
            conv = await access_conversation(
                s, actor, conversation_id, send_need(internal=internal), lock=True
            )
            plan = plan_send(
                by=actor.view,
                internal=internal,
                state=conv.state,
                answered=conv.first_response_at is not None,
            )
            if plan.visitor_budget:
                rt.limit.visitor_messages.check(actor.sender, "messages")
            if plan.accept_offer:
                assert isinstance(actor, Staff)
                await accept_in_tx(rt, s, conv, actor)
            if plan.first_response:
                await s.execute(
                    update(Conversation)
                    .where(Conversation.id == conv.id)
                    .values(first_response_at=now())
                )
            appended = await append_event(
                s,
                conv.id,
                type="note" if internal else "message",
                public=not internal,
                sender=actor.sender,
                sender_name=actor.name,
                body=body,
                client_id=client_id,
                data=data,
                states=plan.allowed,
            )
            s.publish(appended.envelope)
    except IntegrityError:
        # Two sends with one client id raced; the other committed first. Return its event.
        again = await _original(rt, conversation_id, actor.sender, client_id)
        if again is None:
            raise
        return _as_sent(again, actor)
    return Sent(appended.as_seen_by(actor), False)


async def do_typing(
    rt: Runtime, actor: Actor, *, conversation_id: int, active: bool, following: bool
) -> None:
    """Tell the other side that ``actor`` is typing (never stored). Visitors type to staff; only
    the assigned agent types to the visitor (``write`` access), so read-only staff stay
    invisible. ``following``: the visitor's connection already follows the conversation, whose
    access was checked when it subscribed, so no read is needed."""
    rt.limit.typing.check(f"{actor.sender}:{conversation_id}", "typing notices")
    is_visitor = actor.view == "visitor"
    if not (is_visitor and following):
        async with rt.db.read_conn() as c:
            await access_row(c, actor, conversation_id, "read" if is_visitor else "write")
    payload: dict[str, Any] = {
        "type": "typing",
        "conversation_id": conversation_id,
        "by": actor.party,
        "active": active,
    }
    if isinstance(actor, Staff):
        payload["name"] = actor.name
    await rt.publish(
        [
            Envelope(
                stream=conversation_stream(conversation_id),
                kind="ephemeral",
                payload=payload,
                audience="staff" if is_visitor else "visitor",
            )
        ]
    )


async def do_read(rt: Runtime, actor: Actor, *, conversation_id: int, seq: int) -> None:
    """Record how far a party has read (``seq`` in the reader's own numbering) and tell both
    sides, each in its own numbering, so a visitor never sees staff sequence numbers (which
    would reveal internal notes). Never moves backwards; a read that moves nothing publishes
    nothing. Staff reads count only from the assigned agent (``write`` access)."""
    rt.limit.receipts.check(f"{actor.sender}:{conversation_id}", "read receipts")
    is_visitor = actor.view == "visitor"
    async with rt.db.write() as s:
        conv = await access_conversation(
            s, actor, conversation_id, "read" if is_visitor else "write"
        )
        column = Conversation.visitor_read_seq if is_visitor else Conversation.agent_read_seq
        limit = conv.last_public_seq if is_visitor else conv.last_seq
        if seq > limit:
            raise Invalid(
                f"Cannot mark seq {seq} read; the conversation is at {limit}.",
                code=ErrorCode.BAD_SEQ,
            )
        moved = await s.execute(
            update(Conversation)
            .where(Conversation.id == conv.id, column < seq)
            .values({column: seq})
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            return
        staff_seq, public_seq = await _both_numberings(s, conv.id, seq, public=is_visitor)
        frame = {
            "type": "read",
            "conversation_id": conversation_id,
            "by": actor.party,
        }
        stream = conversation_stream(conversation_id)
        s.publish(
            Envelope(stream, "ephemeral", payload={**frame, "seq": staff_seq}, audience="staff"),
            Envelope(stream, "ephemeral", payload={**frame, "seq": public_seq}, audience="visitor"),
        )


async def _both_numberings(
    s: AsyncSession, conversation_id: int, seq: int, *, public: bool
) -> tuple[int, int]:
    """(staff seq, public seq) of the read position ``seq``, given in the public numbering
    when ``public`` and in the staff numbering otherwise.

    A staff position maps to the newest public event at or before it; a public position to
    the staff number of that same event. Position 0 (nothing read) is 0 in both.
    """
    if seq == 0:
        return 0, 0
    e = ConversationEvent
    if public:
        staff_seq = await s.scalar(
            select(e.seq).where(e.conversation_id == conversation_id, e.public_seq == seq)
        )
        return int(staff_seq or 0), seq
    public_seq = await s.scalar(
        select(e.public_seq)
        .where(e.conversation_id == conversation_id, e.seq <= seq, e.public_seq.is_not(None))
        .order_by(e.seq.desc())
        .limit(1)
    )
    return seq, int(public_seq or 0)


async def do_end(rt: Runtime, actor: Actor, *, conversation_id: int) -> Conversation:
    """End a chat: a waiting visitor abandons it; otherwise it goes to wrap-up for the agent."""
    async with rt.db.write() as s:
        need: Need = "read" if actor.view == "visitor" else "manage"
        conv = await access_conversation(s, actor, conversation_id, need, lock=True)
        by = actor.party
        if conv.state == "queued" and by == "visitor":
            states.check_transition("abandon", conv.state)
            new_state = "abandoned"
        else:
            states.check_transition("end", conv.state)
            new_state = "wrap-up"
        await _move(s, conv, new_state, ended_at=now())
        s.publish(await _ended(s, conv, actor, by=by))
        if conv.agent_id is not None:
            s.publish(
                await append_inbox(
                    s, conv.agent_id, "conversation.updated", {"conversation": summary(conv)}
                )
            )
        reroute(rt, s, conv.team_id)
    return conv


async def do_rate(
    rt: Runtime, visitor: Visitor, *, conversation_id: int, rating: int, comment: str
) -> None:
    """Record the visitor's satisfaction rating for an ended chat. Once per chat."""
    async with rt.db.write() as s:
        conv = await access_conversation(s, visitor, conversation_id, "read", lock=True)
        if conv.state not in ("wrap-up", "closed"):
            raise WrongState("You can rate a chat once it has ended.", state=conv.state)
        if conv.csat_rating is not None:
            raise Conflict("This chat has already been rated.", code=ErrorCode.ALREADY_RATED)
        conv.csat_rating, conv.csat_comment = rating, mask(comment.strip()).text


async def _ended(s: AsyncSession, conv: Conversation, actor: Actor, *, by: str) -> Envelope:
    """The public "chat ended" event, which the visitor's widget turns into the rating step."""
    ended = await append_event(
        s,
        conv.id,
        type="ended",
        public=True,
        sender=actor.sender,
        sender_name=actor.name,
        data={"by": by},
    )
    return ended.envelope


async def _move(s: AsyncSession, conv: Conversation, new_state: str, **values: Any) -> None:
    await s.execute(
        update(Conversation)
        .where(Conversation.id == conv.id, Conversation.state == conv.state)
        .values(state=new_state, **values)
    )
    conv.state = new_state
    for key, value in values.items():
        setattr(conv, key, value)


async def check_resolution_code(s: AsyncSession, code: str) -> None:
    row = await s.get(ResolutionCode, code)
    if row is None or not row.active:
        raise Invalid(
            "Closing needs a valid resolution code.", code=ErrorCode.RESOLUTION_CODE_REQUIRED
        )


async def do_close(
    rt: Runtime, staff: Staff, *, conversation_id: int, resolution_code: str, note: str
) -> Conversation:
    """Close a chat with a resolution code (mandatory wrap-up). Ends it first if still active."""
    async with rt.db.write() as s:
        conv = await access_conversation(s, staff, conversation_id, "manage", lock=True)
        states.check_transition("close", conv.state)
        await check_resolution_code(s, resolution_code)
        at = now()
        if conv.state == "active":
            s.publish(await _ended(s, conv, staff, by="agent"))
            conv.ended_at = at
        note_text = mask(note.strip()).text[:2000]
        await _move(
            s,
            conv,
            "closed",
            closed_at=at,
            ended_at=conv.ended_at or at,
            resolution_code=resolution_code,
            wrapup_note=note_text,
        )
        closed = await append_event(
            s,
            conv.id,
            type="closed",
            public=False,
            sender=staff.sender,
            sender_name=staff.name,
            data={"resolution_code": resolution_code, "note": note_text},
        )
        s.publish(closed.envelope)
        if conv.agent_id is not None:
            removed = {"conversation_id": conv.id, "reason": "closed"}
            s.publish(await append_inbox(s, conv.agent_id, "conversation.removed", removed))
        reroute(rt, s, conv.team_id)
    return conv


async def do_create_resolution_code(
    rt: Runtime, staff: Staff, *, code: str, label: str, active: bool
) -> ResolutionCode:
    """Add a resolution code (the caller checked ``administer``); an existing code is refused,
    never overwritten."""
    async with rt.db.write() as s:
        if await s.get(ResolutionCode, code) is not None:
            raise Conflict(
                "A resolution code with that name already exists.",
                code=ErrorCode.RESOLUTION_CODE_TAKEN,
                fields=["code"],
            )
        row = ResolutionCode(code=code, label=label, active=active)
        s.add(row)
        audit.record(
            s, actor_id=staff.user_id, action="resolution_code.create", target=f"code:{code}"
        )
    return row


async def do_put_resolution_code(
    rt: Runtime, staff: Staff, *, code: str, label: str, active: bool
) -> ResolutionCode:
    """Create or change a resolution code (the caller checked ``administer``)."""
    async with rt.db.write() as s:
        row = await s.get(ResolutionCode, code) or ResolutionCode(code=code)
        row.label, row.active = label, active
        s.add(row)
        audit.record(s, actor_id=staff.user_id, action="resolution_code.put", target=f"code:{code}")
    return row


TRANSCRIPT_PAGE = 500


async def do_read_transcript(rt: Runtime, staff: Staff, *, conversation_id: int) -> str:
    """The whole conversation as plain text, for staff who may read it; the read is recorded
    in the audit trail in the same transaction, so no transcript leaves unrecorded."""
    async with rt.db.write() as s:
        await access_conversation(s, staff, conversation_id)
        audit.record(
            s,
            actor_id=staff.user_id,
            action="transcript.read",
            target=f"conversation:{conversation_id}",
        )
        lines: list[str] = []
        after = 0
        while True:
            events = await load_events(
                s, conversation_id=conversation_id, after=after, view="staff", limit=TRANSCRIPT_PAGE
            )
            lines += [transcript_line(e) for e in events]
            if len(events) < TRANSCRIPT_PAGE:
                break
            after = events[-1]["seq"]
    return "\n".join(line for line in lines if line) + "\n"
