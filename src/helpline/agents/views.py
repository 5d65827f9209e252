"""Routes for login sessions, the current user, users, teams and agent status."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.exc import IntegrityError

from helpline.agents import actions, service
from helpline.agents.auth import SESSION_COOKIE, authenticate, create_session, end_session
from helpline.agents.schemas import (
    AgentStatusOut,
    LoginIn,
    MeOut,
    StatusIn,
    TeamCreate,
    TeamOut,
    TeamPatch,
    UserCreate,
    UserOut,
    UserPatch,
)
from helpline.compliance import audit
from helpline.core.errors import Conflict, Unauthorized
from helpline.deps import CurrentSession, CurrentStaff, Rt, require_role
from helpline.routing.actions import do_set_status
from helpline.routing.service import loads

router = APIRouter(prefix="/api/v1", tags=["agents"])


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/auth/login")
async def login(body: LoginIn, request: Request, response: Response, rt: Rt) -> MeOut:
    """Log in with email and password; sets the session cookie and returns the CSRF token."""
    rt.limit.logins.check(f"{_client_ip(request)}:{body.email.lower()}", "login attempts")
    async with rt.db.write() as s:
        user = await authenticate(s, body.email, body.password)
        if user is None:
            raise Unauthorized("Wrong email or password.", code="bad_credentials")
        token, csrf = await create_session(s, user.id, ttl_s=rt.settings.session_ttl_s)
        audit.record(s, actor_id=user.id, action="auth.login", target=f"user:{user.id}")
        out = MeOut(
            user=await service.user_out(s, user),
            csrf_token=csrf,
            status=await service.status_of(s, user.id),
        )
    secure = request.url.scheme == "https" or rt.settings.public_url.startswith("https://")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=rt.settings.session_ttl_s,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )
    return out


@router.post("/auth/logout", status_code=204)
async def logout(staff: CurrentStaff, request: Request, response: Response, rt: Rt) -> None:
    """End this login session."""
    async with rt.db.write() as s:
        await end_session(s, request.cookies.get(SESSION_COOKIE, ""))
        audit.record(s, actor_id=staff.user_id, action="auth.logout")
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me")
async def me(session: CurrentSession, rt: Rt) -> MeOut:
    """The logged-in user, their status and the CSRF token for writes."""
    staff, csrf = session
    async with rt.db.read() as s:
        user = await service.get_user(s, staff.user_id)
        return MeOut(
            user=await service.user_out(s, user),
            csrf_token=csrf,
            status=await service.status_of(s, user.id),
        )


@router.put("/me/status")
async def set_status(body: StatusIn, staff: CurrentStaff, rt: Rt) -> AgentStatusOut:
    """Go online, away or offline. Offline puts your open chats back in the queue."""
    await do_set_status(rt, staff, body.status)
    async with rt.db.read() as s:
        load = (await loads(s, [staff.user_id])).get(staff.user_id, 0)
    return AgentStatusOut(user_id=staff.user_id, name=staff.name, status=body.status, load=load)


@router.get("/users")
async def list_users(staff: CurrentStaff, rt: Rt) -> list[UserOut]:
    """Admins see everyone; others see the members of their teams."""
    async with rt.db.read() as s:
        return await service.list_users(s, team_ids=None if staff.is_admin else staff.team_ids)


@router.post("/users", status_code=201)
async def create_user(body: UserCreate, staff: CurrentStaff, rt: Rt) -> UserOut:
    """Create a user (admin)."""
    require_role(staff, "admin")
    try:
        async with rt.db.write() as s:
            user = await actions.create_user(s, body, actor_id=staff.user_id)
            return await service.user_out(s, user)
    except IntegrityError:
        raise Conflict("A user with that email already exists.", code="email_taken") from None


@router.patch("/users/{user_id}")
async def update_user(user_id: int, body: UserPatch, staff: CurrentStaff, rt: Rt) -> UserOut:
    """Change a user's details, role, teams or password (admin)."""
    require_role(staff, "admin")
    async with rt.db.write() as s:
        user = await actions.update_user(s, user_id, body, actor_id=staff.user_id)
        return await service.user_out(s, user)


@router.get("/teams")
async def list_teams(staff: CurrentStaff, rt: Rt) -> list[TeamOut]:
    """All teams, with routing settings."""
    async with rt.db.read() as s:
        return await service.list_teams(s)


@router.post("/teams", status_code=201)
async def create_team(body: TeamCreate, staff: CurrentStaff, rt: Rt) -> TeamOut:
    """Create a team (admin)."""
    require_role(staff, "admin")
    async with rt.db.write() as s:
        return TeamOut.model_validate(await actions.create_team(s, body, actor_id=staff.user_id))


@router.patch("/teams/{team_id}")
async def update_team(team_id: int, body: TeamPatch, staff: CurrentStaff, rt: Rt) -> TeamOut:
    """Change a team's skills, languages, cap, multi-chat switch or answer timeout (admin)."""
    require_role(staff, "admin")
    async with rt.db.write() as s:
        team = await actions.update_team(s, team_id, body, actor_id=staff.user_id)
    rt.request_routing(team_id)
    return TeamOut.model_validate(team)
