"""The one error base. Every failure a client can cause is a :class:`HelplineError`.

Each carries a stable ``code`` (part of the public contract, listed in docs/protocol.md), an HTTP
status and a human message. One handler turns it into a JSON body (REST) or an ``error`` frame
(WebSocket, SSE fallback); nothing else reaches a client, and never a traceback.

Raise errors before the first write: a ``check_*`` function validates and authorizes, and a
``do_*`` function only runs once every check passed, so an error always means "nothing changed".
"""

from __future__ import annotations

from typing import Any


class HelplineError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
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
    code = "bad_request"
    status = 400


class Invalid(HelplineError):
    code = "invalid"
    status = 422


class TooLarge(HelplineError):
    code = "too_large"
    status = 413


class Unauthorized(HelplineError):
    code = "unauthorized"
    status = 401


class Forbidden(HelplineError):
    code = "forbidden"
    status = 403


class NotFound(HelplineError):
    code = "not_found"
    status = 404


class Conflict(HelplineError):
    code = "conflict"
    status = 409


class WrongState(HelplineError):
    code = "wrong_state"
    status = 409


class RateLimited(HelplineError):
    code = "rate_limited"
    status = 429


class Unavailable(HelplineError):
    """The database or another dependency is down; the client should retry the same request."""

    code = "unavailable"
    status = 503
