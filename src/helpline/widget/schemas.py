"""API shapes for the widget settings (admin) and the widget's own configuration (public)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from helpline.core.clock import UtcDateTime

Position = Literal["right", "left"]
FieldMode = Literal["required", "optional", "hidden"]
MAX_TOPICS = 20
# A topic is what the widget sends as a chat's ``topic``: a tag, like a team's skills.
Topic = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
# One line of plain text: the widget shows it as text, never as HTML.
Greeting = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=r"^[^\r\n\t]*$"),
]


class PrechatFields(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: FieldMode = "required"
    email: FieldMode = Field(
        default="optional",
        description="Whatever it says, the widget asks for an e-mail when no agent is online",
    )


class WidgetSettingsIn(BaseModel):
    """A whole replacement of the settings (``PUT``)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    colour: Colour = Field(description="The widget's colour, #rrggbb")
    greeting: Greeting = Field(description="The title at the top of the widget, plain text")
    position: Position = Field(description="The bottom corner the widget sits in")
    prechat_fields: PrechatFields
    topics: list[Topic] = Field(
        max_length=MAX_TOPICS,
        description="Topics the pre-chat form offers; empty offers the teams' skills",
    )

    @field_validator("colour")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("topics")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a topic is listed twice")
        return value


class WidgetSettingsOut(BaseModel):
    colour: str
    greeting: str
    position: Position
    prechat_fields: PrechatFields
    topics: list[str]
    updated_at: UtcDateTime | None
    updated_by: int | None


class WidgetConfigOut(BaseModel):
    """What the widget needs before a chat."""

    topics: list[str] = Field(description="The settings' topics, or else the teams' skills")
    available: bool = Field(description="Whether any agent is online right now")
    colour: str
    greeting: str
    position: Position
    prechat_fields: PrechatFields
    max_message_chars: int = Field(
        description="The longest message the server accepts, in characters (of the trimmed text)"
    )
