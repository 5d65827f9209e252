"""Leases on real databases: one holder at a time, renewal, expiry and release."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from helpline.core.db import Database
from helpline.core.lease import Lease
from helpline.core.migrate import upgrade_async
from tests.servers import create_pg_database, drop_pg_database, postgres_admin_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    admin_url = None
    if request.param == "postgres":
        admin_url = postgres_admin_url()
        assert admin_url is not None
        url = await asyncio.to_thread(create_pg_database, admin_url)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path}/lease.db"
    try:
        await upgrade_async(url)
        database = Database(url)
        try:
            yield database
        finally:
            await database.close()
    finally:
        if admin_url is not None:
            await asyncio.to_thread(drop_pg_database, admin_url, url)


async def test_only_one_node_holds_a_lease_until_it_expires(db: Database) -> None:
    a = Lease(db, "router", holder="node-a", ttl_s=10)
    b = Lease(db, "router", holder="node-b", ttl_s=10)
    assert await a.hold(at=1000.0) is True
    assert await b.hold(at=1001.0) is False
    assert (a.held, b.held) == (True, False)
    assert await a.hold(at=1008.0) is True  # renewed until 1018
    assert await b.hold(at=1015.0) is False
    assert await b.hold(at=1019.0) is True  # a stopped renewing: b takes over
    assert await a.hold(at=1020.0) is False
    assert a.held is False


async def test_release_hands_the_lease_over_at_once(db: Database) -> None:
    a = Lease(db, "jobs", holder="node-a", ttl_s=60)
    b = Lease(db, "jobs", holder="node-b", ttl_s=60)
    assert await a.hold(at=50.0)
    await a.release()
    assert await b.hold(at=51.0)
    await a.release()  # not held: changes nothing
    assert await a.hold(at=52.0) is False


async def test_leases_with_different_names_are_independent(db: Database) -> None:
    assert await Lease(db, "one", holder="node-a", ttl_s=10).hold(at=1.0)
    assert await Lease(db, "two", holder="node-b", ttl_s=10).hold(at=1.0)
