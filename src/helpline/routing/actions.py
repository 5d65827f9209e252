"""Assignment lifecycle: offer, accept, pick, requeue, transfer, and agent status.

Each ``do_*`` runs one write transaction; its envelopes and routing requests are queued on the
write session and go out after the commit. The ``*_in_tx`` helpers run inside a caller's
transaction and queue on it the same way. The cap holds
across nodes because :func:`_claim_slot` locks the agent's presence row before counting the
agent's open chats, and every state change is a conditional UPDATE on the expected old state.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.agents.models import AgentPresence, Team, User
from helpline.compliance import audit
from helpline.compliance.pii import mask
from helpline.conversations.log import append_event, append_inbox, summary
from helpline.conversations.models import Conversation
from helpline.conversations.service import access_conversation, check_can_answer
from helpline.conversations.states import check_transition
from helpline.core.actors import Staff
from helpline.core.clock import now
from helpline.core.db import WriteSession
from helpline.core.errors import ErrorCode, Invalid, NotFound, WrongState
from helpline.core.events import Envelope
from helpline.core.permissions import Capability, can
from helpline.core.runtime import Runtime
from helpline.core.streams import access_stream
from helpline.routing import service
from helpline.routing.hours import schedule_errors
from helpline.routing.models import Assignment
from helpline.routing.schemas import TeamHoursOut
from helpline.routing.selection import Decision


def reroute(rt: Runtime, s: WriteSession, *team_ids: int) -> None:
    """Ask the router to look at these teams' queues once the transaction has committed."""
    for team_id in sorted(set(team_ids)):
        s.after_commit(partial(rt.request_routing, team_id))


def access_changed(conversation_id: int) -> Envelope:
    """The notice that makes every hub re-check who may follow the conversation. Publish it
    with every change of a chat's team or assignee."""
    return Envelope(stream=access_stream(conversation_id), kind="access")


async def _claim_slot(s: AsyncSession, agent_id: int, cap: int) -> AgentPresence | None:
    """Lock the agent's presence row and return it if they are online and under ``cap``."""
    presence = await s.scalar(
        select(AgentPresence).where(AgentPresence.user_id == agent_id).with_for_update()
    )
    if presence is None or presence.status != "online":
        return None
    load = (await service.loads(s, [agent_id])).get(agent_id, 0)
    return presence if load < cap else None


async def _agent_name(s: AsyncSession, agent_id: int) -> str:
    return str(await s.scalar(select(User.name).where(User.id == agent_id)) or "")


async def _end_assignment(
    s: AsyncSession, conversation_id: int, agent_id: int, outcome: str
) -> None:
    await s.execute(
        update(Assignment)
        .where(
            Assignment.conversation_id == conversation_id,
            Assignment.agent_id == agent_id,
            Assignment.outcome.in_(("offered", "accepted")),
        )
        .values(outcome=outcome, ended_at=now())
    )


async def do_offer(rt: Runtime, *, conversation_id: int, team: Team, decision: Decision) -> bool:
    """Offer a queued chat to the chosen agent. False if the chat or the agent's slot is gone."""
    async with rt.db.write() as s:
        if await _claim_slot(s, decision.agent_id, team.effective_cap) is None:
            return False
        at = now()
        moved = await s.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.state == "queued")
            .values(state="assigned", agent_id=decision.agent_id, assigned_at=at)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            return False
        await s.execute(
            update(AgentPresence)
            .where(AgentPresence.user_id == decision.agent_id)
            .values(idle_since=at)
        )
        s.add(
            Assignment(
                conversation_id=conversation_id, agent_id=decision.agent_id, reason=decision.reason
            )
        )
        name = await _agent_name(s, decision.agent_id)
        data = {"agent_id": decision.agent_id, "agent_name": name, "reason": decision.reason}
        event = await append_event(s, conversation_id, type="assigned", public=False, data=data)
        conv = await s.get(Conversation, conversation_id)
        assert conv is not None
        offer = {"conversation": summary(conv), "expires_in_s": team.answer_timeout_s}
        s.publish(
            event.envelope,
            await append_inbox(s, decision.agent_id, "conversation.offered", offer),
        )
        reroute(rt, s, team.id)
    return True


