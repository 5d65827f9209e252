"""The widget settings: one row (``id`` 1), created by migration 0007 with today's look."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.core.db import Base

SETTINGS_ID = 1


class WidgetSettings(Base):
    __tablename__ = "widget_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    colour: Mapped[str] = mapped_column(String(7))
    greeting: Mapped[str] = mapped_column(String(80))
    position: Mapped[str] = mapped_column(String(5))
    name_field: Mapped[str] = mapped_column(String(8))
    email_field: Mapped[str] = mapped_column(String(8))
    topics: Mapped[list[str]] = mapped_column()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)
