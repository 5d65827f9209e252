"""Routes for canned responses: list, create, change, delete, and render for a conversation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from helpline.canned import actions, service
from helpline.canned.render import render
from helpline.canned.schemas import CannedIn, CannedOut, RenderIn, RenderOut
from helpline.conversations.service import access_conversation
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
    return CannedOut.model_validate(await actions.do_create_canned(rt, staff, body))


@router.put("/{canned_id}")
async def update_canned(canned_id: int, body: CannedIn, staff: CurrentStaff, rt: Rt) -> CannedOut:
    """Replace a response."""
    return CannedOut.model_validate(await actions.do_update_canned(rt, staff, canned_id, body))


@router.delete("/{canned_id}", status_code=204)
async def delete_canned(canned_id: int, staff: CurrentStaff, rt: Rt) -> None:
    """Delete a response."""
    await actions.do_delete_canned(rt, staff, canned_id)


@router.post("/{canned_id}/render")
async def render_canned(canned_id: int, body: RenderIn, staff: CurrentStaff, rt: Rt) -> RenderOut:
    """Fill the response's variables for a conversation; ``missing`` lists unfilled ones."""
    async with rt.db.read() as s:
        row = await service.access_canned(s, staff, canned_id)
        conv = await access_conversation(s, staff, body.conversation_id)
        rendered = render(row.body, await service.variables(s, conv, staff))
    return RenderOut(text=rendered.text, missing=list(rendered.missing))
