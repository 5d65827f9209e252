"""Server frames: the definition of everything the server sends on a real-time connection.

One pydantic model per frame ``type`` (docs/protocol.md, section 5), gathered by
:func:`server_frame_union` into the ``ServerFrame`` union. The transport carries the domains'
events without knowing them, so ``event`` and ``ack`` frames are generic in their event type:
the composition (:mod:`helpline.schema`) binds them to the domains' ``ChatEvent`` union.

Frames are built as plain dicts and serialized once (the hub fans one text out to many
connections); building a model per frame would cost on that path. Instead, with
``HELPLINE_CHECK_FRAMES=1`` (every test server) the composition installs a :class:`FrameChecker`
and the transports send through :func:`checked`, which validates every frame against
``ServerFrame`` and raises :class:`FrameMismatch` rather than send one that does not match. With
no checker installed, :func:`checked` returns the send function itself: production pays nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Generic, Literal, TypeVar, Union

from pydantic import (
    MISSING,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from helpline.core.errors import ErrorCode
from helpline.realtime.protocol import Ref

log = logging.getLogger("helpline.realtime")
EventT = TypeVar("EventT")
# Streams as clients know them: each staff member's own inbox is just "inbox".
ExternalStream = Annotated[str, StringConstraints(pattern=r"^(inbox|conversation:[1-9][0-9]*)$")]
Id = Annotated[int, Field(ge=1)]
Count = Annotated[int, Field(ge=0)]
By = Literal["visitor", "agent"]


class _Frame(BaseModel):
    # Strict and closed, like the client frames: the model must name every field sent.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        """``EventFrame`` rather than ``EventFrame[Annotated[Union[...]]]`` in the schema."""
        return cls.__name__


class _Reply(_Frame):
    """A frame that answers one of the client's: it echoes the client's ``ref``."""

    ref: Ref | MISSING = MISSING


class VisitorWelcome(_Frame):
    type: Literal["welcome"]
    v: Literal[1]
    heartbeat_s: float
    idle_timeout_s: float
    role: Literal["visitor"]
    visitor_id: Id


class StaffWelcome(_Frame):
    type: Literal["welcome"]
    v: Literal[1]
    heartbeat_s: float
    idle_timeout_s: float
    role: Literal["admin", "supervisor", "agent", "qa"]  # core.permissions.Role
    user_id: Id
    name: str
    team_ids: list[Id]


Welcome = Annotated[VisitorWelcome | StaffWelcome, Field(discriminator="role")]


class EventFrame(_Frame, Generic[EventT]):
    """An event on a subscribed stream, replayed or live."""

    type: Literal["event"]
    stream: ExternalStream
    event: EventT


class Subscribed(_Reply):
    type: Literal["subscribed"]
    stream: ExternalStream
    last_seq: Count
    replayed: Count


class Reload(_Reply):
    type: Literal["reload"]
    stream: ExternalStream
    reason: Literal["too_far_behind", "cursor_ahead"]
    last_seq: Count


class Unsubscribed(_Reply):
    type: Literal["unsubscribed"]
    stream: ExternalStream
    reason: Literal["access_revoked"] | MISSING = MISSING


class Ack(_Reply, Generic[EventT]):
    """A send or note is committed; ``event`` is the stored message as the sender sees it."""

    type: Literal["ack"]
    conversation_id: Id
    client_id: str
    seq: Count
    duplicate: bool
    event: EventT


class Ok(_Reply):
    """A read or end was done; ``end`` adds the conversation and its new state."""

    type: Literal["ok"]
    conversation_id: Id | MISSING = MISSING
    state: str | MISSING = MISSING


class Pong(_Reply):
    type: Literal["pong"]


class TypingNotice(_Frame):
    """The other side is typing."""

    type: Literal["typing"]
    conversation_id: Id
    by: By
    active: bool
    name: str | MISSING = MISSING  # the agent's


class ReadReceipt(_Frame):
    """Someone read up to ``seq``, in the receiver's numbering."""

    type: Literal["read"]
    conversation_id: Id
    by: By
    seq: Count


class QueuePosition(_Frame):
    type: Literal["queue"]
    conversation_id: Id
    position: Id
    ewt_s: Count | None  # null when no agent is online
    agents_online: Count


class QueueSummary(_Frame):
    type: Literal["queue_summary"]
    team_id: Id
    waiting: Count
    longest_wait_s: Count
    agents_online: Count
    capacity: Count
    free: Count
    aht_s: Count


class Heartbeat(_Frame):
    type: Literal["heartbeat"]


class ErrorFrame(_Reply):
    type: Literal["error"]
    code: ErrorCode
    message: str
    details: dict[str, Any] | MISSING = MISSING


_PLAIN: Sequence[type[_Frame]] = (
    Subscribed,
    Reload,
    Unsubscribed,
    Ok,
    Pong,
    TypingNotice,
    ReadReceipt,
    QueuePosition,
    QueueSummary,
    Heartbeat,
    ErrorFrame,
)


def server_frame_union(event: Any) -> Any:
    """The ``ServerFrame`` union, discriminated by ``type``, with ``event`` as the type of the
    events that ``event`` and ``ack`` frames carry."""
    members: tuple[Any, ...] = (Welcome, EventFrame[event], Ack[event], *_PLAIN)
    return Annotated[Union[members], Field(discriminator="type")]  # noqa: UP007


# Every server frame, events unchecked: what the transport alone knows.
ServerFrame = server_frame_union(dict[str, Any])


class FrameMismatch(RuntimeError):
    """A frame about to be sent does not match its model: a bug in the server or the model."""


class FrameChecker:
    """Validates server frames against a ``ServerFrame`` union (see the module doc)."""

    def __init__(self, frame_union: Any = ServerFrame) -> None:
        self._adapter: TypeAdapter[Any] = TypeAdapter(frame_union)

    def __call__(self, text: str) -> None:
        """Raise :class:`FrameMismatch` unless ``text`` (one frame's JSON) matches a model.
        The log names the frame type and the fields at fault, never their values (they may
        hold what people wrote)."""
        try:
            self._adapter.validate_json(text)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'frame'}: {e['msg']}" for e in exc.errors()
            )
            log.error("a server frame does not match the protocol models: %s", problems)
            raise FrameMismatch(f"server frame does not match the models: {problems}") from None


Send = Callable[[str], Awaitable[None]]
_checker: FrameChecker | None = None


def check_with(checker: FrameChecker | None) -> None:
    """Install (or, with None, remove) the checker every transport sends through. Called once
    by the composition when ``HELPLINE_CHECK_FRAMES`` is on."""
    global _checker
    _checker = checker


def checked(send: Send) -> Send:
    """``send``, validating each frame first when a checker is installed; else ``send`` itself."""
    checker = _checker
    if checker is None:
        return send

    async def send_checked(text: str) -> None:
        checker(text)
        await send(text)

    return send_checked


def check_frame(frame: dict[str, Any]) -> None:
    """Validate one frame sent outside a connection (the fallback's HTTP answers), if checking."""
    if _checker is not None:
        _checker(json.dumps(frame))
