"""Changes to login sessions, users and teams. Each ``do_*`` owns its transaction, its audit
record and what it publishes after commit.

When a user's rights shrink (logout, deactivation, a password change or reset, a new role or
fewer teams), the action publishes a ``user`` envelope after commit: every node's hub then
re-authenticates that user's live connections at once, closing those whose session ended and
re-checking the subscriptions of the others (see realtime/hub.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.agents import service
from helpline.agents.auth import (
    authenticate,
    create_session,
    end_session,
    end_sessions,
    has_live_session,
    new_password_hash,
    normalize_email,
    password_matches,
)
from helpline.agents.models import AgentPresence, Team, TeamMember, User
from helpline.agents.schemas import MeOut, TeamCreate, TeamPatch, UserCreate, UserOut, UserPatch
from helpline.compliance import audit
from helpline.core.actors import Staff
from helpline.core.clock import now
from helpline.core.errors import Conflict, ErrorCode, Invalid, NotFound, Unauthorized
from helpline.core.events import Envelope
from helpline.core.permissions import Capability, can
from helpline.core.runtime import Runtime
from helpline.core.streams import user_stream
from helpline.routing.actions import requeue_outside_teams, reroute, set_status_in_tx


def rights_changed(user_id: int) -> Envelope:
    """The notice that makes every node re-authenticate ``user_id``'s live connections."""
    return Envelope(stream=user_stream(user_id), kind="user")


@dataclass(frozen=True)
class LoggedIn:
    me: MeOut
    token: str


async def do_login(rt: Runtime, *, email: str, password: str, client_ip: str) -> LoggedIn:
    """Check the credentials (throttled per address and e-mail), then open a session."""
    email = normalize_email(email)
    rt.limit.logins.check(f"{client_ip}:{email}", "login attempts")
    async with rt.db.read() as s:
        user = await authenticate(s, email, password)
    if user is None:
        raise Unauthorized("Wrong email or password.", code=ErrorCode.BAD_CREDENTIALS)
    async with rt.db.write() as s:
        token, csrf = await create_session(s, user.id, ttl_s=rt.settings.session_ttl_s)
        audit.record(s, actor_id=user.id, action="auth.login", target=f"user:{user.id}")
        me = await service.me_out(s, user, csrf)
    return LoggedIn(me, token)


async def do_logout(rt: Runtime, staff: Staff, *, token: str) -> None:
    """End this session; its live connections close. Without another live session the agent
    goes offline, so nothing is offered to someone who has left."""
    async with rt.db.write() as s:
        await end_session(s, token)
        audit.record(s, actor_id=staff.user_id, action="auth.logout")
        if not await has_live_session(s, staff.user_id):
            await set_status_in_tx(rt, s, staff.user_id, "offline", reason="logout")
        s.publish(rights_changed(staff.user_id))


async def do_change_password(
    rt: Runtime, staff: Staff, *, token: str, current: str, new: str
) -> None:
    """Change one's own password; every other session of the user ends."""
    async with rt.db.read() as s:
        user = await service.get_user(s, staff.user_id)
    if not await password_matches(user.password_hash, current):
        raise Invalid(
            "The current password is wrong.", code=ErrorCode.BAD_CREDENTIALS, fields=["current"]
        )
    password_hash = await new_password_hash(new, email=user.email, name=user.name, field="new")
    async with rt.db.write() as s:
        user = await service.get_user(s, staff.user_id)
        user.password_hash = password_hash
        await end_sessions(s, user.id, keep=token)
        audit.record(s, actor_id=user.id, action="user.password", target=f"user:{user.id}")
        s.publish(rights_changed(staff.user_id))


async def _set_teams(s: AsyncSession, user_id: int, team_ids: list[int]) -> None:
    known = set((await s.execute(select(Team.id).where(Team.id.in_(team_ids)))).scalars().all())
    if missing := set(team_ids) - known:
        raise Invalid(f"Unknown team ids: {sorted(missing)}.", code=ErrorCode.UNKNOWN_TEAM)
    await s.execute(delete(TeamMember).where(TeamMember.user_id == user_id))
    for team_id in sorted(known):
        s.add(TeamMember(team_id=team_id, user_id=user_id))


