"""The events routing puts on the wire: assignment, transfer and requeue on a conversation's
stream, offers and status changes in a staff member's inbox.

Shapes only; see :mod:`helpline.conversations.events` for how they are used and checked.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import MISSING, Field

from helpline.conversations.events import (
    ConversationEventBase,
    ConversationSummary,
    Id,
    InboxEventBase,
    WireModel,
)

RequeueReason = Literal["no_answer", "agent_offline", "transferred", "team_left"]
StatusReason = Literal[
    "manual", "missed_chat", "connection_lost", "logout", "deactivated", "role_changed"
]


class RoutedReason(WireModel):
    """Why the router chose this agent (``routing.selection``)."""

    rule: Literal["least_load_then_longest_idle"]
    skills_required: list[str]
    skills_matched: list[str]
    skills_relaxed: bool
    excluded_fallback: bool
    language: str
    load: int
    cap: int
    idle_s: float
    candidates: int


class ManualReason(WireModel):
    """A person chose the agent: the agent picked the chat, or someone transferred it."""

    rule: Literal["manual_pick", "manual_transfer"]
    by: Id


AssignmentReason = Annotated[RoutedReason | ManualReason, Field(discriminator="rule")]


class AssignedData(WireModel):
    agent_id: Id
    agent_name: str
    reason: AssignmentReason


class Assigned(ConversationEventBase):
    """Offered to an agent, and why: staff only."""

    type: Literal["assigned"]
    data: AssignedData


class AgentNameData(WireModel):
    agent_name: str


class AgentJoined(ConversationEventBase):
    type: Literal["agent_joined"]
    data: AgentNameData


class AgentLeft(ConversationEventBase):
    """The agent left an active chat (went offline, or it was taken from them)."""

    type: Literal["agent_left"]
    data: AgentNameData


class RequeuedData(WireModel):
    reason: RequeueReason
    agent_id: Id
    agent_name: str
    team_id: Id


class Requeued(ConversationEventBase):
    """Back in a queue: staff only."""

    type: Literal["requeued"]
    data: RequeuedData


class TransferredData(WireModel):
    from_agent_id: Id | None
    to_agent_id: Id | None
    to_team_id: Id | None


class Transferred(ConversationEventBase):
    """Handed over: staff only; ``text`` is the handover note, when one was written."""

    type: Literal["transferred"]
    text: str | MISSING = MISSING
    data: TransferredData


class Transferring(ConversationEventBase):
    """What the visitor is told of a transfer."""

    type: Literal["transferring"]


class ConversationOffered(InboxEventBase):
    type: Literal["conversation.offered"]
    conversation: ConversationSummary
    expires_in_s: int


class ConversationAccepted(InboxEventBase):
    type: Literal["conversation.accepted"]
    conversation: ConversationSummary


class StatusChanged(InboxEventBase):
    type: Literal["status"]
    status: Literal["online", "away", "offline"]
    reason: StatusReason


CONVERSATION_EVENTS = (Assigned, AgentJoined, AgentLeft, Requeued, Transferred, Transferring)
INBOX_EVENTS = (ConversationOffered, ConversationAccepted, StatusChanged)
