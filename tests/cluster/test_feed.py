"""A feed consumer survives the death of the node that runs it: every event is handled at least
once, in feed order, and handling one twice changes nothing."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from helpline.core.db import Database
from helpline.core.feed import read_after
from helpline.core.migrate import upgrade
from tests.clients import Visitor, admin, make_team
from tests.cluster.procs import Node, Redis, node_env, wait_for, wait_until
from tests.cluster.test_nodes import as_server
from tests.servers import create_pg_database, drop_pg_database, free_port, postgres_admin_url, seed

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
ROOT = Path(__file__).resolve().parents[2]
JOB = "feed:test.recorder"


def jobs(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "helpline", "jobs", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {job["name"]: job for job in json.loads(out.stdout)}


def feed_ids(db_url: str) -> list[int]:
    async def read() -> list[int]:
        db = Database(db_url)
        try:
            return [e.id for e in await read_after(db, 0, limit=100_000)]
        finally:
            await db.close()

    return asyncio.run(read())


def lines(path: Path) -> list[int]:
    return [int(x) for x in path.read_text().split()] if path.exists() else []


async def start_chats(node: Node, db_url: str, count: int) -> None:
    server = as_server(node, db_url)
    root = await admin(server)
    try:
        team = await make_team(root)
    finally:
        await root.http.aclose()
    for _ in range(count):
        await Visitor.start(server, team_id=team["id"])


def test_a_consumer_moves_to_another_node_without_losing_or_reordering(
    tmp_path: Path,
) -> None:
    admin_url = postgres_admin_url()
    assert admin_url is not None
    with contextlib.ExitStack() as stack:
        db_url = create_pg_database(admin_url)
        stack.callback(drop_pg_database, admin_url, db_url)
        redis = Redis(tmp_path)
        stack.callback(redis.kill)
        redis.start()
        upgrade(db_url)
        asyncio.run(seed(db_url))
        env = node_env(
            db_url,
            redis.url,
            f"helpline-test:{secrets.token_hex(4)}",
            {
                "HELPLINE_CONSUMERS": "tests.cluster.feed_recorder:RECORDER",
                "HELPLINE_TEST_FEED_DIR": str(tmp_path),
                "PYTHONPATH": str(ROOT),
            },
        )
        nodes = [Node(free_port(), env, tmp_path) for _ in range(2)]
        for node in nodes:
            stack.callback(node.stop)
            node.start()
        holder_name = wait_for(lambda: jobs(env)[JOB]["holder"], 30, "a node to take the job")
        before = set(feed_ids(db_url))
        asyncio.run(start_chats(nodes[0], db_url, 40))
        calls, effects = tmp_path / "calls.log", tmp_path / "effects.log"
        produced = [i for i in feed_ids(db_url) if i not in before]
        wait_until(lambda: len(lines(calls)) >= 5, 30, "the consumer to be under way")
        # Kill the node that runs the consumer, mid-stream (its handler takes 0.2 s an event).
        holder = next(n for n in nodes if n.proc is not None and _is(n, holder_name))
        holder.kill()
        assert len(lines(effects)) < len(produced), "the stream ended before the kill"
        wait_until(lambda: produced[-1] in lines(effects), 90, "another node to finish it")
        survivor = next(n for n in nodes if n is not holder)
        assert jobs(env)[JOB]["holder"] not in (None, holder_name)
        assert survivor.proc is not None

    handled = lines(effects)
    assert handled == sorted(handled), "handled out of order"
    assert len(handled) == len(set(handled)), "an effect happened twice"
    called = lines(calls)
    first_seen = list(dict.fromkeys(called))
    assert first_seen == handled  # each event's first call is its effect, in feed order
    assert set(produced) <= set(handled)  # nothing lost
    assert len(produced) >= 40


def _is(node: Node, holder: str) -> bool:
    """Whether ``node`` is the lease holder named ``holder`` (its /readyz names it)."""
    import httpx

    return httpx.get(node.base_url + "/readyz", timeout=2).json()["node"] == holder
