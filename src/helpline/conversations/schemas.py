"""API shapes for conversations, their events, wrap-up and resolution codes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from helpline.core.clock import UtcDateTime

Tag = Annotated[str, StringConstraints(max_length=40, pattern=r"^[a-z0-9_-]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class StartIn(Strict):
    name: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=254)
    topic: Tag = ""
    language: Tag = ""
    team_id: int | None = None
    customer: dict[str, Any] | None = Field(
        default=None, description="Signed identity from the host site"
    )
    signature: str | None = Field(default=None, max_length=128)


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    state: str
    team_id: int
    agent_id: int | None
    topic: str
    language: str
    priority: int
    created_at: UtcDateTime
    queued_at: UtcDateTime
    assigned_at: UtcDateTime | None
    first_response_at: UtcDateTime | None
    ended_at: UtcDateTime | None
    closed_at: UtcDateTime | None


class StaffConversationOut(ConversationOut):
    visitor_id: int
    customer_id: int | None
    skills: list[str]
    last_seq: int
    last_public_seq: int
    visitor_read_seq: int
    agent_read_seq: int
    resolution_code: str | None
    wrapup_note: str
    csat_rating: int | None
    # With a search (``q``): the matching message's text around the first word found.
    snippet: str | None = None


class StartOut(BaseModel):
    conversation: ConversationOut
    visitor_token: str | None = Field(
        description="Returned once, for a new visitor; keep it out of URLs"
    )


class EventsOut(BaseModel):
    conversation_id: int
    events: list[dict[str, Any]]
    last_seq: int
    more: bool


class CloseIn(Strict):
    resolution_code: str = Field(min_length=1, max_length=40)
    note: str = Field(default="", max_length=2000)


class TransferIn(Strict):
    agent_id: int | None = None
    team_id: int | None = None
    note: str = Field(default="", max_length=2000)


class CsatIn(Strict):
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=1000)


class PastConversation(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    state: str
    topic: str
    created_at: UtcDateTime


class CustomerOut(BaseModel):
    name: str
    email: str
    tier: str
    account_status: str
    external_id: str | None
    past: list[PastConversation]


class ResolutionCodeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    label: str
    active: bool


class ResolutionCodeIn(Strict):
    code: Tag = Field(min_length=1)
    label: str = Field(min_length=1, max_length=100)
    active: bool = True
