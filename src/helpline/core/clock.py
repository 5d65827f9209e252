"""Wall-clock time in one place, so tests and simulations can reason about it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import PlainSerializer


def now() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat().replace("+00:00", "Z")


def aware(value: datetime) -> datetime:
    """SQLite hands datetimes back naive; everything stored is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# A datetime in an API answer: always UTC and written like event timestamps
# ("2026-11-23T05:55:00.711873Z"), whether the database handed it back naive (SQLite) or not.
UtcDateTime = Annotated[datetime, PlainSerializer(lambda v: iso(v), return_type=str)]
