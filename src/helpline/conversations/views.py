"""Routes for conversations: the widget's (visitor token) and the console's (staff session)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import AwareDatetime as AwareDateTime
from sqlalchemy import select

from helpline.conversations import actions, search, service
from helpline.conversations.models import Conversation, ResolutionCode
from helpline.conversations.schemas import (
    CloseIn,
    ConversationOut,
    CsatIn,
    CustomerOut,
    EventsOut,
    ResolutionCodeIn,
    ResolutionCodeOut,
    StaffConversationOut,
    StartIn,
    StartOut,
    TransferIn,
)
from helpline.conversations.states import STATES
from helpline.core.actors import Actor, View
from helpline.core.errors import ErrorCode, Invalid
from helpline.core.permissions import Capability
from helpline.core.runtime import Runtime
from helpline.deps import CurrentStaff, CurrentVisitor, OptionalVisitor, Rt, require
from helpline.routing import service as routing_service
from helpline.routing.actions import do_accept, do_pick, do_transfer
from helpline.routing.schemas import TransferTargetOut

widget = APIRouter(prefix="/api/v1/widget", tags=["widget"])
router = APIRouter(prefix="/api/v1", tags=["conversations"])
PAGE = 200


def _ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@widget.post("/conversations", status_code=201)
async def start(body: StartIn, request: Request, rt: Rt, visitor: OptionalVisitor) -> StartOut:
    """Start a chat. A new visitor gets a token (send it as ``Authorization: Bearer``)."""
    rt.limit.conversations.check(f"ip:{_ip(request)}", "new conversations")
    started = await actions.do_start(
        rt,
        visitor=visitor,
        name=body.name,
        email=body.email,
        topic=body.topic,
        language=body.language,
        team_id=body.team_id,
        identity=body.customer,
        signature=body.signature,
    )
    return StartOut(
        conversation=ConversationOut.model_validate(started.conversation),
        visitor_token=started.visitor_token,
    )


@widget.get("/conversations")
async def my_conversations(visitor: CurrentVisitor, rt: Rt) -> list[ConversationOut]:
    """The visitor's own conversations, newest first."""
    async with rt.db.read() as s:
        rows = await s.execute(
            select(Conversation)
            .where(Conversation.visitor_id == visitor.visitor_id)
            .order_by(Conversation.id.desc())
            .limit(50)
        )
        return [ConversationOut.model_validate(c) for c in rows.scalars().all()]


@widget.get("/conversations/{conversation_id}/events")
async def visitor_events(
    conversation_id: int, visitor: CurrentVisitor, rt: Rt, after: Annotated[int, Query(ge=0)] = 0
) -> EventsOut:
    """History as the visitor sees it (no internal events), from ``after``, oldest first."""
    return await _history(rt, visitor, conversation_id, after=after, view="visitor")


