"""Carry out one parsed client frame for an actor; return the reply frame.

Shared by the WebSocket adapter (``conn`` set) and the HTTP POST fallback (``conn`` None, so the
frames that manage subscriptions belong on the stream request instead).
"""

from __future__ import annotations

import logging
from typing import Any

from helpline.conversations import actions
from helpline.conversations.service import access_row
from helpline.core.actors import Actor, Staff, Visitor
from helpline.core.errors import BadRequest, ErrorCode, Forbidden, HelplineError
from helpline.core.events import Audience, Envelope
from helpline.core.runtime import Runtime
from helpline.core.streams import conversation_stream, stream_conversation_id
from helpline.realtime import protocol as p
from helpline.realtime.hub import Connection, Hub

log = logging.getLogger("helpline.realtime")


async def run_frame_http(
    rt: Runtime, hub: Hub, actor: Actor, frame: p.ClientFrame
) -> tuple[int, dict[str, Any]]:
    """Like :func:`handle`, for the POST fallback: also returns the HTTP status to answer with."""
    try:
        reply = await run_frame(rt, hub, actor, frame, None)
    except HelplineError as exc:
        return exc.status, p.error_frame(exc, ref=frame.ref)
    except Exception:
        log.exception("frame %s failed", frame.type)
        error = HelplineError(
            "Something went wrong on our side. Please retry.", code=ErrorCode.INTERNAL
        )
        return 500, p.error_frame(error, ref=frame.ref)
    return 200, reply if reply is not None else ok(frame)


def ok(frame: p._Frame, **extra: Any) -> dict[str, Any]:
    reply: dict[str, Any] = {"type": "ok", **extra}
    if frame.ref is not None:
        reply["ref"] = frame.ref
    return reply


async def handle(
    rt: Runtime, hub: Hub, actor: Actor, frame: p.ClientFrame, conn: Connection | None
) -> dict[str, Any] | None:
    """Run ``frame``; return the reply (None when the reply comes through the stream).

    Any :class:`HelplineError` becomes an error frame carrying the frame's ``ref``; anything else
    is logged and reported as ``internal`` without details. Either way the transaction rolled
    back and the connection stays open.
    """
    try:
        return await run_frame(rt, hub, actor, frame, conn)
    except HelplineError as exc:
        return p.error_frame(exc, ref=frame.ref)
    except Exception:
        log.exception("frame %s failed", frame.type)
        error = HelplineError(
            "Something went wrong on our side. Please retry.", code=ErrorCode.INTERNAL
        )
        return p.error_frame(error, ref=frame.ref)


async def run_frame(
    rt: Runtime, hub: Hub, actor: Actor, frame: p.ClientFrame, conn: Connection | None
) -> dict[str, Any] | None:
    match frame:
        case p.Ping():
            return ok(frame) | {"type": "pong"}
        case p.Hello():
            raise BadRequest("Already authenticated.", code=ErrorCode.ALREADY_AUTHENTICATED)
        case p.Subscribe() | p.Unsubscribe() if conn is None:
            raise BadRequest(
                "Subscriptions are made on the stream request.", code=ErrorCode.USE_STREAM
            )
        case p.Subscribe():
            assert conn is not None
            await _subscribe(rt, hub, conn, frame)
            return None
        case p.Unsubscribe():
            assert conn is not None
            hub.unsubscribe(conn, _internal_stream(actor, frame.stream))
            return ok(frame, stream=frame.stream) | {"type": "unsubscribed"}
        case p.Send() | p.Note():
            if isinstance(frame, p.Note) and not isinstance(actor, Staff):
                raise Forbidden("Only staff can write internal notes.")
            sent = await actions.do_send(
                rt,
                actor,
                conversation_id=frame.conversation_id,
                client_id=frame.client_id,
                text=frame.text,
                internal=isinstance(frame, p.Note),
            )
            reply = {
                "type": "ack",
                "conversation_id": frame.conversation_id,
                "client_id": frame.client_id,
                "seq": sent.seq,
                "duplicate": sent.duplicate,
                "event": sent.event,
            }
            return reply | ({"ref": frame.ref} if frame.ref is not None else {})
        case p.Typing():
            await _typing(rt, hub, actor, frame, conn)
            return None
        case p.Read():
            await actions.do_read(rt, actor, conversation_id=frame.conversation_id, seq=frame.seq)
            return ok(frame)
        case p.End():
            conv = await actions.do_end(rt, actor, conversation_id=frame.conversation_id)
            return ok(frame, conversation_id=conv.id, state=conv.state)
    raise BadRequest(
        "Unhandled frame.", code=ErrorCode.UNKNOWN_TYPE
    )  # pragma: no cover - exhaustive


def _internal_stream(actor: Actor, stream: str) -> str:
    if stream == "inbox":
        if not isinstance(actor, Staff):
            raise Forbidden("Only staff have an inbox stream.")
        return f"inbox:{actor.user_id}"
    return stream


async def _subscribe(rt: Runtime, hub: Hub, conn: Connection, frame: p.Subscribe) -> None:
    stream = _internal_stream(conn.actor, frame.stream)
    conv_id = stream_conversation_id(stream)
    if conv_id is not None:
        async with rt.db.read_conn() as c:
            conv = await access_row(c, conn.actor, conv_id, "read")
        if conv.state == "queued":
            rt.request_routing(conv.team_id)  # refreshes the queue position it is about to need
    hub.subscribe(conn, stream, frame.after, frame.ref)


async def _typing(
    rt: Runtime, hub: Hub, actor: Actor, frame: p.Typing, conn: Connection | None
) -> None:
    """Tell the other side that ``actor`` is typing. Visitors type to staff; only the assigned
    agent types to the visitor (``write`` access), so read-only staff stay invisible."""
    rt.limit.typing.check(f"{actor.sender}:{frame.conversation_id}", "typing notices")
    stream = conversation_stream(frame.conversation_id)
    is_visitor = isinstance(actor, Visitor)
    if not is_visitor or conn is None or not hub.is_subscribed(conn, stream):
        async with rt.db.read_conn() as c:
            await access_row(c, actor, frame.conversation_id, "read" if is_visitor else "write")
    payload: dict[str, Any] = {
        "type": "typing",
        "conversation_id": frame.conversation_id,
        "by": "visitor" if is_visitor else "agent",
        "active": frame.active,
    }
    if isinstance(actor, Staff):
        payload["name"] = actor.name
    audience: Audience = "staff" if is_visitor else "visitor"
    await rt.publish(
        [Envelope(stream=stream, kind="ephemeral", payload=payload, audience=audience)]
    )
