"""FastAPI dependencies shared by every view: the runtime, the current staff member or visitor.

``CurrentStaff`` enforces the session cookie and, on unsafe methods, the CSRF header.
``CurrentVisitor`` reads the visitor token from ``Authorization: Bearer`` (never from a URL).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from helpline.agents.auth import CSRF_HEADER, SESSION_COOKIE, session_staff, staff_for_sessions
from helpline.core import tokens
from helpline.core.actors import Actor, Staff, Visitor
from helpline.core.errors import ErrorCode, Forbidden, Unauthorized
from helpline.core.permissions import Capability
from helpline.core.runtime import Runtime
from helpline.customers.service import visitor_for_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.rt
    return rt


Rt = Annotated[Runtime, Depends(get_runtime)]


async def staff_from_cookie(rt: Runtime, token: str | None) -> tuple[Staff, str] | None:
    if not token:
        return None
    async with rt.db.read() as s:
        return await session_staff(s, token)


async def get_session(request: Request, rt: Rt) -> tuple[Staff, str]:
    """The logged-in staff member and their CSRF token; unsafe methods must carry that token."""
    found = await staff_from_cookie(rt, request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise Unauthorized("Please log in.")
    staff, csrf = found
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not tokens.same(sent, csrf):
            raise Forbidden("Missing or wrong CSRF token.", code=ErrorCode.CSRF_FAILED)
    return staff, csrf


async def get_staff(request: Request, rt: Rt) -> Staff:
    return (await get_session(request, rt))[0]


CurrentSession = Annotated[tuple[Staff, str], Depends(get_session)]
CurrentStaff = Annotated[Staff, Depends(get_staff)]


def bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def visitor_from_token(rt: Runtime, token: str | None) -> Visitor | None:
    if not token or len(token) > 200:
        return None
    async with rt.db.read_conn() as c:
        row = await visitor_for_token(c, token)
    return Visitor(visitor_id=row.id, name=row.name) if row else None


async def get_visitor(request: Request, rt: Rt) -> Visitor:
    visitor = await visitor_from_token(rt, bearer(request))
    if visitor is None:
        raise Unauthorized("Missing or unknown visitor token.", code=ErrorCode.BAD_TOKEN)
    return visitor


async def get_optional_visitor(request: Request, rt: Rt) -> Visitor | None:
    return await visitor_from_token(rt, bearer(request))


CurrentVisitor = Annotated[Visitor, Depends(get_visitor)]
OptionalVisitor = Annotated[Visitor | None, Depends(get_optional_visitor)]


def require(staff: Staff, capability: Capability) -> None:
    """Raise :class:`Forbidden` unless ``staff``'s role grants ``capability``."""
    if not staff.can(capability):
        raise Forbidden(f"Your role may not do this (it needs {capability.value}).")


class ConnectionIdentities:
    """Who holds a real-time credential (``realtime.ports.Identities``), from the same
    sessions and visitor tokens as every REST request."""

    session_cookie = SESSION_COOKIE
    csrf_header = CSRF_HEADER

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def visitor(self, token: str) -> Visitor | None:
        return await visitor_from_token(self.rt, token)

    async def staff(self, session_token: str) -> tuple[Staff, str] | None:
        return await staff_from_cookie(self.rt, session_token)

    async def live_staff(self, credentials: list[str]) -> dict[str, Actor]:
        async with self.rt.db.read() as s:
            found = await staff_for_sessions(s, credentials)
        return {digest: staff for digest, (staff, _csrf) in found.items()}
