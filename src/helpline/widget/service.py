"""Reads of the widget settings, and the configuration the widget loads."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.agents.models import Team
from helpline.routing import service as routing_service
from helpline.widget.models import SETTINGS_ID, WidgetSettings
from helpline.widget.schemas import PrechatFields, WidgetConfigOut, WidgetSettingsOut

# The look the widget had before it had settings; migration 0007 stores the same values.
DEFAULTS = WidgetSettingsOut(
    colour="#2454d6",
    greeting="Chat with us",
    position="right",
    prechat_fields=PrechatFields(name="required", email="optional"),
    topics=[],
    updated_at=None,
    updated_by=None,
)


def as_out(row: WidgetSettings) -> WidgetSettingsOut:
    return WidgetSettingsOut.model_validate(
        {
            "colour": row.colour,
            "greeting": row.greeting,
            "position": row.position,
            "prechat_fields": {"name": row.name_field, "email": row.email_field},
            "topics": row.topics,
            "updated_at": row.updated_at,
            "updated_by": row.updated_by,
        }
    )


async def current(s: AsyncSession) -> WidgetSettingsOut:
    """The stored settings, or :data:`DEFAULTS` where the row is missing (a database built from
    the models rather than the migrations)."""
    row = await s.get(WidgetSettings, SETTINGS_ID)
    return as_out(row) if row else DEFAULTS


async def widget_config(s: AsyncSession, *, max_message_chars: int) -> WidgetConfigOut:
    """The settings, with the topics to offer (the configured ones, else every team's skills),
    whether anyone who answers chats is online, and the server's limit on a message's length."""
    settings = await current(s)
    topics = settings.topics
    if not topics:
        skills = (await s.execute(select(Team.skills))).scalars().all()
        topics = sorted({t for team in skills for t in team})
    online = await routing_service.agents_online(s)
    return WidgetConfigOut(
        topics=topics,
        available=bool(online),
        colour=settings.colour,
        greeting=settings.greeting,
        position=settings.position,
        prechat_fields=settings.prechat_fields,
        max_message_chars=max_message_chars,
    )
