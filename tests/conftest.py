"""Fixtures: a real server per database backend (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator

import pytest

from tests import clients
from tests.servers import (
    Server,
    create_pg_database,
    drop_pg_database,
    postgres_admin_url,
    start_server,
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: once Playwright's sync API has started (a session fixture), an
    event loop runs on this thread until the end, and no async test or fixture can run."""
    items.sort(key=lambda item: item.nodeid.startswith("tests/web/"))


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp(f"server-{request.param}")
    with contextlib.ExitStack() as stack:
        if request.param == "postgres":
            admin_url = postgres_admin_url()
            assert admin_url is not None
            db_url = create_pg_database(admin_url)
            stack.callback(drop_pg_database, admin_url, db_url)
        else:
            db_url = f"sqlite+aiosqlite:///{workdir}/helpline.db"
        srv = start_server(db_url, workdir)
        stack.callback(srv.stop)
        yield srv


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await clients.close_all()


@pytest.fixture
async def root(server: Server) -> clients.Staff:
    return await clients.admin(server)
