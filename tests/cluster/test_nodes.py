"""Two nodes, one database, one Redis: delivery across nodes, and without Redis at all."""

from __future__ import annotations

import asyncio
import contextlib
import io
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from helpline.core.migrate import upgrade
from tests.clients import WS, Staff, Visitor, admin, make_staff, make_team, offered, send
from tests.cluster.procs import Node, Redis, node_env
from tests.servers import (
    Server,
    create_pg_database,
    drop_pg_database,
    free_port,
    postgres_admin_url,
    seed,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@dataclass
class Pair:
    redis: Redis
    a: Server
    b: Server


def as_server(node: Node, db_url: str) -> Server:
    """The test clients speak to a node as to any server (they use its URLs only)."""
    assert node.proc is not None
    return Server(node.base_url, db_url, node.proc, node.log_paths[-1], io.BytesIO())


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    workdir = tmp_path_factory.mktemp("nodes")
    admin_url = postgres_admin_url()
    assert admin_url is not None
    with contextlib.ExitStack() as stack:
        # Each step is undone even if undoing another one fails.
        db_url = create_pg_database(admin_url)
        stack.callback(drop_pg_database, admin_url, db_url)
        redis = Redis(workdir)
        stack.callback(redis.kill)
        redis.start()
        upgrade(db_url)
        asyncio.run(seed(db_url))
        env = node_env(
            db_url, redis.url, f"helpline-test:{secrets.token_hex(4)}", {"HELPLINE_RESYNC_S": "1"}
        )
        nodes = [Node(free_port(), env, workdir) for _ in range(2)]
        for node in nodes:
            stack.callback(node.stop)
            node.start()
        yield Pair(redis, as_server(nodes[0], db_url), as_server(nodes[1], db_url))


async def chat_across(pair: Pair) -> tuple[Visitor, WS, WS]:
    """A visitor on node a, their agent on node b, both subscribed and the offer accepted."""
    root: Staff = await admin(pair.a)
    team = await make_team(root)
    agent_on_b = await make_staff(root, team_ids=[team["id"]])
    agent_on_b.server = pair.b  # logged in through node a; its session works on any node
    aws = await agent_on_b.ws()
    await aws.subscribe("inbox")
    visitor = await Visitor.start(pair.a, team_id=team["id"])
    vws = await visitor.ws()
    await offered(aws, visitor.conversation_id)
    await aws.subscribe(visitor.stream)
    reply = await aws.request(send(visitor.conversation_id, "hi", "Hello from node b"))
    assert reply["type"] == "ack", reply
    await vws.wait_event(visitor.stream, lambda e: e.get("text") == "Hello from node b")
    return visitor, vws, aws


async def test_messages_cross_nodes_through_redis(pair: Pair) -> None:
    visitor, vws, aws = await chat_across(pair)
    reply = await vws.request(send(visitor.conversation_id, "v1", "Hello from node a"))
    assert reply["type"] == "ack"
    event = await aws.wait_event(visitor.stream, lambda e: e.get("client_id") == "v1", timeout=5)
    assert event["text"] == "Hello from node a"


async def test_without_redis_the_database_still_delivers(pair: Pair) -> None:
    visitor, vws, aws = await chat_across(pair)
    pair.redis.kill()
    try:
        for node in (pair.a, pair.b):
            ready = httpx.get(node.base_url + "/readyz").json()
            assert ready["status"] == "ok"  # still serving: Redis only wakes nodes up
        for n in range(3):
            reply = await vws.request(send(visitor.conversation_id, f"down-{n}", f"while down {n}"))
            assert reply["type"] == "ack"
        # No notification can cross; the periodic resync (1 s here) reads it from the database.
        for n in range(3):
            await aws.wait_event(visitor.stream, lambda e, n=n: e.get("client_id") == f"down-{n}")
        seqs = [e["seq"] for e in aws.events(visitor.stream)]
        assert seqs == sorted(set(seqs))
        # Each node notices the lost Redis connection on its own, and stays ready.
        for node in (pair.a, pair.b):
            ready = await readyz_until(node, lambda r: r["broker"] == "reconnecting")
            assert ready["status"] == "ok", ready
    finally:
        pair.redis.start()


async def readyz_until(
    server: Server, pred: Callable[[dict[str, Any]], bool], timeout: float = 10.0
) -> dict[str, Any]:
    """The first ``/readyz`` body of ``server`` that satisfies ``pred``, polled without blocking."""
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient(base_url=server.base_url, timeout=2) as http:
        while True:
            body: dict[str, Any] = (await http.get("/readyz")).json()
            if pred(body):
                return body
            assert asyncio.get_running_loop().time() < deadline, f"{server.base_url}: {body}"
            await asyncio.sleep(0.1)
