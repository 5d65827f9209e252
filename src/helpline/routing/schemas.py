"""API shapes for queues and agent load."""

from __future__ import annotations

from pydantic import BaseModel

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