async def create_user(
    s: AsyncSession, data: UserCreate, *, password_hash: str, actor_id: int | None
) -> User:
    """Insert a user inside the caller's transaction; ``password_hash`` from
    :func:`~helpline.agents.auth.new_password_hash`, computed before the transaction."""
    email = normalize_email(str(data.email))
    if await s.scalar(select(User.id).where(User.email == email)) is not None:
        raise _email_taken()
    user = User(
        email=email,
        name=data.name.strip(),
        password_hash=password_hash,
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


async def do_create_user(rt: Runtime, staff: Staff, data: UserCreate) -> UserOut:
    """Create a user (admin)."""
    password_hash = await new_password_hash(data.password, email=str(data.email), name=data.name)
    try:
        async with rt.db.write() as s:
            user = await create_user(s, data, password_hash=password_hash, actor_id=staff.user_id)
            return await service.user_out(s, user)
    except IntegrityError:
        raise _email_taken() from None


async def do_update_user(rt: Runtime, staff: Staff, user_id: int, data: UserPatch) -> UserOut:
    """Change a user (admin). A new password (a reset) or deactivation ends every session of
    the user; deactivation, or a role that does not answer chats, also takes them offline,
    putting their chats back in the queue."""
    password_hash = None
    if data.password is not None:
        async with rt.db.read() as s:
            target = await service.get_user(s, user_id)
        name = data.name or target.name
        password_hash = await new_password_hash(data.password, email=target.email, name=name)
    changes = data.model_dump(exclude_unset=True, exclude={"password"})
    async with rt.db.write() as s:
        user = await service.get_user(s, user_id)
        for key in ("name", "role", "skills", "languages", "is_active"):
            if key in changes:
                setattr(user, key, changes[key])
        if data.team_ids is not None:
            await _set_teams(s, user.id, data.team_ids)
            await requeue_outside_teams(rt, s, user.id, set(data.team_ids))
        if password_hash is not None:
            user.password_hash = password_hash
            await end_sessions(s, user.id)
        if not user.is_active:
            await end_sessions(s, user.id)
        if not user.is_active or not can(user.role, Capability.ANSWER_CHATS):
            reason = "deactivated" if not user.is_active else "role_changed"
            await set_status_in_tx(rt, s, user.id, "offline", reason=reason)
        fields = sorted(changes) + (["password"] if password_hash else [])
        audit.record(
            s, actor_id=staff.user_id, action="user.update", target=f"user:{user.id}", fields=fields
        )
        s.publish(rights_changed(user.id))
        result = await service.user_out(s, user)
    return result


async def create_team(s: AsyncSession, data: TeamCreate, *, actor_id: int | None) -> Team:
    """Insert a team inside the caller's transaction."""
    team = Team(**data.model_dump())
    s.add(team)
    try:
        await s.flush()
    except IntegrityError:
        raise _team_name_taken() from None
    audit.record(s, actor_id=actor_id, action="team.create", target=f"team:{team.id}")
    return team


async def do_create_team(rt: Runtime, staff: Staff, data: TeamCreate) -> Team:
    """Create a team (admin)."""
    async with rt.db.write() as s:
        return await create_team(s, data, actor_id=staff.user_id)


async def do_update_team(rt: Runtime, staff: Staff, team_id: int, data: TeamPatch) -> Team:
    """Change a team's routing settings (admin); its queue is routed again with them."""
    async with rt.db.write() as s:
        team = await s.get(Team, team_id)
        if team is None:
            raise NotFound("Team not found.")
        changes = data.model_dump(exclude_unset=True)
        for key, value in changes.items():
            setattr(team, key, value)
        try:
            await s.flush()
        except IntegrityError:
            raise _team_name_taken() from None
        audit.record(
            s,
            actor_id=staff.user_id,
            action="team.update",
            target=f"team:{team.id}",
            fields=sorted(changes),
        )
        reroute(rt, s, team_id)
    return team


def _email_taken() -> Conflict:
    return Conflict(
        "A user with that email already exists.", code=ErrorCode.EMAIL_TAKEN, fields=["email"]
    )


def _team_name_taken() -> Conflict:
    return Conflict(
        "A team with that name already exists.", code=ErrorCode.TEAM_NAME_TAKEN, fields=["name"]
    )


async def do_touch_presence(rt: Runtime, user_ids: set[int]) -> None:
    """Record that these staff still have a live connection (the hub calls this every
    heartbeat); routing's presence sweep sets those it has not heard of offline."""
    async with rt.db.write() as s:
        await s.execute(
            update(AgentPresence)
            .where(AgentPresence.user_id.in_(user_ids))
            .values(last_seen_at=now())
        )
