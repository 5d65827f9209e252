"""The scenarios beyond 1:1 chat: idle hold, reconnect storm, assignment decisions.

Each returns plain numbers for bench/run.py to report. Loss and duplicates are counted, never
assumed: a resumed client must receive exactly the events it missed.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from dataclasses import replace
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from bench.seed import Seeded
from helpline.routing.selection import Candidate, ChatNeeds
from helpline.routing.selection import select as select_agent


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 3)

    return {"p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": round(ordered[-1], 3)}


PING_EVERY_S = 25.0  # what the widget and console do (web/src/shared/protocol.ts)
_keepalives: set[asyncio.Task[None]] = set()


def keep_alive(ws: ClientConnection, frame: str = '{"type":"ping"}') -> None:
    """Ping like a real client, from a random phase, until the socket closes."""

    async def run() -> None:
        await asyncio.sleep(random.uniform(0, PING_EVERY_S))
        while True:
            await ws.send(frame)
            await asyncio.sleep(PING_EVERY_S)

    task = asyncio.create_task(run())
    _keepalives.add(task)
    task.add_done_callback(_keepalives.discard)


async def _open(ws_url: str, hello: dict[str, Any], cookie: str | None = None) -> ClientConnection:
    headers = {"Cookie": cookie} if cookie else {}
    ws = await connect(
        ws_url,
        additional_headers=headers,
        compression=None,
        ping_interval=None,
        open_timeout=60,
        max_queue=None,
    )
    await ws.send(json.dumps(hello))
    reply = json.loads(await ws.recv())
    if reply.get("type") != "welcome":
        raise RuntimeError(reply)
    return ws


async def _subscribe(ws: ClientConnection, stream: str, after: int) -> list[dict[str, Any]]:
    """Subscribe and return the replayed events (everything up to ``subscribed``)."""
    await ws.send(json.dumps({"type": "subscribe", "stream": stream, "after": after}))
    events = []
    while True:
        frame = json.loads(await ws.recv())
        if frame["type"] == "event" and frame["stream"] == stream:
            events.append(frame["event"])
        elif frame["type"] == "subscribed" and frame["stream"] == stream:
            return events
        elif frame["type"] in ("error", "reload"):
            raise RuntimeError(frame)


async def _gather_limited(coros: list[Any], limit: int) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def run(coro: Any) -> Any:
        async with gate:
            return await coro

    return list(await asyncio.gather(*(run(c) for c in coros)))


async def idle_hold(ws_url: str, seeded: Seeded, proc: Any, window_s: float) -> dict[str, Any]:
    """Every agent and visitor connected and subscribed, then nothing happens for a while but
    the clients' pings (every 25 s, as the web clients do) and the server's heartbeats."""
    rss_before = proc.rss_kib()

    owned: dict[int, list[int]] = {}
    for cid, _, owner in seeded.chats:
        owned.setdefault(owner, []).append(cid)

    async def visitor(cid: int, token: str) -> ClientConnection:
        ws = await _open(ws_url, {"type": "hello", "v": 1, "token": token})
        await _subscribe(ws, f"conversation:{cid}", 1)
        keep_alive(ws)
        return ws

    async def agent(user_id: int, cookie: str) -> ClientConnection:
        ws = await _open(ws_url, {"type": "hello", "v": 1}, cookie)
        for cid in owned.get(user_id, []):
            await _subscribe(ws, f"conversation:{cid}", 1)
        keep_alive(ws)
        return ws

    t0 = time.perf_counter()
    sockets = await _gather_limited(
        [agent(u, c) for u, c in seeded.agent_cookies.items()]
        + [visitor(cid, token) for cid, token, _ in seeded.chats],
        200,
    )
    connect_s = time.perf_counter() - t0
    return {**await _hold(proc, sockets, rss_before, window_s), "connect_s": round(connect_s, 1)}


async def _hold(
    proc: Any, sockets: list[ClientConnection], rss_before: int, window_s: float
) -> dict[str, Any]:
    """Let the connected sockets idle; measure the server's memory per socket and its CPU."""
    await asyncio.sleep(2.0)
    rss_after = proc.rss_kib()
    cpu0, w0 = proc.cpu_s(), time.perf_counter()
    await asyncio.sleep(window_s)
    idle_cpu = 100 * (proc.cpu_s() - cpu0) / (time.perf_counter() - w0)
    open_now = sum(1 for ws in sockets if ws.state.name == "OPEN")
    for task in list(_keepalives):
        task.cancel()
    await _gather_limited([ws.close() for ws in sockets], 500)
    return {
        "connections": len(sockets),
        "still_open": open_now,
        "server_rss_mib": round(rss_after / 1024, 1),
        "kib_per_connection": round((rss_after - rss_before) / len(sockets), 1),
        "idle_cpu_pct": round(idle_cpu, 2),
        "window_s": window_s,
    }


