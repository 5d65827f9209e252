"""Protocol v1, the sans-I/O core: parse client frames, build server frames, plan a resume.

Nothing here touches a socket or a database. Adapters (websocket.py, sse.py) feed raw text in and
write the returned dicts out. The contract is documented in docs/protocol.md; change both
together and bump ``VERSION`` for anything a deployed client would notice.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from helpline.core.errors import ErrorCode, HelplineError

VERSION = 1
# Ids and sequence numbers are 32-bit signed integers in the database (``Integer`` columns);
# anything larger names nothing that exists, and PostgreSQL refuses to even compare with it.
MAX_ID = 2**31 - 1
# Control characters other than tab, newline and carriage return, and unpaired surrogates: no
# person types them, PostgreSQL refuses NUL in text, and a lone surrogate cannot be UTF-8.
BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# Deeper JSON is refused (``bad_json``) rather than walked: no request needs it, and recursive
# code (``json``, pydantic, canonical JSON for signatures) must never meet the stack's end.
MAX_DEPTH = 32

Id = Annotated[int, Field(gt=0, le=MAX_ID)]
Seq = Annotated[int, Field(ge=0, le=MAX_ID)]
ClientId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
]
Ref = Annotated[str, StringConstraints(max_length=64)]


def _stream_in_range(stream: str) -> str:
    if stream.startswith("conversation:") and int(stream.partition(":")[2]) > MAX_ID:
        raise ValueError(f"conversation ids go up to {MAX_ID}")
    return stream


StreamName = Annotated[
    str,
    StringConstraints(pattern=r"^(inbox|conversation:[1-9][0-9]{0,9})$"),
    AfterValidator(_stream_in_range),
]


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
    after: Seq


class Unsubscribe(_Frame):
    type: Literal["unsubscribe"]
    stream: StreamName


class Send(_Frame):
    type: Literal["send"]
    conversation_id: Id
    client_id: ClientId
    text: str  # empty or blank text is refused by check_text, as ``empty_message``


class Note(_Frame):
    type: Literal["note"]
    conversation_id: Id
    client_id: ClientId
    text: str  # empty or blank text is refused by check_text, as ``empty_message``


class Typing(_Frame):
    type: Literal["typing"]
    conversation_id: Id
    active: bool


class Read(_Frame):
    type: Literal["read"]
    conversation_id: Id
    seq: Seq


class End(_Frame):
    type: Literal["end"]
    conversation_id: Id


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

    def __init__(
        self, message: str, *, code: ErrorCode, ref: str | None = None, **details: Any
    ) -> None:
        super().__init__(message, code=code, **details)
        self.ref = ref


def parse(raw: str | bytes, *, max_bytes: int) -> ClientFrame:
    """Turn one raw frame into a typed frame, or raise :class:`FrameError`.

    Error codes: ``frame_too_large``, ``bad_json`` (not UTF-8 JSON, or nested deeper than
    ``MAX_DEPTH``), ``bad_frame`` (not an object), ``unknown_type``, ``bad_text`` (a string holds
    a :data:`BAD_TEXT` character; ``details.fields`` names it), ``invalid_frame`` (missing or
    malformed fields, named in ``details.fields``).
    """
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode(errors="surrogatepass"))
    if size > max_bytes:
        raise FrameError(
            f"Frame is {size} bytes; the limit is {max_bytes}.", code=ErrorCode.FRAME_TOO_LARGE
        )
    try:
        text = raw.decode() if isinstance(raw, bytes) else raw
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise FrameError("Frame is not valid JSON.", code=ErrorCode.BAD_JSON) from None
    except RecursionError:
        raise FrameError(_TOO_DEEP, code=ErrorCode.BAD_JSON) from None
    if not isinstance(data, dict):
        raise FrameError("Frame must be a JSON object.", code=ErrorCode.BAD_FRAME)
    ref = data.get("ref")
    ref = ref if isinstance(ref, str) and not BAD_TEXT.search(ref) else None
    kind = data.get("type")
    if kind not in FRAME_TYPES:
        raise FrameError(f"Unknown frame type {kind!r}.", code=ErrorCode.UNKNOWN_TYPE, ref=ref)
    problem = None if _surely_clean(text) else check_json(data)
    if problem is not None and problem[0] == "bad_json":
        raise FrameError(_TOO_DEEP, code=ErrorCode.BAD_JSON, ref=ref)
    if problem is not None:
        field = problem[1] or "frame"
        raise FrameError(bad_text_message(field), code=ErrorCode.BAD_TEXT, ref=ref, fields=[field])
    try:
        return _FRAMES.validate_python(data)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"][1:]) or "frame" for e in exc.errors()})
        raise FrameError(
            f"Frame {kind!r} has missing or invalid fields: {', '.join(fields)}.",
            code=ErrorCode.INVALID_FRAME,
            ref=ref,
            fields=fields,
        ) from None


_TOO_DEEP = f"JSON is nested more than {MAX_DEPTH} levels deep."


def bad_text_message(field: str) -> str:
    return (
        f"{field} holds a control character (other than tab and line breaks) "
        "or an unpaired surrogate."
    )


def _surely_clean(text: str) -> bool:
    """True when the raw JSON text cannot decode to anything :func:`check_json` refuses: no
    ``\\u``, ``\\b`` or ``\\f`` escape (the only ways a control character or a lone
    surrogate gets past the strict decoder), no such character written literally, and fewer
    brackets than the depth limit. A few scans in C instead of a walk in Python: this runs for
    every frame."""
    return (
        "\\u" not in text
        and "\\b" not in text
        and "\\f" not in text
        and text.count("{") + text.count("[") < MAX_DEPTH
        and BAD_TEXT.search(text) is None
    )


def check_json(value: object) -> tuple[Literal["bad_text", "bad_json"], str] | None:
    """Find what no client may send in decoded JSON: ``("bad_text", field)`` for the first string
    or object key holding a :data:`BAD_TEXT` character, ``("bad_json", field)`` for nesting
    deeper than :data:`MAX_DEPTH`; None when ``value`` is clean. ``field`` is a dotted path
    (``""`` for ``value`` itself; a bad key names the object holding it).

    Shared by every transport: frames here, REST bodies, paths and queries in ``api.py``.
    Iterative, so no depth that ``json.loads`` accepted can exhaust the stack.
    """
    stack: list[tuple[str, int, object]] = [("", 0, value)]
    while stack:
        path, depth, item = stack.pop()
        if isinstance(item, str):
            if BAD_TEXT.search(item):
                return "bad_text", path
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                return "bad_json", path
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str) and BAD_TEXT.search(key):
                    return "bad_text", path
                stack.append((f"{path}.{key}" if path else str(key), depth + 1, child))
    return None


def error_frame(exc: HelplineError, *, ref: str | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": exc.code, "message": exc.message}
    if ref is None and isinstance(exc, FrameError):
        ref = exc.ref
    if ref is not None:
        frame["ref"] = ref
    if exc.details:
        frame["details"] = exc.details
    return frame


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
