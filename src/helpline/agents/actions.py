"""Creating and changing users and teams (admin actions, all audited)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.agents.auth import hash_password
from helpline.agents.models import AgentPresence, Team, TeamMember, User
from helpline.agents.schemas import TeamCreate, TeamPatch, UserCreate, UserPatch
from helpline.compliance import audit
from helpline.core.errors import Conflict, Invalid, NotFound


async def _set_teams(s: AsyncSession, user_id: int, team_ids: list[int]) -> None:
    known = set((await s.execute(select(Team.id).where(Team.id.in_(team_ids)))).scalars().all())
    if missing := set(team_ids) - known:
        raise Invalid(f"Unknown team ids: {sorted(missing)}.", code="unknown_team")
    await s.execute(delete(TeamMember).where(TeamMember.user_id == user_id))
    for team_id in sorted(known):
        s.add(TeamMember(team_id=team_id, user_id=user_id))


async def create_user(s: AsyncSession, data: UserCreate, *, actor_id: int | None) -> User:
    email = str(data.email).strip().lower()
    if await s.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("A user with that email already exists.", code="email_taken")
    user = User(
        email=email,
        name=data.name.strip(),
        password_hash=hash_password(data.password),
        role=data.role,
        skills=data.skills,
        languages=data.languages,
    )
    s.add(user)
    await s.flush()
    s.add(AgentPresence(user_id=user.id, status="offline"))
    await _set_teams(s, user.id, data.team_ids)
    audit.record(
        s, actor_id=actor_id, action="user.create", target=f"user:{user.id}", role=data.role
    )
    return user


async def update_user(s: AsyncSession, user_id: int, data: UserPatch, *, actor_id: int) -> User:
    user = await s.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    changes = data.model_dump(exclude_unset=True)
    for key in ("name", "role", "skills", "languages", "is_active"):
        if key in changes:
            setattr(user, key, changes[key])
    if data.password is not None:
        user.password_hash = hash_password(data.password)
    if data.team_ids is not None:
        await _set_teams(s, user.id, data.team_ids)
    audit.record(
        s,
        actor_id=actor_id,
        action="user.update",
        target=f"user:{user.id}",
        fields=sorted(k for k in changes if k != "password")
        + (["password"] if data.password else []),
    )
    return user


async def create_team(s: AsyncSession, data: TeamCreate, *, actor_id: int | None) -> Team:
    team = Team(**data.model_dump())
    s.add(team)
    try:
        await s.flush()
    except IntegrityError:
        raise Conflict("A team with that name already exists.", code="team_name_taken") from None
    audit.record(s, actor_id=actor_id, action="team.create", target=f"team:{team.id}")
    return team


async def update_team(s: AsyncSession, team_id: int, data: TeamPatch, *, actor_id: int) -> Team:
    team = await s.get(Team, team_id)
    if team is None:
        raise NotFound("Team not found.")
    changes = data.model_dump(exclude_unset=True)
    for key, value in changes.items():
        setattr(team, key, value)
    audit.record(
        s, actor_id=actor_id, action="team.update", target=f"team:{team.id}", fields=sorted(changes)
    )
    return team
