"""API shapes for auth, users, teams and agent status."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, field_validator

Role = Literal["admin", "supervisor", "agent", "qa"]
Status = Literal["online", "away", "offline"]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _not_null(value: object) -> object:
    """A patch leaves out what it keeps; null is no value for these fields."""
    if value is None:
        raise ValueError("may not be null; leave the field out to keep its value")
    return value


class LoginIn(Strict):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    name: str
    role: str
    skills: list[str]
    languages: list[str]
    is_active: bool
    team_ids: list[int] = []


class PasswordIn(Strict):
    current: str = Field(max_length=200)
    new: str = Field(max_length=200)


class MeOut(BaseModel):
    user: UserOut
    csrf_token: str
    status: str
    # The newest seq of your inbox stream: subscribe with ``after`` set to it when you load your
    # chats over REST, instead of replaying the inbox from 0.
    inbox_last_seq: int = 0
    # What the user may do (core/permissions.py), so clients show the screens that fit without
    # knowing role names.
    capabilities: list[str] = []


class UserCreate(Strict):
    email: EmailStr
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(max_length=200)
    role: Role = "agent"
    skills: list[Tag] = []
    languages: list[Tag] = []
    team_ids: list[int] = []


class UserPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    password: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    skills: list[Tag] | None = None
    languages: list[Tag] | None = None
    team_ids: list[int] | None = None
    is_active: bool | None = None

    _present = field_validator(
        "name", "password", "role", "skills", "languages", "team_ids", "is_active"
    )(_not_null)


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    skills: list[str]
    languages: list[str]
    concurrency_cap: int
    multi_chat: bool
    answer_timeout_s: int
    relax_skills_after_s: int | None
    is_default: bool


class TeamCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    skills: list[Tag] = []
    languages: list[Tag] = []
    concurrency_cap: int = Field(default=2, ge=1, le=20)
    multi_chat: bool = True
    answer_timeout_s: int = Field(default=45, ge=5, le=600)
    # None: the deployment's default (``HELPLINE_RELAX_SKILLS_AFTER_S``).
    relax_skills_after_s: int | None = Field(default=None, ge=0, le=86_400)
    is_default: bool = False


class TeamPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    skills: list[Tag] | None = None
    languages: list[Tag] | None = None
    concurrency_cap: int | None = Field(default=None, ge=1, le=20)
    multi_chat: bool | None = None
    answer_timeout_s: int | None = Field(default=None, ge=5, le=600)
    # Sent as null: back to the deployment's default. Left out: unchanged.
    relax_skills_after_s: int | None = Field(default=None, ge=0, le=86_400)
    is_default: bool | None = None

    _present = field_validator(
        "name",
        "skills",
        "languages",
        "concurrency_cap",
        "multi_chat",
        "answer_timeout_s",
        "is_default",
    )(_not_null)


class StatusIn(Strict):
    status: Status


class AgentStatusOut(BaseModel):
    user_id: int
    name: str
    status: str
    load: int
