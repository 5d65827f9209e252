"""Reads over visitors and customer records."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from helpline.core import tokens
from helpline.customers.models import Visitor

_V = cast(Table, Visitor.__table__).c
_BY_DIGEST = select(_V.id, _V.name).where(_V.token_digest == bindparam("digest"))


async def visitor_for_token(s: AsyncSession | AsyncConnection, token: str) -> Any:
    """The visitor's ``id`` and ``name`` for a token, or None. Runs on every connect."""
    return (await s.execute(_BY_DIGEST, {"digest": tokens.digest(token)})).first()
