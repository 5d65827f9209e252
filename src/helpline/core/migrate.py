"""Schema migrations (Alembic), callable from the CLI and from tests."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


# Schema objects the migrations create that the models do not describe: the full-text search
# table and its shadow tables (SQLite FTS5) and the expression index (PostgreSQL), see
# conversations/search.py. Comparisons of the schema with the models leave them out.
UNMODELLED_PREFIXES = ("conversation_search", "ix_conversation_events_fts")


def include_object(
    _obj: object, name: str | None, _type: str, _reflected: bool, _compare_to: object
) -> bool:
    """Alembic's ``include_object`` hook: False for the objects only migrations know."""
    return not (name or "").startswith(UNMODELLED_PREFIXES)


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision``. Safe to run on every start."""
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str) -> None:
    # env.py runs its own event loop, so it needs a thread of its own.
    await asyncio.to_thread(upgrade, url)
