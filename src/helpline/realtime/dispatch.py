"""Carry out one parsed client frame for an actor; return the reply frame.

Shared by the WebSocket adapter (``conn`` set) and the HTTP POST fallback (``conn`` None, so the
frames that manage subscriptions belong on the stream request instead).
"""

from __future__ import annotations

import logging
from typing import Any

from helpline.core.actors import Actor, Staff
from helpline.core.errors import BadRequest, ErrorCode, Forbidden, HelplineError
from helpline.core.runtime import Runtime
from helpline.core.streams import conversation_stream, inbox_stream
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
            sent = await hub.chat.send(
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
            following = conn is not None and hub.is_subscribed(
                conn, conversation_stream(frame.conversation_id)
            )
            await hub.chat.typing(
                actor,
                conversation_id=frame.conversation_id,
                active=frame.active,
                following=following,
            )
            return None
        case p.Read():
            await hub.chat.read(actor, conversation_id=frame.conversation_id, seq=frame.seq)
            return ok(frame)
        case p.End():
            conv_id, state = await hub.chat.end(actor, conversation_id=frame.conversation_id)
            return ok(frame, conversation_id=conv_id, state=state)
    raise BadRequest(
        "Unhandled frame.", code=ErrorCode.UNKNOWN_TYPE
    )  # pragma: no cover - exhaustive


def _internal_stream(actor: Actor, stream: str) -> str:
    if stream == "inbox":
        if not isinstance(actor, Staff):
            raise Forbidden("Only staff have an inbox stream.")
        return inbox_stream(actor.user_id)
    return stream


async def _subscribe(rt: Runtime, hub: Hub, conn: Connection, frame: p.Subscribe) -> None:
    """The hub checks access and replays in one read, in the connection's sender."""
    hub.subscribe(conn, _internal_stream(conn.actor, frame.stream), frame.after, frame.ref)
