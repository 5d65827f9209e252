"""The fallback for networks that block WebSockets: an event stream plus HTTP POSTs.

- ``POST /api/v1/rt/stream`` opens a ``text/event-stream`` response (read it with ``fetch`` and a
  stream reader, so credentials go in headers, never in the URL). The JSON body lists the streams
  to subscribe to with their cursors; the response carries exactly the frames a WebSocket would
  (``welcome``, replayed ``event``s, ``subscribed``, live events, ``heartbeat``), one per SSE
  ``data:`` line. To change subscriptions, open a new stream with the new cursors.
- ``POST /api/v1/rt/frames`` takes one client frame (``send``, ``note``, ``typing``, ``read``,
  ``end``, ``ping``) and answers with the frame a WebSocket would send back, with an HTTP status
  that matches (200, or the error's status). It keeps no state, so it may reach any node.

Visitors authenticate with ``Authorization: Bearer <token>``; staff with the session cookie and,
as for every cookie-authenticated write, the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from helpline.core.actors import Actor
from helpline.core.errors import BadRequest, ErrorCode
from helpline.core.runtime import Runtime
from helpline.realtime import protocol as p
from helpline.realtime.auth import Identity, check_csrf, staff_identity, visitor_identity
from helpline.realtime.dispatch import handle, run_frame_http
from helpline.realtime.frames import check_frame, checked
from helpline.realtime.hub import Connection, Hub
from helpline.realtime.websocket import welcome

router = APIRouter(prefix="/api/v1/rt", tags=["realtime"])
_CLOSED = ""
MAX_STREAMS = 200


class StreamCursor(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    stream: p.StreamName
    after: p.Seq


class StreamRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    v: int
    # A supervisor's console may follow many chats at once; each entry is a few dozen bytes.
    subscribe: list[StreamCursor] = Field(default_factory=list, max_length=MAX_STREAMS)


def _runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.rt
    return rt


Rt = Annotated[Runtime, Depends(_runtime)]


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _identity(request: Request) -> Identity:
    """The visitor (bearer token) or staff member (session cookie + CSRF header) and, for staff,
    the session credential the hub checks again when their rights change."""
    identities = request.app.state.hub.identities
    token = _bearer(request)
    if token is not None:
        return await visitor_identity(identities, token)
    who, csrf = await staff_identity(identities, request.cookies.get(identities.session_cookie))
    check_csrf(request.headers.get(identities.csrf_header), csrf)
    return who


async def _actor(request: Request) -> Actor:
    return (await _identity(request)).actor


@router.post("/stream", response_class=StreamingResponse)
async def open_stream(body: StreamRequest, request: Request, rt: Rt) -> StreamingResponse:
    """Open the event stream (fallback transport); see docs/protocol.md."""
    if body.v != p.VERSION:
        raise BadRequest(
            f"Protocol version {body.v} is not supported; use {p.VERSION}.",
            code=ErrorCode.UNSUPPORTED_VERSION,
        )
    who = await _identity(request)
    actor = who.actor
    hub: Hub = request.app.state.hub
    queue: asyncio.Queue[str] = asyncio.Queue()

    async def send(text: str) -> None:
        queue.put_nowait(text)

    async def close(_code: int, _reason: str) -> None:
        queue.put_nowait(_CLOSED)

    conn = Connection(actor=actor, credential=who.credential, send=checked(send), close=close)
    hub.attach(conn)
    hub.push(conn, welcome(conn, rt))
    for cursor in body.subscribe:
        frame = p.Subscribe(type="subscribe", stream=cursor.stream, after=cursor.after)
        reply = await handle(rt, hub, actor, frame, conn)
        if reply is not None:
            hub.push(conn, reply)

    async def frames() -> AsyncIterator[str]:
        try:
            while True:
                text = await queue.get()  # the hub sends heartbeats when nothing else goes out
                if text == _CLOSED:
                    return
                yield f"data: {text}\n\n"
        finally:
            await hub.detach(conn)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(frames(), media_type="text/event-stream", headers=headers)


@router.post("/frames")
async def post_frame(request: Request, rt: Rt) -> JSONResponse:
    """Send one client frame without a WebSocket; answered with the reply frame."""
    raw = await request.body()
    try:
        frame = p.parse(raw, max_bytes=rt.settings.max_frame_bytes)
    except p.FrameError as exc:
        return JSONResponse(
            p.error_frame(exc), status_code=exc.status if exc.code != "frame_too_large" else 413
        )
    actor = await _actor(request)
    status, reply = await run_frame_http(rt, request.app.state.hub, actor, frame)
    check_frame(reply)
    return JSONResponse(reply, status_code=status)