@router.get("/conversations")
async def list_conversations(
    staff: CurrentStaff,
    rt: Rt,
    state: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default only
    team_id: int | None = None,
    agent_id: int | None = None,
    q: Annotated[str, Query(max_length=200)] = "",
    resolution_code: Annotated[str | None, Query(max_length=40)] = None,
    since: AwareDateTime | date | None = None,
    until: AwareDateTime | date | None = None,
    customer: Annotated[str, Query(max_length=254)] = "",
    before_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[StaffConversationOut]:
    """Conversations you may read, newest first. Filter by state, team, agent, resolution code,
    creation time (``since`` inclusive, ``until`` exclusive; a date means its start, UTC) and
    customer (name, e-mail or external id); ``q`` searches message and note text (all words,
    the last one as a prefix) and each hit carries a ``snippet`` of the matching message."""
    if bad := [x for x in state if x not in STATES]:
        raise Invalid(f"Unknown state(s): {', '.join(bad)}.", code=ErrorCode.BAD_FILTER)
    filters = service.ListFilters(
        states=state,
        team_id=team_id,
        agent_id=agent_id,
        search=q.strip(),
        resolution_code=resolution_code or None,
        since=_instant(since),
        until=_instant(until),
        customer=customer.strip(),
    )
    async with rt.db.read() as s:
        rows = await service.list_conversations(s, staff, filters, limit=limit, before_id=before_id)
        words = search.terms(filters.search)
        found = await search.snippets(s, [c.id for c in rows], words, sqlite=service.is_sqlite(s))
    return [
        StaffConversationOut.model_validate(c).model_copy(update={"snippet": found.get(c.id)})
        for c in rows
    ]


def _instant(value: datetime | date | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


@router.get("/conversations/{conversation_id}")
async def read_conversation(
    conversation_id: int, staff: CurrentStaff, rt: Rt
) -> StaffConversationOut:
    """One conversation."""
    async with rt.db.read() as s:
        return StaffConversationOut.model_validate(
            await service.access_conversation(s, staff, conversation_id)
        )


@router.get("/conversations/{conversation_id}/events")
async def staff_events(
    conversation_id: int, staff: CurrentStaff, rt: Rt, after: Annotated[int, Query(ge=0)] = 0
) -> EventsOut:
    """The full event log (notes and internal events included), from ``after``, oldest first."""
    return await _history(rt, staff, conversation_id, after=after, view="staff")


async def _history(
    rt: Runtime, actor: Actor, conversation_id: int, *, after: int, view: View
) -> EventsOut:
    async with rt.db.read() as s:
        await service.access_conversation(s, actor, conversation_id)
        events = await service.load_events(
            s, conversation_id=conversation_id, after=after, view=view, limit=PAGE + 1
        )
        last = await service.last_seq(s, conversation_id=conversation_id, view=view)
    return EventsOut(
        conversation_id=conversation_id,
        events=events[:PAGE],
        last_seq=last,
        more=len(events) > PAGE,
    )


@router.get("/conversations/{conversation_id}/transcript", response_class=PlainTextResponse)
async def transcript(conversation_id: int, staff: CurrentStaff, rt: Rt) -> str:
    """The whole conversation as plain text (audited)."""
    return await actions.do_read_transcript(rt, staff, conversation_id=conversation_id)


@router.post("/conversations/{conversation_id}/accept")
async def accept(conversation_id: int, staff: CurrentStaff, rt: Rt) -> StaffConversationOut:
    """Accept a chat offered to you."""
    return StaffConversationOut.model_validate(await do_accept(rt, staff, conversation_id))


@router.post("/conversations/{conversation_id}/pick")
async def pick(conversation_id: int, staff: CurrentStaff, rt: Rt) -> StaffConversationOut:
    """Take a waiting chat from one of your teams' queues."""
    return StaffConversationOut.model_validate(await do_pick(rt, staff, conversation_id))


@router.post("/conversations/{conversation_id}/transfer")
async def transfer(
    conversation_id: int, body: TransferIn, staff: CurrentStaff, rt: Rt
) -> StaffConversationOut:
    """Hand the chat to an agent (who must accept) or back to a team's queue, with a note."""
    conv = await do_transfer(
        rt, staff, conversation_id, agent_id=body.agent_id, team_id=body.team_id, note=body.note
    )
    return StaffConversationOut.model_validate(conv)


@router.get("/conversations/{conversation_id}/transfer-targets")
async def transfer_targets(
    conversation_id: int, staff: CurrentStaff, rt: Rt
) -> list[TransferTargetOut]:
    """Agents this chat can be transferred to now (online, a free slot or not), own team first."""
    async with rt.db.read() as s:
        conv = await service.access_conversation(s, staff, conversation_id, "manage")
        return await routing_service.transfer_targets(s, conv)


@router.post("/conversations/{conversation_id}/end")
async def end(conversation_id: int, staff: CurrentStaff, rt: Rt) -> StaffConversationOut:
    """End the chat with the visitor and go to wrap-up."""
    return StaffConversationOut.model_validate(
        await actions.do_end(rt, staff, conversation_id=conversation_id)
    )


@router.post("/conversations/{conversation_id}/close")
async def close(
    conversation_id: int, body: CloseIn, staff: CurrentStaff, rt: Rt
) -> StaffConversationOut:
    """Close with a resolution code (required) and an optional wrap-up note."""
    conv = await actions.do_close(
        rt,
        staff,
        conversation_id=conversation_id,
        resolution_code=body.resolution_code,
        note=body.note,
    )
    return StaffConversationOut.model_validate(conv)


@router.get("/resolution-codes")
async def resolution_codes(staff: CurrentStaff, rt: Rt) -> list[ResolutionCodeOut]:
    """Codes to pick from when closing a chat."""
    async with rt.db.read() as s:
        rows = await s.execute(select(ResolutionCode).order_by(ResolutionCode.code))
        return [ResolutionCodeOut.model_validate(r) for r in rows.scalars().all()]


@router.post("/resolution-codes", status_code=201)
async def create_resolution_code(
    body: ResolutionCodeIn, staff: CurrentStaff, rt: Rt
) -> ResolutionCodeOut:
    """Add a resolution code (admin); one that exists already is refused."""
    require(staff, Capability.ADMINISTER)
    row = await actions.do_create_resolution_code(
        rt, staff, code=body.code, label=body.label, active=body.active
    )
    return ResolutionCodeOut.model_validate(row)


@router.put("/resolution-codes/{code}")
async def put_resolution_code(
    code: str, body: ResolutionCodeIn, staff: CurrentStaff, rt: Rt
) -> ResolutionCodeOut:
    """Create or change a resolution code (admin). Retire one with ``active: false``."""
    require(staff, Capability.ADMINISTER)
    if body.code != code:
        raise Invalid("The code in the path and the body differ.", fields=["code"])
    row = await actions.do_put_resolution_code(
        rt, staff, code=code, label=body.label, active=body.active
    )
    return ResolutionCodeOut.model_validate(row)


@widget.post("/conversations/{conversation_id}/csat", status_code=204)
async def rate(conversation_id: int, body: CsatIn, visitor: CurrentVisitor, rt: Rt) -> None:
    """Rate an ended chat, once: 1-5 and an optional comment."""
    await actions.do_rate(
        rt, visitor, conversation_id=conversation_id, rating=body.rating, comment=body.comment
    )


@router.get("/conversations/{conversation_id}/customer")
async def customer(conversation_id: int, staff: CurrentStaff, rt: Rt) -> CustomerOut:
    """Who the visitor is (verified customer record if any) and their other conversations."""
    async with rt.db.read() as s:
        conv = await service.access_conversation(s, staff, conversation_id)
        return await service.customer_profile(s, staff, conv)
