"""Reads over users, teams and presence."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.agents.models import AgentPresence, Team, TeamMember, User
from helpline.agents.schemas import MeOut, TeamOut, UserOut
from helpline.core.errors import NotFound
from helpline.core.permissions import capabilities_of


async def team_ids_of(s: AsyncSession, user_ids: list[int]) -> dict[int, list[int]]:
    rows = await s.execute(
        select(TeamMember.user_id, TeamMember.team_id).where(TeamMember.user_id.in_(user_ids))
    )
    out: dict[int, list[int]] = {u: [] for u in user_ids}
    for user_id, team_id in rows.all():
        out[user_id].append(team_id)
    return out


async def user_out(s: AsyncSession, user: User) -> UserOut:
    teams = await team_ids_of(s, [user.id])
    return UserOut.model_validate(user).model_copy(update={"team_ids": sorted(teams[user.id])})


async def list_users(s: AsyncSession, *, team_ids: frozenset[int] | None) -> list[UserOut]:
    """All users (``team_ids`` None) or the members of those teams."""
    q = select(User).order_by(User.id)
    if team_ids is not None:
        q = q.where(User.id.in_(select(TeamMember.user_id).where(TeamMember.team_id.in_(team_ids))))
    users = list((await s.execute(q)).scalars().all())
    teams = await team_ids_of(s, [u.id for u in users])
    return [
        UserOut.model_validate(u).model_copy(update={"team_ids": sorted(teams[u.id])})
        for u in users
    ]


async def list_teams(s: AsyncSession) -> list[TeamOut]:
    return [
        TeamOut.model_validate(t)
        for t in (await s.execute(select(Team).order_by(Team.id))).scalars().all()
    ]


async def get_user(s: AsyncSession, user_id: int) -> User:
    user = await s.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    return user


async def status_of(s: AsyncSession, user_id: int) -> str:
    return str(
        await s.scalar(select(AgentPresence.status).where(AgentPresence.user_id == user_id))
        or "offline"
    )


async def me_out(s: AsyncSession, user: User, csrf_token: str) -> MeOut:
    """What ``GET /me`` and login answer: the user, the session's CSRF token, their status and
    where their inbox stream is now."""
    return MeOut(
        user=await user_out(s, user),
        csrf_token=csrf_token,
        status=await status_of(s, user.id),
        inbox_last_seq=user.inbox_seq,
        capabilities=capabilities_of(user.role),
    )
