"""Three nodes behind nginx on private PostgreSQL and Redis, under failure.

Conversations run through nginx while nodes are killed with SIGKILL (and restarted), Redis is
restarted and PostgreSQL is restarted. Afterwards every conversation in the database must be
gapless and duplicate-free, every acknowledged message must be in it, and what each visitor and
agent received must be exactly the database's stream for them: nothing lost, nothing twice,
nothing out of order.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest

from helpline.core.migrate import upgrade
from tests.cluster.client import ResilientClient
from tests.cluster.procs import Nginx, Node, Postgres, Redis, node_env, wait_for
from tests.servers import ADMIN_EMAIL, ADMIN_PASSWORD, free_port, seed

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
NODES = 3


@dataclass
class Cluster:
    pg: Postgres
    redis: Redis
    nodes: list[Node]
    nginx: Nginx

    @property
    def ws_url(self) -> str:
        return self.nginx.base_url.replace("http://", "ws://") + "/ws"

    def logs(self) -> str:
        return "\n".join(f"--- node {n.port}\n{n.logs()[-4000:]}" for n in self.nodes)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("cluster")
    with contextlib.ExitStack() as stack:
        # Each process is stopped even if stopping another one fails.
        pg = Postgres()
        stack.callback(pg.stop)
        pg.start()
        redis = Redis(workdir)
        stack.callback(redis.kill)
        redis.start()
        upgrade(pg.url)
        asyncio.run(seed(pg.url))
        env = node_env(
            pg.url,
            redis.url,
            f"helpline-test:{secrets.token_hex(4)}",
            {"HELPLINE_RESYNC_S": "1", "HELPLINE_PRESENCE_TIMEOUT_S": "300"},
        )
        nodes = [Node(free_port(), env, workdir) for _ in range(NODES)]
        for node in nodes:
            stack.callback(node.stop)
            node.start()
        nginx = Nginx(workdir, [n.port for n in nodes])
        stack.callback(nginx.stop)
        nginx.start()
        yield Cluster(pg, redis, nodes, nginx)


async def login(
    stack: contextlib.AsyncExitStack, base: str, email: str, password: str
) -> httpx.AsyncClient:
    """A logged-in client, closed with ``stack``."""
    http = httpx.AsyncClient(base_url=base, timeout=15)
    stack.push_async_callback(http.aclose)
    r = await http.post("/api/v1/auth/login", json={"email": email, "password": password})
    r.raise_for_status()
    http.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return http


async def make_agents(
    stack: contextlib.AsyncExitStack, root: httpx.AsyncClient, team_id: int, n: int
) -> list[httpx.AsyncClient]:
    agents = []
    for _ in range(n):
        email = f"agent-{secrets.token_hex(4)}@example.com"
        r = await root.post(
            "/api/v1/users",
            json={
                "email": email,
                "name": email[:12],
                "password": "a-long-password",
                "team_ids": [team_id],
            },
        )
        r.raise_for_status()
        http = await login(stack, str(root.base_url), email, "a-long-password")
        (await http.put("/api/v1/me/status", json={"status": "online"})).raise_for_status()
        agents.append(http)
    return agents


async def start_chats(base: str, team_id: int, n: int) -> list[tuple[int, str]]:
    async with httpx.AsyncClient(base_url=base, timeout=15) as anon:
        chats = []
        for i in range(n):
            r = await anon.post(
                "/api/v1/widget/conversations", json={"team_id": team_id, "name": f"Visitor {i}"}
            )
            r.raise_for_status()
            chats.append((r.json()["conversation"]["id"], r.json()["visitor_token"]))
        return chats


async def conversation(root: httpx.AsyncClient, cid: int) -> dict[str, Any]:
    r = await root.get(f"/api/v1/conversations/{cid}")
    r.raise_for_status()
    result: dict[str, Any] = r.json()
    return result


async def wait_assigned(root: httpx.AsyncClient, cids: list[int]) -> dict[int, int]:
    owners: dict[int, int] = {}
    deadline = time.monotonic() + 30
    while len(owners) < len(cids):
        assert time.monotonic() < deadline, f"only {len(owners)} of {len(cids)} chats assigned"
        for cid in cids:
            if cid not in owners:
                conv = await conversation(root, cid)
                if conv["state"] in ("assigned", "active"):
                    owners[cid] = conv["agent_id"]
        await asyncio.sleep(0.1)
    return owners


async def test_the_cap_holds_when_every_node_routes_at_once(cluster: Cluster) -> None:
    base = cluster.nginx.base_url
    async with contextlib.AsyncExitStack() as stack:
        root = await login(stack, base, ADMIN_EMAIL, ADMIN_PASSWORD)
        team = (await root.post("/api/v1/teams", json={"name": "Cap", "concurrency_cap": 1})).json()
        await make_agents(stack, root, team["id"], 2)
        # Concurrent starts through nginx reach all three nodes, and each node routes what it got.
        batches = await asyncio.gather(*(start_chats(base, team["id"], 3) for _ in range(4)))
        cids = [cid for batch in batches for cid, _ in batch]

        async def taken() -> list[dict[str, Any]]:
            states = [await conversation(root, cid) for cid in cids]
            return [c for c in states if c["state"] in ("assigned", "active")]

        # Both agents get a chat (however slow the machine), then several routing ticks on
        # every node (0.2 s each) must not hand out a third.
        deadline = time.monotonic() + 30
        while len(await taken()) < 2:
            assert time.monotonic() < deadline, "the two agents never got a chat each"
            await asyncio.sleep(0.2)
        await asyncio.sleep(2.0)
        chats = await taken()
        assert len(chats) == 2, [c["state"] for c in chats]
        assert sorted(c["agent_id"] for c in chats) == sorted({c["agent_id"] for c in chats})


async def test_exactly_one_node_runs_the_periodic_jobs(cluster: Cluster) -> None:
    def the_holder(nodes: list[Node]) -> int | None:
        """The index of the one node holding the lease, from one sample; None unless one.

        A node reports ``runs_jobs`` false for a moment while it renews, so every decision
        is taken from a single sample.
        """
        held = [httpx.get(n.base_url + "/readyz", timeout=2).json()["runs_jobs"] for n in nodes]
        return held.index(True) if held.count(True) == 1 else None

    before = wait_for(lambda: the_holder(cluster.nodes), 20, "one lease holder")
    cluster.nodes[before].kill()
    try:
        # Another node takes over once the dead holder's lease expires (10 s).
        alive = [n for n in cluster.nodes if n.proc is not None]
        wait_for(lambda: the_holder(alive), 30, "a new lease holder")
    finally:
        cluster.nodes[before].start()


CHATS = 20
RUN_S = 32.0


async def test_nothing_is_lost_duplicated_or_reordered_through_failures(
    cluster: Cluster,
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        await run_through_failures(cluster, stack)


async def run_through_failures(cluster: Cluster, stack: contextlib.AsyncExitStack) -> None:
    base = cluster.nginx.base_url
    root = await login(stack, base, ADMIN_EMAIL, ADMIN_PASSWORD)
    team = (
        await root.post("/api/v1/teams", json={"name": "Failover", "concurrency_cap": 10})
    ).json()
    agent_http = await make_agents(stack, root, team["id"], 3)
    chats = await start_chats(base, team["id"], CHATS)
    cids = [cid for cid, _ in chats]
    owners = await wait_assigned(root, cids)

    agents: dict[int, ResilientClient] = {}
    for http in agent_http:
        me = (await http.get("/api/v1/me")).json()
        cookie = f"helpline_session={http.cookies['helpline_session']}"
        uid = me["user"]["id"]
        agents[uid] = ResilientClient(f"agent-{uid}", cluster.ws_url, cookie=cookie)
    visitors: dict[int, ResilientClient] = {}
    for cid, token in chats:
        visitors[cid] = ResilientClient(f"visitor-{cid}", cluster.ws_url, token=token)
        visitors[cid].watch(f"conversation:{cid}")
        agents[owners[cid]].watch(f"conversation:{cid}")
    clients = [*agents.values(), *visitors.values()]
    for client in clients:
        stack.push_async_callback(client.stop)
        client.start()

    async def talk(cid: int) -> None:
        visitor, agent = visitors[cid], agents[owners[cid]]
        await agent.send(cid, f"a-{cid}-hello", "Hello, how can I help?")  # accepts the offer
        n = 0
        started = time.monotonic()
        while time.monotonic() - started < RUN_S:
            n += 1
            await visitor.send(cid, f"v-{cid}-{n}", f"visitor message {n}")
            if n % 2 == 0:
                await agent.send(cid, f"a-{cid}-{n}", f"agent reply {n}")
            await asyncio.sleep(0.2)

    async def disrupt() -> list[str]:
        done = []
        steps: list[tuple[float, str]] = [
            (4, "kill node 0"),
            (7, "start node 0"),
            (10, "kill node 1"),
            (13, "start node 1"),
            (16, "restart redis"),
            (21, "restart postgres"),
            (26, "kill node 2"),
            (29, "start node 2"),
        ]
        started = time.monotonic()
        for at, step in steps:
            await asyncio.sleep(max(0.0, started + at - time.monotonic()))
            verb, _, what = step.partition(" ")
            if what.startswith("node"):
                node = cluster.nodes[int(what.split()[1])]
                await asyncio.to_thread(node.kill if verb == "kill" else node.start)
            elif what == "redis":
                await asyncio.to_thread(cluster.redis.restart)
            else:
                await asyncio.to_thread(cluster.pg.restart)
            done.append(step)
        return done

    results = await asyncio.gather(disrupt(), *(talk(cid) for cid in cids))
    assert len(results[0]) == 8

    db_events = await drain(cluster.pg.url, cids, clients, visitors, agents, owners)
    for client in clients:
        await client.stop()

    violations = [v for c in clients for v in c.violations]
    assert violations == [], sorted(set(v.split(":", 1)[1][:60] for v in violations))[:10]
    unacked = {c.name: list(c.pending) for c in clients if c.pending}
    assert unacked == {}, f"unacknowledged after the drain: {unacked}\n{cluster.logs()}"
    assert db_events, "the database could not be read after the drain"

    total = 0
    for cid in cids:
        events = db_events[cid]
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        public = [e for e in events if e["public_seq"] is not None]
        assert [e["public_seq"] for e in public] == list(range(1, len(public) + 1))
        ids = [(e["sender"], e["client_id"]) for e in events if e["client_id"]]
        assert len(ids) == len(set(ids)), f"duplicate client ids in conversation {cid}"
        stored = {e["client_id"] for e in events if e["client_id"]}
        visitor, agent = visitors[cid], agents[owners[cid]]
        mine = {k for k in [*visitor.acked, *agent.acked] if k.split("-")[1] == str(cid)}
        assert mine <= stored, f"acknowledged but not stored: {sorted(mine - stored)[:5]}"
        stream = f"conversation:{cid}"
        assert [(e["seq"], e.get("client_id")) for e in visitor.received[stream]] == [
            (e["public_seq"], e["client_id"]) for e in public
        ], f"visitor {cid} did not receive exactly the stored public stream"
        assert [(e["seq"], e.get("client_id")) for e in agent.received[stream]] == [
            (e["seq"], e["client_id"]) for e in events
        ], f"agent of {cid} did not receive exactly the stored stream"
        total += sum(1 for e in events if e["type"] == "message")
    assert total >= 2000, f"only {total} messages went through"
    reconnects = sum(c.connects - 1 for c in clients)
    assert reconnects >= CHATS, "the node kills should have forced reconnects"
    retryable = [e for c in clients for e in c.errors]
    assert all(e["code"] == "unavailable" and e["message"] for e in retryable)
    print(
        f"\n{total} messages, {reconnects} reconnects, {len(retryable)} retryable errors, "
        "0 lost, 0 duplicated, 0 out of order"
    )


async def drain(
    url: str,
    cids: list[int],
    clients: list[ResilientClient],
    visitors: dict[int, ResilientClient],
    agents: dict[int, ResilientClient],
    owners: dict[int, int],
    timeout: float = 60.0,
) -> dict[int, list[dict[str, Any]]]:
    """Wait until no send is pending, then until every client has caught up with the database
    as read after that; return that read ({} if it never could be read).

    The order matters. An acknowledgement follows its commit, so a read taken once every send
    is acknowledged holds every acknowledged message. A read taken before that check could miss
    a message acknowledged while the read was running, which would then look lost.
    """
    deadline = time.monotonic() + timeout
    db_events: dict[int, list[dict[str, Any]]] = {}
    while time.monotonic() < deadline:
        if all(not c.pending for c in clients):
            db_events = await read_database(url, cids)
            if caught_up(db_events, visitors, agents, owners):
                break
        await asyncio.sleep(0.5)
    return db_events


async def read_database(url: str, cids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Every event of ``cids`` by conversation, in order; {} if the database cannot be read."""
    try:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return {}
    try:
        rows = await conn.fetch(
            "SELECT conversation_id, seq, public_seq, type, sender, client_id "
            "FROM conversation_events WHERE conversation_id = ANY($1::int[]) "
            "ORDER BY conversation_id, seq",
            cids,
        )
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return {}
    finally:
        try:
            await conn.close(timeout=5)
        except Exception:
            conn.terminate()
    out: dict[int, list[dict[str, Any]]] = {cid: [] for cid in cids}
    for row in rows:
        out[row["conversation_id"]].append(dict(row))
    return out


def caught_up(
    db: dict[int, list[dict[str, Any]]],
    visitors: dict[int, ResilientClient],
    agents: dict[int, ResilientClient],
    owners: dict[int, int],
) -> bool:
    if not db:
        return False
    for cid, events in db.items():
        stream = f"conversation:{cid}"
        public = [e for e in events if e["public_seq"] is not None]
        if visitors[cid].cursors[stream] < len(public):
            return False
        if agents[owners[cid]].cursors[stream] < len(events):
            return False
    return True
