"""Passwords (Argon2), login sessions and CSRF tokens.

The session token travels only in an HttpOnly cookie and is stored as a SHA-256 digest. Writes
authenticated by that cookie must also carry the session's CSRF token in ``X-CSRF-Token``
(checked in helpline.deps), because a browser attaches cookies to cross-site requests.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.agents.models import AuthSession, TeamMember, User
from helpline.core import tokens
from helpline.core.actors import Staff
from helpline.core.clock import aware, now

SESSION_COOKIE = "helpline_session"
CSRF_HEADER = "X-CSRF-Token"
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD_CHARS = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def authenticate(s: AsyncSession, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Takes as long for unknown emails."""
    user = await s.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        password_matches(_DUMMY_HASH, password)
        return None
    return user if password_matches(user.password_hash, password) else None


async def create_session(s: AsyncSession, user_id: int, *, ttl_s: int) -> tuple[str, str]:
    """Return (session token, CSRF token). The session token is never stored in clear."""
    token, csrf = tokens.new_token(), tokens.new_token()
    s.add(
        AuthSession(
            token_digest=tokens.digest(token),
            user_id=user_id,
            csrf_token=csrf,
            expires_at=now() + timedelta(seconds=ttl_s),
        )
    )
    return token, csrf


async def end_session(s: AsyncSession, token: str) -> None:
    await s.execute(delete(AuthSession).where(AuthSession.token_digest == tokens.digest(token)))


async def session_staff(s: AsyncSession, token: str) -> tuple[Staff, str] | None:
    """The staff member and CSRF token for a live session token, or None."""
    row = (
        await s.execute(
            select(AuthSession, User)
            .join(User, User.id == AuthSession.user_id)
            .where(AuthSession.token_digest == tokens.digest(token))
        )
    ).one_or_none()
    if row is None:
        return None
    session, user = row
    if aware(session.expires_at) <= now() or not user.is_active:
        return None
    return await staff_for(s, user), session.csrf_token


async def staff_for(s: AsyncSession, user: User) -> Staff:
    teams = await s.execute(select(TeamMember.team_id).where(TeamMember.user_id == user.id))
    return Staff(
        user_id=user.id,
        role=user.role,
        name=user.name,
        team_ids=frozenset(r[0] for r in teams.all()),
    )
