"""The events conversations put on the wire: the definition of their shapes.

Two logs, both appended by :mod:`helpline.conversations.log`:

- a conversation's events (``conversation:<id>`` streams and ``GET .../events``): ``type``,
  ``seq``, ``conversation_id``, ``sender``, ``created_at``, then ``text``, ``client_id`` and
  ``data`` when set; staff also get ``public_seq``;
- a staff member's inbox (``inbox`` stream): ``type``, ``seq``, ``created_at`` and the event's
  fields at the top level.

The models here are the events this domain emits; routing's are in
:mod:`helpline.routing.events`, and :mod:`helpline.schema` gathers all of them into the
``ChatEvent`` union that the TypeScript types are generated from. The code that builds events
writes plain dicts (they are on the hot path); tests run servers with ``HELPLINE_CHECK_FRAMES=1``,
which validates every frame sent against these models, so a dict that drifts from its model
fails the suite. A field that is absent when unset is typed ``X | MISSING``, never ``None``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import MISSING, BaseModel, ConfigDict, Field

# What ``core.clock.iso`` writes: UTC, ending in ``Z``.
Timestamp = Annotated[
    str,
    Field(
        pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$",
        json_schema_extra={"format": "date-time"},
    ),
]
Id = Annotated[int, Field(ge=1)]
Seq = Annotated[int, Field(ge=0)]
ConversationState = Literal["queued", "assigned", "active", "wrap-up", "closed", "abandoned"]
# Why a chat left an agent: the requeue reasons (routing) and ``closed``.
RemovalReason = Literal["no_answer", "agent_offline", "transferred", "team_left", "closed"]


class WireModel(BaseModel):
    """Strict and closed: a field of the wrong type or one the model does not name is a
    mismatch, so the model has to say everything the server sends."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class VisitorSender(WireModel):
    kind: Literal["visitor"]
    name: str | MISSING = MISSING


class AgentSender(WireModel):
    """Any staff member (agent, supervisor, admin, QA) who wrote or did something."""

    kind: Literal["agent"]
    id: Id
    name: str | MISSING = MISSING


class SystemSender(WireModel):
    kind: Literal["system"]


Sender = Annotated[VisitorSender | AgentSender | SystemSender, Field(discriminator="kind")]


class ConversationEventBase(WireModel):
    """What every conversation event carries. ``seq`` is in the receiver's numbering;
    ``public_seq`` (staff only) is the visitor's number of the event, null for internal ones."""

    seq: Seq
    public_seq: Seq | MISSING | None = MISSING
    conversation_id: Id
    sender: Sender
    created_at: Timestamp


class StartedData(WireModel):
    topic: str


class Started(ConversationEventBase):
    type: Literal["started"]
    data: StartedData


class MaskedData(WireModel):
    """What was masked in the text before it was stored (compliance/pii.py)."""

    masked: list[Literal["card", "iban", "ssn"]]


class Message(ConversationEventBase):
    type: Literal["message"]
    text: str
    client_id: str
    data: MaskedData | MISSING = MISSING


class InternalNote(ConversationEventBase):
    """An internal note: staff only."""

    type: Literal["note"]
    text: str
    client_id: str
    data: MaskedData | MISSING = MISSING


class EndedData(WireModel):
    by: Literal["visitor", "agent"]


class Ended(ConversationEventBase):
    type: Literal["ended"]
    data: EndedData


class ClosedData(WireModel):
    resolution_code: str
    note: str


class Closed(ConversationEventBase):
    """Wrap-up done: staff only."""

    type: Literal["closed"]
    data: ClosedData


class InboxEventBase(WireModel):
    seq: Seq
    created_at: Timestamp


class ConversationSummary(WireModel):
    """The short form of a conversation in inbox events (``conversations.log.summary``)."""

    conversation_id: Id
    state: ConversationState
    team_id: Id
    agent_id: Id | None
    topic: str
    priority: int
    queued_at: Timestamp


class ConversationUpdated(InboxEventBase):
    type: Literal["conversation.updated"]
    conversation: ConversationSummary


class ConversationRemoved(InboxEventBase):
    type: Literal["conversation.removed"]
    conversation_id: Id
    reason: RemovalReason


CONVERSATION_EVENTS = (Started, Message, InternalNote, Ended, Closed)
INBOX_EVENTS = (ConversationUpdated, ConversationRemoved)
