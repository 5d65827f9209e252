"""Visitor and customer records: created when a chat starts."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from helpline.core import tokens
from helpline.customers.models import TIERS, Customer, Visitor


async def upsert_customer(s: AsyncSession, record: dict[str, Any]) -> Customer:
    """Create or update the customer with ``record['external_id']`` (a verified identity)."""
    customer = await s.scalar(select(Customer).where(Customer.external_id == record["external_id"]))
    if customer is None:
        customer = Customer(external_id=record["external_id"])
        s.add(customer)
    customer.name = str(record.get("name", customer.name or ""))[:100]
    customer.email = str(record.get("email", customer.email or ""))[:254]
    tier = str(record.get("tier", customer.tier or "standard"))
    customer.tier = tier if tier in TIERS else "standard"
    customer.account_status = str(record.get("account_status", customer.account_status or ""))[:40]
    await s.flush()
    return customer


_V = cast(Table, Visitor.__table__).c
_BY_DIGEST = select(_V.id, _V.name).where(_V.token_digest == bindparam("digest"))


async def visitor_for_token(s: AsyncSession | AsyncConnection, token: str) -> Any:
    """The visitor's ``id`` and ``name`` for a token, or None. Runs on every connect."""
    return (await s.execute(_BY_DIGEST, {"digest": tokens.digest(token)})).first()


async def new_visitor(s: AsyncSession, *, name: str, email: str) -> tuple[Visitor, str]:
    """Create a visitor and return it with its token. The token is shown once, stored hashed."""
    token = tokens.new_token()
    visitor = Visitor(token_digest=tokens.digest(token), name=name, email=email)
    s.add(visitor)
    await s.flush()
    return visitor, token
