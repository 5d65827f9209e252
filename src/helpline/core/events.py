"""Envelopes: what actions publish after commit and what the hub fans out.

An envelope names a stream and carries either a committed event (with its sequence numbers, so a
receiver can detect gaps and re-read from the database) or an ephemeral frame (typing, read
receipts, queue position) that is never stored and never replayed.

Streams: ``conversation:<id>``, ``inbox:<user id>`` (an agent's own stream), ``team:<id>`` (queue
summaries for the team's staff), ``access:<conversation id>`` (kind ``access``: who may see that
conversation changed; the hub re-checks its subscribers) and ``user:<user id>`` (kind ``user``:
that user's session ended or rights changed; the hub re-authenticates their connections).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Audience = Literal["all", "staff", "visitor"]


@dataclass(frozen=True)
class Envelope:
    stream: str
    kind: Literal["event", "ephemeral", "access", "user"]
    seq: int = 0
    public_seq: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    audience: Audience = "all"

    def to_wire(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "kind": self.kind,
            "seq": self.seq,
            "public_seq": self.public_seq,
            "payload": self.payload,
            "audience": self.audience,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Envelope:
        return cls(
            stream=data["stream"],
            kind=data["kind"],
            seq=data["seq"],
            public_seq=data["public_seq"],
            payload=data["payload"],
            audience=data["audience"],
        )
