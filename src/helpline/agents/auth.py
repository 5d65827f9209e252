"""Passwords (Argon2 and the password policy), login sessions and CSRF tokens.

The session token travels only in an HttpOnly cookie and is stored as a SHA-256 digest. Writes
authenticated by that cookie must also carry the session's CSRF token in ``X-CSRF-Token``
(checked in helpline.deps), because a browser attaches cookies to cross-site requests.

Argon2 is slow on purpose (tens of milliseconds of CPU). It never runs on the event loop: hashing
and verifying go to a worker thread (argon2-cffi releases the GIL), at most ``HASH_SLOTS`` at a
time so a burst of logins cannot take every core from the chats. Callers hash *before* they open
a write transaction, never inside one (on SQLite that would hold the process's write lock).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from zxcvbn import zxcvbn

from helpline.agents.models import AuthSession, User
from helpline.agents.service import team_ids_of
from helpline.core import tokens
from helpline.core.actors import Staff
from helpline.core.clock import aware, now
from helpline.core.errors import ErrorCode, Invalid

SESSION_COOKIE = "helpline_session"
CSRF_HEADER = "X-CSRF-Token"
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD_CHARS = 10
MIN_PASSWORD_SCORE = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable" for online attacks
HASH_SLOTS = max(1, (os.cpu_count() or 2) // 2)
_slots: asyncio.Semaphore | None = None
_T = TypeVar("_T")


def normalize_email(email: str) -> str:
    """The one form of an e-mail address used for lookups, uniqueness and login throttling."""
    return email.strip().lower()


async def _off_loop(fn: Callable[..., _T], *args: str) -> _T:
    global _slots
    if _slots is None:
        _slots = asyncio.Semaphore(HASH_SLOTS)
    async with _slots:
        return await asyncio.to_thread(fn, *args)


async def hash_password(password: str) -> str:
    """The Argon2 hash of ``password``, computed off the event loop."""
    return await _off_loop(_hasher.hash, password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def password_matches(stored_hash: str, password: str) -> bool:
    return await _off_loop(_verify, stored_hash, password)


def check_password(password: str, *, email: str, name: str = "", field: str = "password") -> None:
    """Refuse passwords that are short, contain the user's e-mail or name, or are easy to guess
    (zxcvbn: common passwords, dictionary words, keyboard patterns, dates, repeats)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise Invalid(
            f"Use at least {MIN_PASSWORD_CHARS} characters.",
            code=ErrorCode.WEAK_PASSWORD,
            fields=[field],
        )
    lowered = password.lower()
    local = normalize_email(email).partition("@")[0]
    personal = [normalize_email(email), local, *name.lower().split()]
    if any(len(p) >= 3 and p in lowered for p in personal):
        raise Invalid(
            "The password must not contain your e-mail address or name.",
            code=ErrorCode.WEAK_PASSWORD,
            fields=[field],
        )
    result = zxcvbn(password[:100], user_inputs=[p for p in personal if p])
    if result["score"] < MIN_PASSWORD_SCORE:
        hint = result["feedback"].get("warning") or "It is too easy to guess."
        raise Invalid(
            f"Choose a stronger password. {hint}".strip(),
            code=ErrorCode.WEAK_PASSWORD,
            fields=[field],
        )


async def new_password_hash(
    password: str, *, email: str, name: str = "", field: str = "password"
) -> str:
    """Check ``password`` against the policy, then hash it (off the event loop). Errors name
    ``field`` in ``details.fields``."""
    check_password(password, email=email, name=name, field=field)
    return await hash_password(password)


async def authenticate(s: AsyncSession, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Takes as long for unknown emails.

    Only reads: call it outside any write transaction."""
    user = await s.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or not user.is_active:
        await password_matches(_DUMMY_HASH, password)
        return None
    return user if await password_matches(user.password_hash, password) else None


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


async def end_sessions(s: AsyncSession, user_id: int, *, keep: str | None = None) -> None:
    """End every session of ``user_id``, except the one with token ``keep`` if given."""
    q = delete(AuthSession).where(AuthSession.user_id == user_id)
    if keep is not None:
        q = q.where(AuthSession.token_digest != tokens.digest(keep))
    await s.execute(q)


async def has_live_session(s: AsyncSession, user_id: int) -> bool:
    live = select(func.count()).where(
        AuthSession.user_id == user_id, AuthSession.expires_at > now()
    )
    return bool(await s.scalar(live))


async def session_staff(s: AsyncSession, token: str) -> tuple[Staff, str] | None:
    """The staff member and CSRF token for a live session token, or None."""
    digest = tokens.digest(token)
    found = await staff_for_sessions(s, [digest])
    return found.get(digest)


async def staff_for_sessions(
    s: AsyncSession, digests: Iterable[str]
) -> dict[str, tuple[Staff, str]]:
    """Who holds each live session (by token digest), with its CSRF token. Ended, expired and
    deactivated users' sessions are missing from the answer. Two queries, however many."""
    wanted = list(set(digests))
    rows = (
        await s.execute(
            select(AuthSession, User)
            .join(User, User.id == AuthSession.user_id)
            .where(AuthSession.token_digest.in_(wanted))
        )
    ).all()
    live = [(a, u) for a, u in rows if aware(a.expires_at) > now() and u.is_active]
    teams = await team_ids_of(s, [u.id for _, u in live])
    return {
        a.token_digest: (
            Staff(user_id=u.id, role=u.role, name=u.name, team_ids=frozenset(teams[u.id])),
            a.csrf_token,
        )
        for a, u in live
    }
