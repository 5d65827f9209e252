"""Writing the audit trail. Call inside the transaction that does the audited thing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.compliance.models import AuditEntry


def record(
    s: AsyncSession, *, actor_id: int | None, action: str, target: str = "", **data: Any
) -> None:
    s.add(AuditEntry(actor_id=actor_id, action=action, target=target, data=data))