async def reconnect_storm(
    ws_url: str, seeded: Seeded, clients: int, spread_s: float
) -> dict[str, Any]:
    """Visitors drop, their agents write twice, then all resume within ``spread_s`` seconds."""
    chats = seeded.chats[:clients]
    visitors = await _gather_limited(
        [_open(ws_url, {"type": "hello", "v": 1, "token": t}) for _, t, _ in chats], 200
    )
    for ws, (cid, _, _) in zip(visitors, chats, strict=True):
        await _subscribe(ws, f"conversation:{cid}", 1)
    await _gather_limited([ws.close() for ws in visitors], 500)

    owners = sorted({a for _, _, a in chats})
    agents = {
        a: await _open(ws_url, {"type": "hello", "v": 1}, seeded.agent_cookies[a]) for a in owners
    }
    for n in (1, 2):
        for cid, _, owner in chats:
            await agents[owner].send(
                json.dumps(
                    {
                        "type": "send",
                        "conversation_id": cid,
                        "client_id": f"storm-{n}",
                        "text": f"m{n}",
                    }
                )
            )
    expected = 2 * len(chats)
    sends_per_agent = Counter(owner for _, _, owner in chats)

    async def count_acks(owner: int) -> int:
        got = 0
        while got < 2 * sends_per_agent[owner]:
            if json.loads(await agents[owner].recv()).get("type") == "ack":
                got += 1
        return got

    acked = sum(await asyncio.gather(*(count_acks(owner) for owner in agents)))
    for ws in agents.values():
        await ws.close()

    latencies: list[float] = []
    lost = duplicates = errors = 0
    start = time.perf_counter()

    async def resume(i: int, cid: int, token: str) -> None:
        nonlocal lost, duplicates, errors
        await asyncio.sleep(max(0.0, start + spread_s * i / len(chats) - time.perf_counter()))
        t0 = time.perf_counter()
        try:
            ws = await _open(ws_url, {"type": "hello", "v": 1, "token": token})
            events = await _subscribe(ws, f"conversation:{cid}", 1)
        except Exception:
            errors += 1
            return
        latencies.append((time.perf_counter() - t0) * 1000)
        seqs = [e["seq"] for e in events]
        lost += len({2, 3} - set(seqs))
        duplicates += len(seqs) - len(set(seqs))
        await ws.close()

    await asyncio.gather(*(resume(i, cid, t) for i, (cid, t, _) in enumerate(chats)))
    return {
        "clients": len(chats),
        "spread_s": spread_s,
        "missed_events": expected,
        "acked": acked,
        "lost": lost,
        "duplicates": duplicates,
        "errors": errors,
        **percentiles(latencies),
    }


def assignment(agents: int, waiting: int, seed: int = 7) -> dict[str, Any]:
    """The router's decision loop (routing/router.py) without I/O: pick, then count the load."""
    rng = random.Random(seed)
    skills = ["billing", "orders", "tech", "returns", "vip"]
    pool = [
        Candidate(
            id=i,
            status="online",
            active=rng.randint(0, 1),
            cap=6,
            idle_s=rng.uniform(0, 600),
            skills=frozenset(rng.sample(skills, 2)),
            languages=frozenset(rng.sample(["en", "de", "fr"], 2)),
        )
        for i in range(agents)
    ]
    chats = [
        ChatNeeds(
            skills=frozenset(rng.sample(skills, 1)),
            language=rng.choice(["en", "de", "fr"]),
            waited_s=rng.uniform(0, 300),
        )
        for _ in range(waiting)
    ]
    timings: list[float] = []
    made = 0
    for needs in chats:
        t0 = time.perf_counter()
        decision = select_agent(needs, pool, relax_after_s=120)
        if decision is not None:
            made += 1
            pool = [
                replace(a, active=a.active + 1) if a.id == decision.agent_id else a for a in pool
            ]
        timings.append((time.perf_counter() - t0) * 1000)
    return {"agents": agents, "waiting": waiting, "assigned": made, **percentiles(timings)}


async def relay_idle(url: str, proc: Any, connections: int, window_s: float) -> dict[str, Any]:
    """The same idle hold against a reference relay: bare sockets pinging at the same pace (a
    relay with no peer on the other side drops the frames)."""
    rss_before = proc.rss_kib()
    sockets = await _gather_limited(
        [
            connect(f"{url}/{i}/v", compression=None, ping_interval=None, open_timeout=60)
            for i in range(connections)
        ],
        200,
    )
    for ws in sockets:
        keep_alive(ws, "ping")
    return await _hold(proc, sockets, rss_before, window_s)
