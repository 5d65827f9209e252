"""Changes to canned responses. Each action checks who may edit, owns its transaction and
writes its audit record in it."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from helpline.canned import service
from helpline.canned.models import CannedResponse
from helpline.canned.schemas import CannedIn
from helpline.compliance import audit
from helpline.core.actors import Staff
from helpline.core.errors import Conflict, ErrorCode
from helpline.core.runtime import Runtime


async def do_create_canned(rt: Runtime, staff: Staff, data: CannedIn) -> CannedResponse:
    """Create a response (admin, or supervisor for their team)."""
    service.check_can_edit(staff, data.team_id)
    try:
        async with rt.db.write() as s:
            row = CannedResponse(**data.model_dump())
            s.add(row)
            await s.flush()
            audit.record(
                s, actor_id=staff.user_id, action="canned.create", target=f"canned:{row.id}"
            )
    except IntegrityError:
        raise _shortcut_taken() from None
    return row


async def do_update_canned(
    rt: Runtime, staff: Staff, canned_id: int, data: CannedIn
) -> CannedResponse:
    """Replace a response; the editor must be allowed to edit both its old and its new team."""
    service.check_can_edit(staff, data.team_id)
    try:
        async with rt.db.write() as s:
            row = await service.access_canned(s, staff, canned_id, write=True)
            for key, value in data.model_dump().items():
                setattr(row, key, value)
            await s.flush()
            audit.record(
                s, actor_id=staff.user_id, action="canned.update", target=f"canned:{row.id}"
            )
    except IntegrityError:
        raise _shortcut_taken() from None
    return row


async def do_delete_canned(rt: Runtime, staff: Staff, canned_id: int) -> None:
    """Delete a response."""
    async with rt.db.write() as s:
        row = await service.access_canned(s, staff, canned_id, write=True)
        await s.delete(row)
        audit.record(
            s, actor_id=staff.user_id, action="canned.delete", target=f"canned:{canned_id}"
        )


def _shortcut_taken() -> Conflict:
    return Conflict(
        "That shortcut is already used.", code=ErrorCode.SHORTCUT_TAKEN, fields=["shortcut"]
    )
