"""Routing reads: agent snapshots, loads, queues and recent handle times."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.agents.models import AgentPresence, Team, TeamMember, User
from helpline.agents.service import team_ids_of
from helpline.conversations.models import Conversation
from helpline.conversations.states import HOLDS_CAPACITY
from helpline.core.actors import Staff
from helpline.core.clock import aware, now
from helpline.core.errors import Forbidden
from helpline.core.permissions import Capability, roles_with
from helpline.routing import hours
from helpline.routing.hours import Schedule
from helpline.routing.models import Assignment
from helpline.routing.schemas import TeamHoursOut, TransferTargetOut
from helpline.routing.selection import Candidate

log = logging.getLogger("helpline.routing")
ROUTABLE_ROLES = roles_with(Capability.ROUTED)


async def loads(s: AsyncSession, agent_ids: list[int]) -> dict[int, int]:
    """Open chats held by each agent (assigned or active), counted from the conversations."""
    if not agent_ids:
        return {}
    q = (
        select(Conversation.agent_id, func.count())
        .where(Conversation.agent_id.in_(agent_ids), Conversation.state.in_(HOLDS_CAPACITY))
        .group_by(Conversation.agent_id)
    )
    return {int(a): int(n) for a, n in (await s.execute(q)).all() if a is not None}


async def candidates(s: AsyncSession, team: Team) -> list[Candidate]:
    """Online members of ``team`` who can take chats, with their current load."""
    q = (
        select(User.id, User.skills, User.languages, AgentPresence.status, AgentPresence.idle_since)
        .join(TeamMember, TeamMember.user_id == User.id)
        .join(AgentPresence, AgentPresence.user_id == User.id)
        .where(
            TeamMember.team_id == team.id,
            User.is_active.is_(True),
            User.role.in_(ROUTABLE_ROLES),
            AgentPresence.status == "online",
        )
    )
    rows = (await s.execute(q)).all()
    load = await loads(s, [r[0] for r in rows])
    at = now()
    return [
        Candidate(
            id=r[0],
            status=r[3],
            active=load.get(r[0], 0),
            cap=team.effective_cap,
            idle_s=(at - aware(r[4])).total_seconds(),
            skills=frozenset(r[1]),
            languages=frozenset(r[2]),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Waiting:
    id: int
    skills: frozenset[str]
    language: str
    queued_at: datetime
    priority: int


async def queue(s: AsyncSession, team_id: int, *, limit: int = 1000) -> list[Waiting]:
    """The team's queue in service order: higher priority first, then longest waiting."""
    q = (
        select(
            Conversation.id,
            Conversation.skills,
            Conversation.language,
            Conversation.queued_at,
            Conversation.priority,
        )
        .where(Conversation.team_id == team_id, Conversation.state == "queued")
        .order_by(Conversation.priority.desc(), Conversation.queued_at, Conversation.id)
        .limit(limit)
    )
    return [
        Waiting(r[0], frozenset(r[1]), r[2], aware(r[3]), r[4]) for r in (await s.execute(q)).all()
    ]


async def excluded_agents(
    s: AsyncSession, conversation_ids: list[int]
) -> dict[int, frozenset[int]]:
    """Agents a chat should not be offered to again: they let it time out or passed it on."""
    if not conversation_ids:
        return {}
    q = select(Assignment.conversation_id, Assignment.agent_id).where(
        Assignment.conversation_id.in_(conversation_ids),
        Assignment.outcome.in_(("no_answer", "transferred")),
    )
    out: dict[int, set[int]] = {}
    for conv_id, agent_id in (await s.execute(q)).all():
        out.setdefault(conv_id, set()).add(agent_id)
    return {k: frozenset(v) for k, v in out.items()}


async def recent_handle_times(s: AsyncSession, team_id: int, *, limit: int = 50) -> list[float]:
    q = (
        select(Conversation.assigned_at, Conversation.ended_at)
        .where(
            Conversation.team_id == team_id,
            Conversation.ended_at.is_not(None),
            Conversation.assigned_at.is_not(None),
        )
        .order_by(Conversation.ended_at.desc())
        .limit(limit)
    )
    return [
        (aware(end) - aware(start)).total_seconds()
        for start, end in (await s.execute(q)).all()
        if start is not None and end is not None
    ]


