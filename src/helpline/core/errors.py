"""The one error base. Every failure a client can cause is a :class:`HelplineError`.

Each carries a stable ``code`` (part of the public contract, listed in docs/protocol.md), an HTTP
status and a human message. One handler turns it into a JSON body (REST) or an ``error`` frame
(WebSocket, SSE fallback); nothing else reaches a client, and never a traceback.

Raise errors before the first write: a ``check_*`` function validates and authorizes, and a
``do_*`` function only runs once every check passed, so an error always means "nothing changed".
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Every error code a client can receive, REST or frame. Each is documented in
    docs/protocol.md (a test checks it); adding one is an additive protocol change."""

    AGENT_UNAVAILABLE = "agent_unavailable"
    ALREADY_AUTHENTICATED = "already_authenticated"
    ALREADY_RATED = "already_rated"
    AT_CAPACITY = "at_capacity"
    BAD_CREDENTIALS = "bad_credentials"
    BAD_FILTER = "bad_filter"
    BAD_FRAME = "bad_frame"
    BAD_IDENTITY = "bad_identity"
    BAD_JSON = "bad_json"
    BAD_REQUEST = "bad_request"
    BAD_SEQ = "bad_seq"
    BAD_TEXT = "bad_text"
    BAD_TOKEN = "bad_token"  # noqa: S105 - an error code, not a secret
    CONFLICT = "conflict"
    CSRF_FAILED = "csrf_failed"
    EMAIL_TAKEN = "email_taken"
    EMPTY_MESSAGE = "empty_message"
    ERROR = "error"
    FORBIDDEN = "forbidden"
    FRAME_TOO_LARGE = "frame_too_large"
    HELLO_REQUIRED = "hello_required"
    HTTP_ERROR = "http_error"
    IDENTITY_NOT_CONFIGURED = "identity_not_configured"
    INTERNAL = "internal"
    INVALID = "invalid"
    INVALID_FRAME = "invalid_frame"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NO_TEAMS = "no_teams"
    NOT_ASSIGNED = "not_assigned"
    NOT_FOUND = "not_found"
    OUT_OF_RANGE = "out_of_range"
    RATE_LIMITED = "rate_limited"
    READ_ONLY = "read_only"
    RESOLUTION_CODE_REQUIRED = "resolution_code_required"
    RESOLUTION_CODE_TAKEN = "resolution_code_taken"
    SESSION_ENDED = "session_ended"
    SHORTCUT_TAKEN = "shortcut_taken"
    TEAM_NAME_TAKEN = "team_name_taken"
    TOO_LARGE = "too_large"
    UNAUTHORIZED = "unauthorized"
    UNAVAILABLE = "unavailable"
    UNKNOWN_TEAM = "unknown_team"
    UNKNOWN_TYPE = "unknown_type"
    UNSUPPORTED_VERSION = "unsupported_version"
    USE_STREAM = "use_stream"
    WEAK_PASSWORD = "weak_password"  # noqa: S105 - an error code, not a secret
    WRONG_STATE = "wrong_state"


class HelplineError(Exception):
    code: ErrorCode = ErrorCode.ERROR
    status = 400

    def __init__(self, message: str, *, code: ErrorCode | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class BadRequest(HelplineError):
    code = ErrorCode.BAD_REQUEST
    status = 400


class Invalid(HelplineError):
    code = ErrorCode.INVALID
    status = 422


class TooLarge(HelplineError):
    code = ErrorCode.TOO_LARGE
    status = 413


class Unauthorized(HelplineError):
    code = ErrorCode.UNAUTHORIZED
    status = 401


class Forbidden(HelplineError):
    code = ErrorCode.FORBIDDEN
    status = 403


class NotFound(HelplineError):
    code = ErrorCode.NOT_FOUND
    status = 404


class Conflict(HelplineError):
    code = ErrorCode.CONFLICT
    status = 409


class WrongState(HelplineError):
    code = ErrorCode.WRONG_STATE
    status = 409


class RateLimited(HelplineError):
    code = ErrorCode.RATE_LIMITED
    status = 429


class Unavailable(HelplineError):
    """The database or another dependency is down; the client should retry the same request."""

    code = ErrorCode.UNAVAILABLE
    status = 503
