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

from dataclasses import dataclass
from enum import StrEnum


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
