"""Visitor and customer records: created when a chat starts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.core import tokens
from helpline.customers.identity import masked
from helpline.customers.models import TIERS, Customer, Visitor


async def upsert_customer(s: AsyncSession, record: dict[str, Any]) -> Customer:
    """Create or update the customer with ``record['external_id']`` (a verified identity).

    PII in the record's free-text fields is masked here, so nothing raw reaches the table.
    """
    record = masked(record)
    customer = await s.scalar(select(Customer).where(Customer.external_id == record["external_id"]))
    if customer is None:
        customer = Customer(external_id=record["external_id"])
        s.add(customer)
    customer.name = str(record.get("name", customer.name or ""))[:100]
    customer.email = str(record.get("email", customer.email or ""))[:254]
    tier = str(record.get("tier", customer.tier or "standard"))
    customer.tier = tier if tier in TIERS else "standard"
    customer.account_status = str(record.get("account_status", customer.account_status or ""))[:40]
    if "attributes" in record:
        customer.attributes = record["attributes"]
    await s.flush()
    return customer


async def new_visitor(s: AsyncSession, *, name: str, email: str) -> tuple[Visitor, str]:
    """Create a visitor and return it with its token. The token is shown once, stored hashed."""
    token = tokens.new_token()
    visitor = Visitor(token_digest=tokens.digest(token), name=name, email=email)
    s.add(visitor)
    await s.flush()
    return visitor, token