async def accept_in_tx(rt: Runtime, s: WriteSession, conv: Conversation, staff: Staff) -> None:
    """Move an offered chat to active inside the caller's transaction (accept or first reply)."""
    check_transition("accept", conv.state)
    moved = await s.execute(
        update(Conversation)
        .where(
            Conversation.id == conv.id,
            Conversation.state == "assigned",
            Conversation.agent_id == staff.user_id,
        )
        .values(state="active")
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise WrongState("The offer is no longer yours to accept.", state=conv.state)
    conv.state = "active"
    await _end_assignment_accepted(s, conv.id, staff.user_id)
    joined = await append_event(
        s,
        conv.id,
        type="agent_joined",
        public=True,
        sender=staff.sender,
        sender_name=staff.name,
        data={"agent_name": staff.name},
    )
    s.publish(
        joined.envelope,
        await append_inbox(
            s, staff.user_id, "conversation.accepted", {"conversation": summary(conv)}
        ),
    )


async def _end_assignment_accepted(s: AsyncSession, conversation_id: int, agent_id: int) -> None:
    await s.execute(
        update(Assignment)
        .where(
            Assignment.conversation_id == conversation_id,
            Assignment.agent_id == agent_id,
            Assignment.outcome == "offered",
        )
        .values(outcome="accepted")
    )


async def do_accept(rt: Runtime, staff: Staff, conversation_id: int) -> Conversation:
    """The assigned agent accepts an offered chat."""
    async with rt.db.write() as s:
        conv = await access_conversation(s, staff, conversation_id, "write", lock=True)
        await accept_in_tx(rt, s, conv, staff)
    return conv


async def do_pick(rt: Runtime, staff: Staff, conversation_id: int) -> Conversation:
    """An agent takes a waiting chat from one of their teams' queues by hand."""
    async with rt.db.write() as s:
        conv = await access_conversation(s, staff, conversation_id, "read", lock=True)
        check_can_answer(staff)
        check_transition("offer", conv.state)
        team = await s.get(Team, conv.team_id)
        assert team is not None
        if await _claim_slot(s, staff.user_id, team.effective_cap) is None:
            raise WrongState(
                "You are not online or already at your chat limit.", code=ErrorCode.AT_CAPACITY
            )
        at = now()
        await s.execute(
            update(Conversation)
            .where(Conversation.id == conv.id, Conversation.state == "queued")
            .values(state="assigned", agent_id=staff.user_id, assigned_at=at)
        )
        await s.execute(
            update(AgentPresence)
            .where(AgentPresence.user_id == staff.user_id)
            .values(idle_since=at)
        )
        reason = {"rule": "manual_pick", "by": staff.user_id}
        s.add(Assignment(conversation_id=conv.id, agent_id=staff.user_id, reason=reason))
        event = await append_event(
            s,
            conv.id,
            type="assigned",
            public=False,
            data={"agent_id": staff.user_id, "agent_name": staff.name, "reason": reason},
        )
        s.publish(event.envelope)
        conv.state, conv.agent_id = "assigned", staff.user_id
        await accept_in_tx(rt, s, conv, staff)
        reroute(rt, s, conv.team_id)
    return conv


async def requeue_in_tx(
    rt: Runtime,
    s: WriteSession,
    conv: Conversation,
    *,
    reason: str,
    outcome: str,
    team_id: int | None = None,
) -> bool:
    """Put an assigned or active chat back in a queue (its own team's, or ``team_id``'s).

    It keeps its original ``queued_at``, so it goes back near the front rather than to the end.
    """
    old_agent, old_state = conv.agent_id, conv.state
    values: dict[str, Any] = {"state": "queued", "agent_id": None, "assigned_at": None}
    if team_id is not None:
        values.update(team_id=team_id, skills=[])
    moved = await s.execute(
        update(Conversation)
        .where(
            Conversation.id == conv.id,
            Conversation.state == old_state,
            Conversation.agent_id == old_agent,
        )
        .values(**values)
    )
    if moved.rowcount != 1 or old_agent is None:  # type: ignore[attr-defined]
        return False
    await _end_assignment(s, conv.id, old_agent, outcome)
    name = await _agent_name(s, old_agent)
    event = await append_event(
        s,
        conv.id,
        type="requeued",
        public=False,
        data={
            "reason": reason,
            "agent_id": old_agent,
            "agent_name": name,
            "team_id": team_id or conv.team_id,
        },
    )
    s.publish(event.envelope)
    if old_state == "active":
        left = await append_event(
            s, conv.id, type="agent_left", public=True, data={"agent_name": name}
        )
        s.publish(left.envelope)
    removed = {"conversation_id": conv.id, "reason": reason}
    s.publish(await append_inbox(s, old_agent, "conversation.removed", removed))
    s.publish(access_changed(conv.id))
    reroute(rt, s, conv.team_id, team_id or conv.team_id)
    return True


async def do_transfer(
    rt: Runtime,
    staff: Staff,
    conversation_id: int,
    *,
    agent_id: int | None,
    team_id: int | None,
    note: str,
) -> Conversation:
    """Hand a chat to another agent (offered to them) or to a team's queue, with a handover note."""
    if (agent_id is None) == (team_id is None):
        raise Invalid("Transfer to exactly one of agent_id or team_id.")
    async with rt.db.write() as s:
        conv = await access_conversation(s, staff, conversation_id, "manage", lock=True)
        check_transition("transfer", conv.state)
        from_agent = conv.agent_id
        if team_id is not None:
            if await s.get(Team, team_id) is None:
                raise NotFound("Team not found.")
            await requeue_in_tx(
                rt, s, conv, reason="transferred", outcome="transferred", team_id=team_id
            )
            conv.state, conv.agent_id, conv.team_id = "queued", None, team_id
        else:
            assert agent_id is not None
            await _transfer_to_agent(rt, s, conv, agent_id, staff)
        note_event = await append_event(
            s,
            conv.id,
            type="transferred",
            public=False,
            sender=staff.sender,
            sender_name=staff.name,
            body=mask(note.strip()).text[:2000] or None,
            data={"from_agent_id": from_agent, "to_agent_id": agent_id, "to_team_id": team_id},
        )
        s.publish(note_event.envelope)
        if team_id is not None or conv.state == "assigned":
            public = await append_event(s, conv.id, type="transferring", public=True)
            s.publish(public.envelope)
    return conv


async def _transfer_to_agent(
    rt: Runtime, s: WriteSession, conv: Conversation, agent_id: int, staff: Staff
) -> None:
    if agent_id == conv.agent_id:
        raise Invalid("The conversation is already with that agent.")
    target = await s.get(User, agent_id)
    if target is None or not target.is_active or not can(target.role, Capability.ANSWER_CHATS):
        raise NotFound("Agent not found.")
    team_id = service.transfer_team(conv.team_id, await service.teams_of(s, agent_id))
    if team_id is None:
        raise Invalid("That agent is not in any team.")
    team = await s.get(Team, team_id)
    assert team is not None
    if await _claim_slot(s, agent_id, team.effective_cap) is None:
        raise WrongState(
            "That agent is not online or has no free chat slot.", code=ErrorCode.AGENT_UNAVAILABLE
        )
    old_agent = conv.agent_id
    if old_agent is not None:
        await _end_assignment(s, conv.id, old_agent, "transferred")
        removed = {"conversation_id": conv.id, "reason": "transferred"}
        s.publish(await append_inbox(s, old_agent, "conversation.removed", removed))
    at = now()
    await s.execute(
        update(Conversation)
        .where(Conversation.id == conv.id)
        .values(state="assigned", agent_id=agent_id, team_id=team_id, assigned_at=at)
    )
    conv.state, conv.agent_id, conv.team_id = "assigned", agent_id, team_id
    reason = {"rule": "manual_transfer", "by": staff.user_id}
    s.add(Assignment(conversation_id=conv.id, agent_id=agent_id, reason=reason))
    offer = {"conversation": summary(conv), "expires_in_s": team.answer_timeout_s}
    s.publish(await append_inbox(s, agent_id, "conversation.offered", offer))
    s.publish(access_changed(conv.id))
    reroute(rt, s, team_id)


async def requeue_outside_teams(
    rt: Runtime, s: WriteSession, user_id: int, team_ids: set[int]
) -> None:
    """Put back in their queues the chats ``user_id`` holds in teams they are no longer in."""
    held = await s.execute(
        select(Conversation).where(
            Conversation.agent_id == user_id,
            Conversation.state.in_(("assigned", "active")),
            Conversation.team_id.not_in(team_ids),
        )
    )
    for conv in held.scalars().all():
        await requeue_in_tx(rt, s, conv, reason="team_left", outcome="team_left")


async def do_set_status(rt: Runtime, staff: Staff, status: str, *, reason: str = "manual") -> None:
    """Set an agent's status. Going offline puts their open chats back in the queue."""
    if status not in ("online", "away", "offline"):
        raise Invalid("Status must be online, away or offline.")
    async with rt.db.write() as s:
        await set_status_in_tx(rt, s, staff.user_id, status, reason=reason)


async def set_status_in_tx(
    rt: Runtime, s: WriteSession, user_id: int, status: str, *, reason: str
) -> None:
    at = now()
    presence = await s.scalar(
        select(AgentPresence).where(AgentPresence.user_id == user_id).with_for_update()
    )
    if presence is None:
        presence = AgentPresence(
            user_id=user_id, status=status, idle_since=at, last_seen_at=at, status_changed_at=at
        )
        s.add(presence)
    elif presence.status != status:
        presence.status, presence.status_changed_at = status, at
        if status == "online":
            presence.idle_since, presence.last_seen_at = at, at
    if status == "offline":
        held = await s.execute(
            select(Conversation).where(
                Conversation.agent_id == user_id, Conversation.state.in_(("assigned", "active"))
            )
        )
        for conv in held.scalars().all():
            await requeue_in_tx(rt, s, conv, reason="agent_offline", outcome="agent_offline")
    s.publish(await append_inbox(s, user_id, "status", {"status": status, "reason": reason}))
    reroute(rt, s, *await service.teams_of(s, user_id))


async def do_put_team_hours(
    rt: Runtime, staff: Staff, *, team_id: int, hours: dict[str, Any] | None
) -> TeamHoursOut:
    """Replace a team's business hours (admin; the caller checks); None makes it always open.
    Bad hours change nothing and raise :class:`Invalid` naming every bad field under
    ``hours.``. The team's queue is routed again after the commit, for hours that open it."""
    if hours is not None and (errors := schedule_errors(hours)):
        first = min(errors)
        more = f" ({len(errors) - 1} more in details.fields)" if len(errors) > 1 else ""
        raise Invalid(
            f"Check the business hours, hours.{first}: {errors[first]}{more}",
            fields=[f"hours.{name}" for name in sorted(errors)],
        )
    async with rt.db.write() as s:
        team = await s.get(Team, team_id)
        if team is None:
            raise NotFound("Team not found.")
        team.hours = hours
        audit.record(s, actor_id=staff.user_id, action="team.hours", target=f"team:{team.id}")
        reroute(rt, s, team_id)
    return service.team_hours_out(team)
