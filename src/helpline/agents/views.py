"""Routes for login sessions, the current user, users, teams and agent status."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from helpline.agents import actions, service
from helpline.agents.auth import SESSION_COOKIE
from helpline.agents.schemas import (
    AgentStatusOut,
    LoginIn,
    MeOut,
    PasswordIn,
    StatusIn,
    TeamCreate,
    TeamOut,
    TeamPatch,
    UserCreate,
    UserOut,
    UserPatch,
)
from helpline.core.permissions import Capability
from helpline.deps import CurrentSession, CurrentStaff, Rt, require
from helpline.routing.actions import do_set_status
from helpline.routing.service import loads

router = APIRouter(prefix="/api/v1", tags=["agents"])


@router.post("/auth/login")
async def login(body: LoginIn, request: Request, response: Response, rt: Rt) -> MeOut:
    """Log in with email and password; sets the session cookie and returns the CSRF token."""
    ip = request.client.host if request.client else "unknown"
    done = await actions.do_login(rt, email=body.email, password=body.password, client_ip=ip)
    secure = request.url.scheme == "https" or rt.settings.public_url.startswith("https://")
    response.set_cookie(
        SESSION_COOKIE,
        done.token,
        max_age=rt.settings.session_ttl_s,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )
    return done.me


@router.post("/auth/logout", status_code=204)
async def logout(staff: CurrentStaff, request: Request, response: Response, rt: Rt) -> None:
    """End this login session; its live connections close. Without another session you go
    offline."""
    await actions.do_logout(rt, staff, token=request.cookies.get(SESSION_COOKIE, ""))
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.put("/me/password", status_code=204)
async def change_password(body: PasswordIn, staff: CurrentStaff, request: Request, rt: Rt) -> None:
    """Change your password; your other sessions end."""
    token = request.cookies.get(SESSION_COOKIE, "")
    await actions.do_change_password(rt, staff, token=token, current=body.current, new=body.new)


@router.get("/me")
async def me(session: CurrentSession, rt: Rt) -> MeOut:
    """The logged-in user, their status and the CSRF token for writes."""
    staff, csrf = session
    async with rt.db.read() as s:
        user = await service.get_user(s, staff.user_id)
        return await service.me_out(s, user, csrf)


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
    require(staff, Capability.ADMINISTER)
    return await actions.do_create_user(rt, staff, body)


@router.patch("/users/{user_id}")
async def update_user(user_id: int, body: UserPatch, staff: CurrentStaff, rt: Rt) -> UserOut:
    """Change a user's details, role, teams or password (admin). A password reset or
    deactivation ends the user's sessions and live connections."""
    require(staff, Capability.ADMINISTER)
    return await actions.do_update_user(rt, staff, user_id, body)


@router.get("/teams")
async def list_teams(staff: CurrentStaff, rt: Rt) -> list[TeamOut]:
    """All teams, with routing settings."""
    async with rt.db.read() as s:
        return await service.list_teams(s)


@router.post("/teams", status_code=201)
async def create_team(body: TeamCreate, staff: CurrentStaff, rt: Rt) -> TeamOut:
    """Create a team (admin)."""
    require(staff, Capability.ADMINISTER)
    return TeamOut.model_validate(await actions.do_create_team(rt, staff, body))


@router.patch("/teams/{team_id}")
async def update_team(team_id: int, body: TeamPatch, staff: CurrentStaff, rt: Rt) -> TeamOut:
    """Change a team's skills, languages, cap, multi-chat switch or answer timeout (admin)."""
    require(staff, Capability.ADMINISTER)
    return TeamOut.model_validate(await actions.do_update_team(rt, staff, team_id, body))
