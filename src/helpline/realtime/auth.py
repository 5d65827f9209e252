"""Who is on the other end of a real-time connection, and may they connect from there.

Origin check (against cross-site WebSocket hijacking): a browser connection must come from this
server's own origin (the widget iframe and the console are served from it), from
``HELPLINE_PUBLIC_URL``, or from ``HELPLINE_ALLOWED_ORIGINS``. Clients that send no Origin are not
browsers and carry no ambient cookies, so they are let through to authenticate normally.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from helpline.agents.auth import SESSION_COOKIE, staff_for_sessions
from helpline.core import tokens
from helpline.core.actors import Actor
from helpline.core.config import Settings
from helpline.core.errors import ErrorCode, Unauthorized
from helpline.core.runtime import Runtime
from helpline.deps import staff_from_cookie, visitor_from_token


def origin_allowed(origin: str | None, host: str | None, settings: Settings) -> bool:
    if origin is None:
        return True
    origin = origin.rstrip("/")
    if origin in settings.allowed_origins or (
        settings.public_url and origin == settings.public_url
    ):
        return True
    parts = urlsplit(origin)
    return bool(host) and parts.scheme in ("http", "https") and parts.netloc == host


@dataclass(frozen=True)
class Identity:
    """Who a connection acts for, and the credential that keeps it valid: the digest of the
    staff session token (checked again whenever that user's rights change), or None for
    visitors."""

    actor: Actor
    credential: str | None


async def authenticate(rt: Runtime, *, token: str | None, cookies: dict[str, str]) -> Identity:
    """A visitor token wins when given; otherwise the staff session cookie."""
    if token:
        visitor = await visitor_from_token(rt, token)
        if visitor is None:
            raise Unauthorized("Unknown visitor token.", code=ErrorCode.BAD_TOKEN)
        return Identity(visitor, None)
    return await staff_identity(rt, cookies.get(SESSION_COOKIE))


async def staff_identity(rt: Runtime, session_token: str | None) -> Identity:
    found = await staff_from_cookie(rt, session_token)
    if found is None or session_token is None:
        raise Unauthorized("Send a visitor token in hello, or log in first.")
    return Identity(found[0], tokens.digest(session_token))


async def live_staff(rt: Runtime, credentials: list[str]) -> dict[str, Actor]:
    """The current staff member behind each still-valid credential (session digest); ended
    sessions and deactivated users are missing from the answer. One read, however many."""
    async with rt.db.read() as s:
        found = await staff_for_sessions(s, credentials)
    return {digest: staff for digest, (staff, _csrf) in found.items()}
