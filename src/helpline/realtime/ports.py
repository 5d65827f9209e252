"""What the real-time transport needs from the domains, as interfaces the composition fills.

``helpline.realtime`` imports no domain (the layering contract in pyproject.toml checks it). The
domains provide objects of these shapes (``conversations.live``, ``deps.ConnectionIdentities``)
and api.py hands them to the :class:`~helpline.realtime.hub.Hub`, together with the registry of
stream sources (``core.streams.StreamSources``).
"""

from __future__ import annotations

from typing import Any, Protocol

from helpline.core.actors import Actor


class SendResult(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def duplicate(self) -> bool: ...
    @property
    def event(self) -> dict[str, Any]: ...


class ChatPort(Protocol):
    """The chat frames' actions; each owns its transaction and raises ``HelplineError``s."""

    async def send(
        self, actor: Actor, *, conversation_id: int, client_id: str, text: str, internal: bool
    ) -> SendResult: ...

    async def typing(
        self, actor: Actor, *, conversation_id: int, active: bool, following: bool
    ) -> None: ...

    async def read(self, actor: Actor, *, conversation_id: int, seq: int) -> None: ...

    async def end(self, actor: Actor, *, conversation_id: int) -> tuple[int, str]: ...


class Identities(Protocol):
    """Who holds a credential. Staff credentials are session tokens; a connection keeps the
    token's digest and asks :meth:`live_staff` again whenever that user's rights change."""

    session_cookie: str
    csrf_header: str

    async def visitor(self, token: str) -> Actor | None:
        """The visitor holding ``token``, or None."""

    async def staff(self, session_token: str) -> tuple[Actor, str] | None:
        """The staff member of a live session and the session's CSRF token, or None."""

    async def live_staff(self, credentials: list[str]) -> dict[str, Actor]:
        """The current staff member behind each still-valid session digest; ended sessions and
        deactivated users are missing from the answer. One read, however many."""
