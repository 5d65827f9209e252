"""Imports every table so the metadata (and Alembic) sees the whole schema."""

from helpline.agents.models import AgentPresence, AuthSession, Team, TeamMember, User
from helpline.canned.models import CannedResponse
from helpline.compliance.models import AuditEntry
from helpline.conversations.models import (
    Conversation,
    ConversationEvent,
    InboxEvent,
    ResolutionCode,
)
from helpline.core.db import Base
from helpline.core.feed import FeedCursor, FeedRow
from helpline.core.lease import LeaseRow
from helpline.customers.models import Customer, Visitor
from helpline.routing.models import Assignment
from helpline.widget.models import WidgetSettings

__all__ = [
    "AgentPresence",
    "Assignment",
    "AuditEntry",
    "AuthSession",
    "Base",
    "CannedResponse",
    "Conversation",
    "ConversationEvent",
    "Customer",
    "FeedCursor",
    "FeedRow",
    "InboxEvent",
    "LeaseRow",
    "ResolutionCode",
    "Team",
    "TeamMember",
    "User",
    "Visitor",
    "WidgetSettings",
]
