"""Routes for a team's live queue, agent loads and business hours (staff of the team; admins
change the hours)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from helpline.agents.models import AgentPresence, Team, TeamMember, User
from helpline.core.clock import now
from helpline.core.errors import NotFound
from helpline.core.permissions import Capability
from helpline.deps import CurrentStaff, Rt, require
from helpline.routing import service
from helpline.routing.actions import do_put_team_hours
from helpline.routing.schemas import (
    AgentLoadOut,
    TeamHoursIn,
    TeamHoursOut,
    TeamQueueOut,
    WaitingOut,
)

router = APIRouter(prefix="/api/v1/teams", tags=["routing"])


@router.get("/{team_id}/queue")
async def team_queue(team_id: int, staff: CurrentStaff, rt: Rt) -> TeamQueueOut:
    """Who is waiting (in service order) and every member's status and load."""
    service.check_team_member(staff, team_id)
    async with rt.db.read() as s:
        team = await s.get(Team, team_id)
        if team is None:
            raise NotFound("Team not found.")
        waiting = await service.queue(s, team_id)
        members = (
            await s.execute(
                select(User.id, User.name, AgentPresence.status)
                .join(TeamMember, TeamMember.user_id == User.id)
                .join(AgentPresence, AgentPresence.user_id == User.id)
                .where(TeamMember.team_id == team_id, User.is_active.is_(True))
                .order_by(User.name)
            )
        ).all()
        load = await service.loads(s, [m[0] for m in members])
    at = now()
    return TeamQueueOut(
        team_id=team_id,
        waiting=[
            WaitingOut(
                conversation_id=w.id,
                position=i,
                priority=w.priority,
                topic_skills=sorted(w.skills),
                language=w.language,
                queued_at=w.queued_at,
                waited_s=int((at - w.queued_at).total_seconds()),
            )
            for i, w in enumerate(waiting, start=1)
        ],
        agents=[
            AgentLoadOut(
                user_id=m[0], name=m[1], status=m[2], load=load.get(m[0], 0), cap=team.effective_cap
            )
            for m in members
        ],
    )


@router.get("/{team_id}/hours")
async def team_hours(team_id: int, staff: CurrentStaff, rt: Rt) -> TeamHoursOut:
    """The team's business hours, whether it is open now, and when that next changes."""
    service.check_team_member(staff, team_id)
    async with rt.db.read() as s:
        team = await s.get(Team, team_id)
    if team is None:
        raise NotFound("Team not found.")
    return service.team_hours_out(team)


@router.put("/{team_id}/hours")
async def put_team_hours(
    team_id: int, body: TeamHoursIn, staff: CurrentStaff, rt: Rt
) -> TeamHoursOut:
    """Replace the team's business hours; null makes it always open (admin)."""
    require(staff, Capability.ADMINISTER)
    return await do_put_team_hours(rt, staff, team_id=team_id, hours=body.hours)
