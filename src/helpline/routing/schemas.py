"""API shapes for queues and agent load."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from helpline.core.clock import UtcDateTime


class WaitingOut(BaseModel):
    conversation_id: int
    position: int
    priority: int
    topic_skills: list[str]
    language: str
    queued_at: UtcDateTime
    waited_s: int


class AgentLoadOut(BaseModel):
    user_id: int
    name: str
    status: str
    load: int
    cap: int


class TeamQueueOut(BaseModel):
    team_id: int
    waiting: list[WaitingOut]
    agents: list[AgentLoadOut]


class TransferTargetOut(BaseModel):
    """An agent a chat can be transferred to now, and the team it would join with them."""

    user_id: int
    name: str
    team_id: int
    load: int
    cap: int
    free: bool


class TeamHoursIn(BaseModel):
    """A team's business hours as plain data (docs/routing.md), or null for always open."""

    hours: dict[str, Any] | None


class TeamHoursOut(BaseModel):
    team_id: int
    hours: dict[str, Any] | None = Field(description="The schedule; null: always open.")
    open_now: bool
    next_change_at: UtcDateTime | None = Field(
        description="When the team next opens (if closed) or closes (if open); null: never "
        "within a year."
    )
