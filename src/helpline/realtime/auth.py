"""Who is on the other end of a real-time connection, and may they connect from there.

Origin check (against cross-site WebSocket hijacking): a browser connection must come from this
server's own origin (the widget iframe and the console are served from it), from
``HELPLINE_PUBLIC_URL``, or from ``HELPLINE_ALLOWED_ORIGINS``. Clients that send no Origin are not
browsers and carry no ambient cookies, so they are let through to authenticate normally.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from helpline.core import tokens
from helpline.core.actors import Actor
from helpline.core.config import Settings
from helpline.core.errors import ErrorCode, Forbidden, Unauthorized
from helpline.realtime.ports import Identities


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


async def authenticate(
    identities: Identities, *, token: str | None, cookies: dict[str, str]
) -> Identity:
    """A visitor token wins when given; otherwise the staff session cookie."""
    if token:
        return await visitor_identity(identities, token)
    identity, _csrf = await staff_identity(identities, cookies.get(identities.session_cookie))
    return identity


async def visitor_identity(identities: Identities, token: str) -> Identity:
    visitor = await identities.visitor(token)
    if visitor is None:
        raise Unauthorized("Unknown visitor token.", code=ErrorCode.BAD_TOKEN)
    return Identity(visitor, None)


async def staff_identity(identities: Identities, session_token: str | None) -> tuple[Identity, str]:
    """The staff member of a live session, and the session's CSRF token."""
    found = await identities.staff(session_token) if session_token else None
    if found is None or session_token is None:
        raise Unauthorized("Send a visitor token in hello, or log in first.")
    actor, csrf = found
    return Identity(actor, tokens.digest(session_token)), csrf


def check_csrf(sent: str | None, csrf: str) -> None:
    """Cookie-authenticated writes must carry the session's CSRF token."""
    if not sent or not tokens.same(sent, csrf):
        raise Forbidden("Missing or wrong CSRF token.", code=ErrorCode.CSRF_FAILED)
