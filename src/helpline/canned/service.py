"""Reads for canned responses and the values their variables are filled from."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.canned.models import CannedResponse
from helpline.canned.render import first_name
from helpline.conversations.models import Conversation
from helpline.core.actors import Staff
from helpline.core.errors import Forbidden, NotFound
from helpline.core.permissions import Capability
from helpline.customers.models import Customer, Visitor


async def visible(s: AsyncSession, staff: Staff, *, search: str = "") -> list[CannedResponse]:
    """Global responses plus those of the staff member's teams (all, for admins)."""
    q = select(CannedResponse).order_by(CannedResponse.shortcut, CannedResponse.id)
    if not staff.is_admin:
        q = q.where(
            or_(CannedResponse.team_id.is_(None), CannedResponse.team_id.in_(staff.team_ids))
        )
    if search:
        q = q.where(CannedResponse.shortcut.startswith(search.lower()))
    return list((await s.execute(q)).scalars().all())


async def access_canned(
    s: AsyncSession, staff: Staff, canned_id: int, *, write: bool = False
) -> CannedResponse:
    row = await s.get(CannedResponse, canned_id)
    if row is None:
        raise NotFound("Canned response not found.")
    in_scope = staff.is_admin or row.team_id is None or row.team_id in staff.team_ids
    if not in_scope:
        raise NotFound("Canned response not found.")
    if write:
        check_can_edit(staff, row.team_id)
    return row


def check_can_edit(staff: Staff, team_id: int | None) -> None:
    """Admins edit everything; supervisors edit their teams' responses."""
    if staff.is_admin or (
        staff.can(Capability.MANAGE_TEAM_CANNED)
        and team_id is not None
        and team_id in staff.team_ids
    ):
        return
    raise Forbidden("Only admins, or supervisors for their teams, can change canned responses.")


async def variables(s: AsyncSession, conv: Conversation, staff: Staff) -> dict[str, str]:
    visitor = await s.get(Visitor, conv.visitor_id)
    customer = await s.get(Customer, conv.customer_id) if conv.customer_id else None
    name = (customer.name if customer and customer.name else "") or (
        visitor.name if visitor else ""
    )
    email = (customer.email if customer and customer.email else "") or (
        visitor.email if visitor else ""
    )
    return {
        "customer.name": name,
        "customer.first_name": first_name(name),
        "customer.email": email,
        "customer.tier": customer.tier if customer else "standard",
        "conversation.id": str(conv.id),
        "conversation.topic": conv.topic,
        "agent.name": staff.name,
        "agent.first_name": first_name(staff.name),
    }
