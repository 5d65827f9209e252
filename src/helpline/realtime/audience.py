"""The one place that decides which connection receives which envelope.

- ``staff`` envelopes (internal notes, assignment reasons, visitor typing) never reach a visitor.
- ``visitor`` envelopes (agent typing) go to visitors only.
- Everything else goes to every connection subscribed to the stream; subscriptions themselves
  were access-checked when made and are re-checked when a conversation's access changes.
"""

from __future__ import annotations

from typing import Literal

from helpline.core.events import Envelope

View = Literal["staff", "visitor"]


def receives(view: View, envelope: Envelope) -> bool:
    if envelope.audience == "staff":
        return view == "staff"
    if envelope.audience == "visitor":
        return view == "visitor"
    if envelope.kind == "event" and view == "visitor":
        return envelope.public_seq is not None
    return True


def seq_for(view: View, envelope: Envelope) -> int | None:
    """The event's number in this audience's numbering (see conversations.models)."""
    if view == "visitor" and envelope.stream.startswith("conversation:"):
        return envelope.public_seq
    return envelope.seq
