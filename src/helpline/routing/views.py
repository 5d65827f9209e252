"""Routes for a team's live queue and agent loads (supervisors, and agents of the team)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from helpline.agents.models import AgentPresence, Team, TeamMember, User
from helpline.core.clock import now
from helpline.core.errors import Forbidden, NotFound
from helpline.deps import CurrentStaff, Rt
from helpline.routing import service
from helpline.routing.schemas import AgentLoadOut, TeamQueueOut, WaitingOut

router = APIRouter(prefix="/api/v1/teams", tags=["routing"])


@router.get("/{team_id}/queue")
async def team_queue(team_id: int, staff: CurrentStaff, rt: Rt) -> TeamQueueOut:
    """Who is waiting (in service order) and every member's status and load."""
    if not staff.is_admin and team_id not in staff.team_ids:
        raise Forbidden("You are not in that team.")
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