async def teams_of(s: AsyncSession, user_id: int) -> list[int]:
    rows = await s.execute(select(TeamMember.team_id).where(TeamMember.user_id == user_id))
    return [r[0] for r in rows.all()]


async def teams_with_queue(s: AsyncSession) -> list[int]:
    rows = await s.execute(
        select(Conversation.team_id).where(Conversation.state == "queued").distinct()
    )
    return [r[0] for r in rows.all()]


async def agents_online(s: AsyncSession) -> int:
    """How many active staff who are routed chats are online now."""
    q = (
        select(func.count())
        .select_from(AgentPresence)
        .join(User, User.id == AgentPresence.user_id)
        .where(
            AgentPresence.status == "online",
            User.is_active.is_(True),
            User.role.in_(ROUTABLE_ROLES),
        )
    )
    return int(await s.scalar(q) or 0)


def transfer_team(chat_team_id: int, agent_team_ids: list[int]) -> int | None:
    """The team a chat joins when transferred to an agent: its own team if the agent is in it,
    else the agent's first team; None for an agent in no team (who cannot receive it)."""
    if chat_team_id in agent_team_ids:
        return chat_team_id
    return min(agent_team_ids) if agent_team_ids else None


async def transfer_targets(s: AsyncSession, conv: Conversation) -> list[TransferTargetOut]:
    """Everyone a chat could be transferred to now: active, online, allowed to answer chats,
    in a team, not the current assignee; with their load against that team's cap. Agents of
    the chat's own team first, then those with the most free slots."""
    q = (
        select(User.id, User.name)
        .join(AgentPresence, AgentPresence.user_id == User.id)
        .where(
            User.is_active.is_(True),
            User.role.in_(roles_with(Capability.ANSWER_CHATS)),
            AgentPresence.status == "online",
        )
    )
    if conv.agent_id is not None:
        q = q.where(User.id != conv.agent_id)
    people = (await s.execute(q)).all()
    ids = [p[0] for p in people]
    memberships = await team_ids_of(s, ids)
    caps = {t.id: t.effective_cap for t in (await s.execute(select(Team))).scalars().all()}
    load = await loads(s, ids)
    out = []
    for user_id, name in people:
        team_id = transfer_team(conv.team_id, memberships.get(user_id, []))
        if team_id is None:
            continue
        cap, held = caps[team_id], load.get(user_id, 0)
        out.append(
            TransferTargetOut(
                user_id=user_id, name=name, team_id=team_id, load=held, cap=cap, free=held < cap
            )
        )
    out.sort(key=lambda t: (t.team_id != conv.team_id, -(t.cap - t.load), t.name, t.user_id))
    return out


def check_team_member(staff: Staff, team_id: int) -> None:
    """Admins see every team; other staff only their own."""
    if not staff.is_admin and team_id not in staff.team_ids:
        raise Forbidden("You are not in that team.")


def team_schedule(team: Team) -> Schedule | None:
    """The team's business hours; None when it has none: always open.

    Stored hours were checked when written, but an upgrade of the zone database or of the
    holiday calendars can retire a name they use. Such hours count as none, with an error in
    the log, so the team's chats are still offered rather than stranded."""
    if team.hours is None:
        return None
    try:
        return hours.parse_schedule(team.hours)
    except hours.ScheduleInvalid as exc:
        log.error("team %s: its business hours are no longer valid (%s)", team.id, exc)
        return None


def team_hours_out(team: Team, *, at: datetime | None = None) -> TeamHoursOut:
    """The team's hours with whether it is open ``at`` (default: now) and when that changes."""
    at = at or now()
    schedule = team_schedule(team)
    if schedule is None:
        return TeamHoursOut(team_id=team.id, hours=None, open_now=True, next_change_at=None)
    open_now = hours.is_open(schedule, at)
    change = (hours.next_closing if open_now else hours.next_opening)(schedule, at)
    return TeamHoursOut(team_id=team.id, hours=team.hours, open_now=open_now, next_change_at=change)
