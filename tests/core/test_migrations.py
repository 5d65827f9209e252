"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from helpline.core.db import make_engine
from helpline.core.migrate import include_object, upgrade
from helpline.models import Base
from tests.servers import create_pg_database, drop_pg_database, postgres_admin_url


def _diff(url: str) -> list[object]:
    def compare(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        return list(compare_metadata(context, Base.metadata))

    async def run() -> list[object]:
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_sqlite_schema_matches_models(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/m.db"
    upgrade(url)
    upgrade(url)  # idempotent
    assert _diff(url) == []


@pytest.mark.postgres
def test_postgres_schema_matches_models() -> None:
    admin_url = postgres_admin_url()
    assert admin_url is not None
    url = create_pg_database(admin_url)
    try:
        upgrade(url)
        assert _diff(url) == []
    finally:
        drop_pg_database(admin_url, url)


def test_duplicate_global_shortcuts_survive_the_upgrade_renamed(tmp_path: Path) -> None:
    """Before 0006 two global canned responses could share a shortcut; the upgrade keeps both,
    the older under its name and the newer as ``<name>-<id>``."""
    url = f"sqlite+aiosqlite:///{tmp_path}/d.db"
    upgrade(url, "0005")

    async def rows(sql: str) -> list[tuple[object, ...]]:
        engine = make_engine(url)
        try:
            async with engine.begin() as conn:
                result = await conn.exec_driver_sql(sql)
                return [tuple(r) for r in result.fetchall()] if result.returns_rows else []
        finally:
            await engine.dispose()

    asyncio.run(
        rows(
            "INSERT INTO canned_responses (id, team_id, shortcut, title, body, created_at) VALUES "
            "(1, NULL, 'hello', 'T', 'B', '2026-01-01'), "
            "(2, NULL, 'hello', 'T', 'B', '2026-01-01'),"
            " (3, NULL, 'hello', 'T', 'B', '2026-01-01')"
        )
    )
    upgrade(url)
    found = asyncio.run(rows("SELECT id, shortcut FROM canned_responses ORDER BY id"))
    assert found == [(1, "hello"), (2, "hello-2"), (3, "hello-3")]


def test_the_widget_keeps_its_look_after_the_upgrade(tmp_path: Path) -> None:
    """0007 stores the widget settings as they were before settings existed, in one row that
    stays one row."""
    url = f"sqlite+aiosqlite:///{tmp_path}/w.db"
    upgrade(url)

    async def run() -> tuple[list[tuple[object, ...]], bool]:
        engine = make_engine(url)
        try:
            async with engine.begin() as conn:
                result = await conn.exec_driver_sql(
                    "SELECT id, colour, greeting, position, name_field, email_field, topics "
                    "FROM widget_settings"
                )
                found = [tuple(r) for r in result.fetchall()]
            async with engine.begin() as conn:
                try:
                    await conn.exec_driver_sql(
                        "INSERT INTO widget_settings (id, colour, greeting, position, name_field, "
                        "email_field, topics) VALUES (2, '#000000', 'x', 'left', 'hidden', "
                        "'hidden', '[]')"
                    )
                except IntegrityError:
                    return found, False
            return found, True
        finally:
            await engine.dispose()

    found, second_row_allowed = asyncio.run(run())
    assert found == [(1, "#2454d6", "Chat with us", "right", "required", "optional", "[]")]
    assert not second_row_allowed
