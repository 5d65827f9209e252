"""Routes for canned responses: list, create, change, delete, and render for a conversation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.exc import IntegrityError

from helpline.canned import service
from helpline.canned.models import CannedResponse
from helpline.canned.render import render
from helpline.canned.schemas import CannedIn, CannedOut, RenderIn, RenderOut
from helpline.compliance import audit
from helpline.conversations.service import access_conversation
from helpline.core.errors import Conflict
from helpline.deps import CurrentStaff, Rt

router = APIRouter(prefix="/api/v1/canned-responses", tags=["canned responses"])


@router.get("")
async def list_canned(
    staff: CurrentStaff, rt: Rt, q: Annotated[str, Query(max_length=40)] = ""
) -> list[CannedOut]:
    """Responses you can use, optionally those whose shortcut starts with ``q``."""
    async with rt.db.read() as s:
        return [CannedOut.model_validate(r) for r in await service.visible(s, staff, search=q)]


@router.post("", status_code=201)
async def create_canned(body: CannedIn, staff: CurrentStaff, rt: Rt) -> CannedOut:
    """Create a response (admin, or supervisor for their team)."""
    service.check_can_edit(staff, body.team_id)
    try:
        async with rt.db.write() as s:
            row = CannedResponse(**body.model_dump())
            s.add(row)
            await s.flush()
            audit.record(
                s, actor_id=staff.user_id, action="canned.create", target=f"canned:{row.id}"
            )
    except IntegrityError:
        raise Conflict("That shortcut is already used.", code="shortcut_taken") from None
    return CannedOut.model_validate(row)


@router.put("/{canned_id}")
async def update_canned(canned_id: int, body: CannedIn, staff: CurrentStaff, rt: Rt) -> CannedOut:
    """Replace a response."""
    service.check_can_edit(staff, body.team_id)
    try:
        async with rt.db.write() as s:
            row = await service.access_canned(s, staff, canned_id, write=True)
            for key, value in body.model_dump().items():
                setattr(row, key, value)
            await s.flush()
            audit.record(
                s, actor_id=staff.user_id, action="canned.update", target=f"canned:{row.id}"
            )
    except IntegrityError:
        raise Conflict("That shortcut is already used.", code="shortcut_taken") from None
    return CannedOut.model_validate(row)


@router.delete("/{canned_id}", status_code=204)
async def delete_canned(canned_id: int, staff: CurrentStaff, rt: Rt) -> None:
    """Delete a response."""
    async with rt.db.write() as s:
        row = await service.access_canned(s, staff, canned_id, write=True)
        await s.delete(row)
        audit.record(
            s, actor_id=staff.user_id, action="canned.delete", target=f"canned:{canned_id}"
        )


@router.post("/{canned_id}/render")
async def render_canned(canned_id: int, body: RenderIn, staff: CurrentStaff, rt: Rt) -> RenderOut:
    """Fill the response's variables for a conversation; ``missing`` lists unfilled ones."""
    async with rt.db.read() as s:
        row = await service.access_canned(s, staff, canned_id)
        conv = await access_conversation(s, staff, body.conversation_id)
        rendered = render(row.body, await service.variables(s, conv, staff))
    return RenderOut(text=rendered.text, missing=list(rendered.missing))
