"""API shapes for canned responses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CannedIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    team_id: int | None = None
    shortcut: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")
    title: str = Field(min_length=1, max_length=100)
    body: str = Field(min_length=1, max_length=4000)


class CannedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    team_id: int | None
    shortcut: str
    title: str
    body: str


class RenderIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    conversation_id: int


class RenderOut(BaseModel):
    text: str
    missing: list[str]
