"""The WebSocket adapter: ``/ws``.

Handshake: the Origin check, then the first frame must be ``hello`` (within 10 s) carrying the
visitor token, or nothing for staff (their session cookie came with the upgrade request). After
that every frame is parsed by the protocol core and answered on the same socket; a bad frame gets
an error frame and the connection stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from helpline.core.actors import Staff
from helpline.core.errors import ErrorCode, HelplineError
from helpline.core.runtime import Runtime
from helpline.realtime import frames
from helpline.realtime import protocol as p
from helpline.realtime.auth import authenticate, origin_allowed
from helpline.realtime.dispatch import handle
from helpline.realtime.hub import Connection, Hub, dumps
from helpline.realtime.ports import Identities

log = logging.getLogger("helpline.realtime")
HELLO_TIMEOUT_S = 10.0
PING, PONG = '{"type":"ping"}', {"type": "pong"}  # the web clients' ping, byte for byte


def welcome(conn: Connection, rt: Runtime) -> dict[str, Any]:
    actor = conn.actor
    who: dict[str, Any] = (
        {
            "role": actor.role,
            "user_id": actor.user_id,
            "name": actor.name,
            "team_ids": sorted(actor.team_ids),
        }
        if isinstance(actor, Staff)
        else {"role": "visitor", "visitor_id": actor.visitor_id}
    )
    return {
        "type": "welcome",
        "v": p.VERSION,
        "heartbeat_s": rt.settings.heartbeat_s,
        "idle_timeout_s": rt.settings.idle_timeout_s,
        **who,
    }


async def _receive(ws: WebSocket, wait_s: float) -> str | bytes | None:
    """The next data frame; None when the client went away; raises TimeoutError after
    ``wait_s``. (``asyncio.timeout`` rather than ``wait_for``: no extra task per frame.)"""
    async with asyncio.timeout(wait_s):
        message = await ws.receive()
    return None if message["type"] == "websocket.disconnect" else _data(message)


def _data(message: Message) -> str | bytes:
    """A received ASGI WebSocket message's data frame: text, or else bytes."""
    text = message.get("text")
    return text if text is not None else message.get("bytes") or b""


async def _hello(ws: WebSocket, rt: Runtime, identities: Identities) -> Connection | None:
    try:
        raw = await _receive(ws, HELLO_TIMEOUT_S)
    except TimeoutError:
        return None
    if raw is None:
        return None
    try:
        frame = p.parse(raw, max_bytes=rt.settings.max_frame_bytes)
        if not isinstance(frame, p.Hello):
            raise p.FrameError("The first frame must be hello.", code=ErrorCode.HELLO_REQUIRED)
        if frame.v != p.VERSION:
            raise p.FrameError(
                f"Protocol version {frame.v} is not supported; use {p.VERSION}.",
                code=ErrorCode.UNSUPPORTED_VERSION,
                supported=[p.VERSION],
            )
        who = await authenticate(identities, token=frame.token, cookies=dict(ws.cookies))
    except HelplineError as exc:
        await frames.checked(ws.send_text)(dumps(p.error_frame(exc)))
        await ws.close(4401 if exc.status == 401 else 4400, exc.code)
        return None

    async def close(code: int, reason: str) -> None:
        if ws.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await ws.close(code, reason)

    return Connection(
        actor=who.actor,
        credential=who.credential,
        send=frames.checked(ws.send_text),
        close=close,
        idle_timeout=True,
    )


async def websocket_app(state: Any, scope: Scope, receive: Receive, send: Send) -> None:
    """``/ws`` as a bare ASGI app, mounted ahead of FastAPI (api.py): no routing or middleware
    on the path every frame takes. ``state`` is the application's state (``rt``, ``hub``)."""
    ws = WebSocket(scope, receive=receive, send=send)
    try:
        await websocket_endpoint(ws, state.rt, state.hub)
    except Exception:
        log.exception("websocket handler failed")
        if ws.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await ws.close(1011, "server error; resume from your cursor")


async def websocket_endpoint(ws: WebSocket, rt: Runtime, hub: Hub) -> None:
    if not origin_allowed(ws.headers.get("origin"), ws.headers.get("host"), rt.settings):
        await ws.close(4403, "origin not allowed")
        return
    await ws.accept()
    conn = await _hello(ws, rt, hub.identities)
    if conn is None:
        return
    hub.attach(conn)
    hub.push(conn, welcome(conn, rt))
    try:
        await _serve(ws, rt, hub, conn)
    except WebSocketDisconnect:
        pass
    finally:
        await hub.detach(conn)
        await conn.close(1000, "bye")


async def _serve(ws: WebSocket, rt: Runtime, hub: Hub, conn: Connection) -> None:
    """Answer frames until the client leaves. Heartbeats and the idle timeout are the hub's
    (``Hub._keep_alive``): no timer per connection."""
    loop = asyncio.get_running_loop()
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        conn.last_received = loop.time()
        raw = _data(message)
        if raw == PING:  # most of what an idle client sends: answer without the full parser
            hub.push(conn, PONG)
            continue
        try:
            frame = p.parse(raw, max_bytes=rt.settings.max_frame_bytes)
        except p.FrameError as exc:
            hub.push(conn, p.error_frame(exc))
            continue
        if conn.rechecked is not None:  # its rights are being checked again: a few ms
            await conn.rechecked.wait()
        if conn.revoked:
            return
        reply = await handle(rt, hub, conn.actor, frame, conn)
        if reply is not None:
            hub.push(conn, reply)
