"""Protocol v1, the sans-I/O core: parse client frames, build server frames, plan a resume.

Nothing here touches a socket or a database. Adapters (websocket.py, sse.py) feed raw text in and
write the returned dicts out. The contract is documented in docs/protocol.md; change both
together and bump ``VERSION`` for anything a deployed client would notice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from helpline.core.errors import BadRequest, HelplineError, TooLarge

VERSION = 1

ClientId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
]
Ref = Annotated[str, StringConstraints(max_length=64)]
StreamName = Annotated[str, StringConstraints(pattern=r"^(inbox|conversation:[1-9][0-9]{0,17})$")]


class _Frame(BaseModel):
    # Strict: "1" is not an id and "yes" is not a boolean; clients get told, not guessed for.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    ref: Ref | None = None


class Hello(_Frame):
    type: Literal["hello"]
    v: int
    token: str | None = Field(default=None, max_length=200)


class Subscribe(_Frame):
    type: Literal["subscribe"]
    stream: StreamName
    after: int = Field(ge=0)


class Unsubscribe(_Frame):
    type: Literal["unsubscribe"]
    stream: StreamName


class Send(_Frame):
    type: Literal["send"]
    conversation_id: int = Field(gt=0)
    client_id: ClientId
    text: str = Field(min_length=1)


class Note(_Frame):
    type: Literal["note"]
    conversation_id: int = Field(gt=0)
    client_id: ClientId
    text: str = Field(min_length=1)


class Typing(_Frame):
    type: Literal["typing"]
    conversation_id: int = Field(gt=0)
    active: bool


class Read(_Frame):
    type: Literal["read"]
    conversation_id: int = Field(gt=0)
    seq: int = Field(ge=0)


class End(_Frame):
    type: Literal["end"]
    conversation_id: int = Field(gt=0)


class Ping(_Frame):
    type: Literal["ping"]


ClientFrame = Annotated[
    Hello | Subscribe | Unsubscribe | Send | Note | Typing | Read | End | Ping,
    Field(discriminator="type"),
]
_FRAMES: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)
FRAME_TYPES = ("hello", "subscribe", "unsubscribe", "send", "note", "typing", "read", "end", "ping")


class FrameError(HelplineError):
    """A frame that cannot be understood. Carries the client's ``ref`` when one was readable."""

    def __init__(self, message: str, *, code: str, ref: str | None = None, **details: Any) -> None:
        super().__init__(message, code=code, **details)
        self.ref = ref


def parse(raw: str | bytes, *, max_bytes: int) -> ClientFrame:
    """Turn one raw frame into a typed frame, or raise :class:`FrameError`.

    Error codes: ``frame_too_large``, ``bad_json``, ``bad_frame`` (not an object),
    ``unknown_type``, ``invalid_frame`` (missing or malformed fields, named in
    ``details.fields``).
    """
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode())
    if size > max_bytes:
        raise FrameError(
            f"Frame is {size} bytes; the limit is {max_bytes}.", code="frame_too_large"
        )
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise FrameError("Frame is not valid JSON.", code="bad_json") from None
    if not isinstance(data, dict):
        raise FrameError("Frame must be a JSON object.", code="bad_frame")
    ref = data.get("ref") if isinstance(data.get("ref"), str) else None
    kind = data.get("type")
    if kind not in FRAME_TYPES:
        raise FrameError(f"Unknown frame type {kind!r}.", code="unknown_type", ref=ref)
    try:
        return _FRAMES.validate_python(data)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"][1:]) or "frame" for e in exc.errors()})
        raise FrameError(
            f"Frame {kind!r} has missing or invalid fields: {', '.join(fields)}.",
            code="invalid_frame",
            ref=ref,
            fields=fields,
        ) from None


def error_frame(exc: HelplineError, *, ref: str | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": exc.code, "message": exc.message}
    if ref is None and isinstance(exc, FrameError):
        ref = exc.ref
    if ref is not None:
        frame["ref"] = ref
    if exc.details:
        frame["details"] = exc.details
    return frame


def check_text(text: str, *, max_chars: int) -> str:
    """Normalize a message body: strip edges, refuse empty and over-long text."""
    body = text.strip()
    if not body:
        raise BadRequest("Message text is empty.", code="empty_message")
    if len(body) > max_chars:
        raise TooLarge(f"Message is {len(body)} characters; the limit is {max_chars}.")
    return body


def conversation_stream(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def stream_conversation_id(stream: str) -> int | None:
    kind, _, rest = stream.partition(":")
    return int(rest) if kind == "conversation" else None


@dataclass(frozen=True)
class Replay:
    after: int
    upto: int


@dataclass(frozen=True)
class Reload:
    reason: str


def plan_resume(*, after: int, last: int, limit: int) -> Replay | Reload:
    """Decide how to bring a client from ``after`` (last seq it saw) to ``last`` (newest seq).

    Exact replay when the gap fits in ``limit`` events; otherwise "reload" (fetch the history over
    REST, then subscribe again from its newest seq). A cursor beyond ``last`` means the client saw
    a stream this server does not have (restored backup, wrong server): also "reload", never a
    silent partial history.
    """
    if after > last:
        return Reload("cursor_ahead")
    if last - after > limit:
        return Reload("too_far_behind")
    return Replay(after, last)
