"""Stream names: what an envelope is addressed to and what a client subscribes to.

A stream is a kind and a numeric key, written ``<kind>:<key>`` on the wire (docs/protocol.md).
Build names with the functions here and read them with :meth:`StreamId.parse`; nothing else
formats or splits them.

- ``conversation:<id>``: a conversation's events (both sides; each sees its own view);
- ``inbox:<user id>``: one staff member's own events (offers, assignments, status);
- ``team:<id>``: queue summaries for the team's staff;
- ``access:<conversation id>``: a notice that who may follow the conversation changed;
- ``user:<user id>``: a notice that the user's session ended or their rights changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from helpline.core.actors import Actor, View


class StreamKind(StrEnum):
    CONVERSATION = "conversation"
    INBOX = "inbox"
    TEAM = "team"
    ACCESS = "access"
    USER = "user"


@dataclass(frozen=True)
class StreamId:
    kind: StreamKind
    key: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"

    @classmethod
    def parse(cls, name: str) -> StreamId | None:
        """The stream ``name`` denotes, or None for anything that is not ``<kind>:<number>``."""
        kind, sep, key = name.partition(":")
        if not sep or not key.isdigit() or not key.isascii():
            return None
        try:
            return cls(StreamKind(kind), int(key))
        except ValueError:
            return None


def conversation_stream(conversation_id: int) -> str:
    return str(StreamId(StreamKind.CONVERSATION, conversation_id))


def inbox_stream(user_id: int) -> str:
    return str(StreamId(StreamKind.INBOX, user_id))


def team_stream(team_id: int) -> str:
    return str(StreamId(StreamKind.TEAM, team_id))


def access_stream(conversation_id: int) -> str:
    return str(StreamId(StreamKind.ACCESS, conversation_id))


def user_stream(user_id: int) -> str:
    return str(StreamId(StreamKind.USER, user_id))


def stream_key(name: str, kind: StreamKind) -> int | None:
    """The key of ``name`` if it is a stream of ``kind``."""
    stream = StreamId.parse(name)
    return stream.key if stream is not None and stream.kind is kind else None


def stream_conversation_id(name: str) -> int | None:
    return stream_key(name, StreamKind.CONVERSATION)


class StreamSource(Protocol):
    """What the real-time hub needs to know about one kind of replayable stream, supplied by the
    domain that owns it (conversations own ``conversation`` and ``inbox`` streams). The hub
    knows nothing else about a stream: it asks its source.

    ``db`` is an open read connection (or session); every method reads, none writes. A stream's
    events are numbered per view (a visitor counts only the public events of a conversation),
    so heads and reads take the view."""

    kind: StreamKind

    async def admit(self, db: Any, actor: Actor, key: int) -> int:
        """:meth:`authorize` for a new subscription, returning :meth:`head` in the actor's
        view (one read where the source can). The source may also note that someone now
        follows the stream (a waiting visitor's queue position is refreshed)."""

    async def authorize(self, db: Any, actor: Actor, key: int) -> None:
        """Raise a :class:`~helpline.core.errors.HelplineError` unless ``actor`` may follow
        the stream (checked at subscribe, and again whenever access may have shrunk)."""

    async def head(self, db: Any, view: View, key: int) -> int:
        """The newest sequence number of the stream in ``view``'s numbering (0 when empty)."""

    async def heads(self, db: Any, keys: Sequence[int]) -> Mapping[View, Mapping[int, int]]:
        """:meth:`head` for many streams at once, for each view: one read however many."""

    async def read(
        self, db: Any, view: View, key: int, after: int, limit: int
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` events after ``after`` in ``view``'s numbering, oldest first; each
        carries its ``seq``."""

    def present(
        self, payload: dict[str, Any], *, seq: int, public_seq: int | None, view: View
    ) -> dict[str, Any]:
        """A live event as ``view`` sees it (numbered in that view)."""


class StreamSources:
    """The registry of stream sources, by kind; the composition fills it (api.py)."""

    def __init__(self, sources: Iterable[StreamSource] = ()) -> None:
        self._by_kind: dict[StreamKind, StreamSource] = {}
        for source in sources:
            self.register(source)

    def register(self, source: StreamSource) -> None:
        if source.kind in self._by_kind:
            raise ValueError(f"a source for {source.kind} streams is already registered")
        self._by_kind[source.kind] = source

    def get(self, stream: str) -> tuple[StreamSource, int] | None:
        """The source of ``stream`` and the stream's key, or None for a stream nobody replays
        (``team:`` summaries, notices)."""
        parsed = StreamId.parse(stream)
        if parsed is None:
            return None
        source = self._by_kind.get(parsed.kind)
        return (source, parsed.key) if source is not None else None

    def __contains__(self, kind: StreamKind) -> bool:
        return kind in self._by_kind
