"""Load generator: paced 1:1 chat over WebSockets, measuring send-to-receive latency.

Runs in the benchmark process (pinned to its own core). Each scenario sends ``rate`` messages a
second in total, spread round-robin over the pairs, for ``seconds``; each message carries its send
time, and the receiving side records the latency when it arrives. Loss is every acknowledged
message that never arrived; a duplicate is any message that arrived twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

TICK_S = 0.01
_inflight: set[asyncio.Task[None]] = set()


def _spawn(coro: Any) -> None:
    """Fire a send without awaiting it, keeping a reference until it is done."""
    task = asyncio.ensure_future(coro)
    _inflight.add(task)
    task.add_done_callback(_inflight.discard)


DRAIN_S = 90.0


@dataclass
class Tally:
    sent: int = 0
    acked: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    received: dict[str, int] = field(default_factory=dict)
    acked_ids: set[str] = field(default_factory=set)

    def arrive(self, msg_id: str, sent_at: float) -> None:
        self.received[msg_id] = self.received.get(msg_id, 0) + 1
        if self.received[msg_id] == 1:
            self.latencies_ms.append((time.perf_counter() - sent_at) * 1000)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else 0.0

        lost = len([m for m in self.acked_ids if m not in self.received])
        return {
            "sent": self.sent,
            "acked": self.acked,
            "delivered": len(self.received),
            "unacked": self.sent - self.acked,
            "lost": lost,
            "duplicates": sum(n - 1 for n in self.received.values() if n > 1),
            "errors": self.errors,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "max_ms": round(lat[-1], 2) if lat else 0.0,
        }


async def _pace(rate: int, seconds: float, senders: list[Any]) -> None:
    """Call senders round-robin so that ``rate`` calls a second happen, for ``seconds``."""
    start = time.perf_counter()
    due = 0.0
    i = 0
    while (elapsed := time.perf_counter() - start) < seconds:
        due = rate * elapsed
        while i < due:
            senders[i % len(senders)](i)
            i += 1
        await asyncio.sleep(TICK_S)


# --- reference relays ---------------------------------------------------------------------------


async def relay_chat(url: str, pairs: int, rate: int, seconds: float) -> dict[str, Any]:
    tally = Tally()
    visitors: list[ClientConnection] = []
    readers = []

    async def read(ws: ClientConnection) -> None:
        with contextlib.suppress(Exception):
            async for raw in ws:
                msg_id, sent_at = str(raw).split("|")
                tally.arrive(msg_id, float(sent_at))

    for p in range(pairs):
        agent = await connect(f"{url}/{p}/a", compression=None)
        readers.append(asyncio.create_task(read(agent)))
        visitors.append(await connect(f"{url}/{p}/v", compression=None))
    await asyncio.sleep(0.2)

    def sender(ws: ClientConnection) -> Any:
        def send(i: int) -> None:
            msg_id = f"m{i}"
            tally.sent += 1
            tally.acked += 1  # a relay has no acknowledgement; count what was handed to the socket
            tally.acked_ids.add(msg_id)
            _spawn(ws.send(f"{msg_id}|{time.perf_counter()}"))

        return send

    await _pace(rate, seconds, [sender(v) for v in visitors])
    await asyncio.sleep(1.0)
    for task in readers:
        task.cancel()
    for ws in visitors:
        await ws.close()
    return tally.summary()


# --- Helpline ------------------------------------------------------------------------------------


@dataclass
class StaffSocket:
    """An agent's or supervisor's socket that resumes as the console does: when the server closes
    it (a consumer that falls 2,000 frames behind is closed with 4429), reconnect and resubscribe
    every stream from its cursor. Late is measured as late; only what never arrives is lost."""

    url: str
    cookie: str
    ws: ClientConnection
    cursors: dict[str, int] = field(default_factory=dict)
    resumes: int = 0
    closing: bool = False

    @classmethod
    async def open(cls, url: str, cookie: str) -> StaffSocket:
        return cls(url, cookie, await cls._connect(url, cookie))

    @staticmethod
    async def _connect(url: str, cookie: str) -> ClientConnection:
        ws = await connect(
            url,
            additional_headers={"Cookie": cookie},
            compression=None,
            max_queue=None,
            ping_interval=None,
        )
        await _ws_request(ws, {"type": "hello", "v": 1}, "welcome")
        return ws

    async def subscribe(self, stream: str) -> None:
        frame = {"type": "subscribe", "stream": stream, "after": 0}
        self.cursors[stream] = (await _ws_request(self.ws, frame, "subscribed"))["last_seq"]

    async def frames(self) -> AsyncIterator[dict[str, Any]]:
        while not self.closing:
            with contextlib.suppress(ConnectionClosed):
                async for raw in self.ws:
                    frame = json.loads(raw)
                    if frame.get("type") == "event" and frame["stream"] in self.cursors:
                        self.cursors[frame["stream"]] = frame["event"]["seq"]
                    yield frame
            if self.closing:
                return
            self.resumes += 1
            self.ws = await self._connect(self.url, self.cookie)
            for stream, after in self.cursors.items():
                frame = {"type": "subscribe", "stream": stream, "after": after}
                await self.ws.send(json.dumps(frame))

    async def close(self) -> None:
        self.closing = True
        await self.ws.close()


@dataclass
class HelplineChats:
    """N live conversations, each accepted by an agent; visitor and agent sockets subscribed."""

    base: str
    visitors: list[tuple[int, ClientConnection]] = field(default_factory=list)
    agent_sockets: list[StaffSocket] = field(default_factory=list)
    watcher: StaffSocket | None = None

    async def close(self) -> None:
        for ws in [ws for _, ws in self.visitors]:
            await ws.close()
        for staff in self.agent_sockets + ([self.watcher] if self.watcher else []):
            await staff.close()

    @property
    def resumes(self) -> int:
        staff = self.agent_sockets + ([self.watcher] if self.watcher else [])
        return sum(s.resumes for s in staff)


async def _ws_request(ws: ClientConnection, frame: dict[str, Any], want: str) -> dict[str, Any]:
    await ws.send(json.dumps(frame))
    while True:
        reply = json.loads(await ws.recv())
        if reply.get("type") in (want, "error", "reload"):
            if reply["type"] != want:
                raise RuntimeError(reply)
            return reply


AGENT_PASSWORD = "Qv8-lantern-orbit-31"  # passes the password policy (agents/auth.py)


async def _login(http: httpx.AsyncClient, email: str, password: str) -> str:
    r = await http.post("/api/v1/auth/login", json={"email": email, "password": password})
    r.raise_for_status()
    http.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return f"helpline_session={http.cookies['helpline_session']}"


async def setup_helpline(
    base: str, admin: tuple[str, str], pairs: int, *, watcher: bool
) -> HelplineChats:
    ws_url = base.replace("http", "ws") + "/ws"
    chats = HelplineChats(base)
    async with httpx.AsyncClient(base_url=base, timeout=30) as root:
        await _login(root, *admin)
        team = (
            await root.post(
                "/api/v1/teams", json={"name": f"bench-{time.time()}", "concurrency_cap": 10}
            )
        ).json()
        agents = []
        for i in range(-(-pairs // 10)):
            email = f"bench-{i}-{time.time()}@example.com"
            r = await root.post(
                "/api/v1/users",
                json={
                    "email": email,
                    "name": f"Bench {i}",
                    "password": AGENT_PASSWORD,
                    "team_ids": [team["id"]],
                },
            )
            r.raise_for_status()
            agents.append(email)
        agent_ids: dict[int, StaffSocket] = {}
        for email in agents:
            http = httpx.AsyncClient(base_url=base, timeout=30)
            cookie = await _login(http, email, AGENT_PASSWORD)
            me = (await http.put("/api/v1/me/status", json={"status": "online"})).json()
            ws = await StaffSocket.open(ws_url, cookie)
            agent_ids[me["user_id"]] = ws
            chats.agent_sockets.append(ws)
            await http.aclose()
        for _ in range(pairs):
            r = await root.post(
                "/api/v1/widget/conversations",
                json={"team_id": team["id"], "name": "Bench visitor"},
            )
            r.raise_for_status()
            cid, token = r.json()["conversation"]["id"], r.json()["visitor_token"]
            ws = await connect(ws_url, compression=None, max_queue=None, ping_interval=None)
            await _ws_request(ws, {"type": "hello", "v": 1, "token": token}, "welcome")
            await _ws_request(
                ws, {"type": "subscribe", "stream": f"conversation:{cid}", "after": 0}, "subscribed"
            )
            chats.visitors.append((cid, ws))
        for cid, _ in chats.visitors:
            for _ in range(200):
                conv = (await root.get(f"/api/v1/conversations/{cid}")).json()
                if conv["state"] == "assigned":
                    break
                await asyncio.sleep(0.05)
            staff = agent_ids[conv["agent_id"]]
            await staff.subscribe(f"conversation:{cid}")
            await _ws_request(
                staff.ws,
                {"type": "send", "conversation_id": cid, "client_id": "hello", "text": "Hello!"},
                "ack",
            )
        # The greetings' events were read past while waiting for acks: start from the heads.
        for cid, _ in chats.visitors:
            head = (await root.get(f"/api/v1/conversations/{cid}")).json()["last_seq"]
            for staff in agent_ids.values():
                if f"conversation:{cid}" in staff.cursors:
                    staff.cursors[f"conversation:{cid}"] = head
        if watcher:
            chats.watcher = await StaffSocket.open(ws_url, await _login(root, *admin))
            for cid, _ in chats.visitors:
                await chats.watcher.subscribe(f"conversation:{cid}")
    return chats


async def helpline_chat(
    chats: HelplineChats, rate: int, seconds: float, tag: str
) -> dict[str, Any]:
    """Visitors send; the agent (and the watching supervisor, if any) must each receive it."""
    recipients = {"agent": Tally(), "visitor_ack": Tally()}
    if chats.watcher is not None:
        recipients["supervisor"] = Tally()
    acked = recipients["visitor_ack"]

    async def read_staff(staff: StaffSocket, tally: Tally) -> None:
        with contextlib.suppress(Exception):
            async for frame in staff.frames():
                if frame.get("type") == "event":
                    event = frame["event"]
                    cid = event.get("client_id", "")
                    if event["type"] == "message" and cid.startswith(tag):
                        tally.arrive(cid, float(event["text"]))

    async def read(ws: ClientConnection, tally: Tally, *, is_visitor: bool) -> None:
        with contextlib.suppress(Exception):
            async for raw in ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "ack" and is_visitor and frame["client_id"].startswith(tag):
                    acked.acked += 1
                    acked.acked_ids.add(frame["client_id"])
                    acked.arrive(frame["client_id"], float(frame["event"]["text"]))
                elif kind == "error" and is_visitor:
                    acked.errors += 1

    tasks = [
        asyncio.create_task(read_staff(staff, recipients["agent"])) for staff in chats.agent_sockets
    ]
    tasks += [asyncio.create_task(read(ws, acked, is_visitor=True)) for _, ws in chats.visitors]
    if chats.watcher is not None:
        tasks.append(asyncio.create_task(read_staff(chats.watcher, recipients["supervisor"])))

    def sender(cid: int, ws: ClientConnection) -> Any:
        def send(i: int) -> None:
            acked.sent += 1
            frame = {
                "type": "send",
                "conversation_id": cid,
                "client_id": f"{tag}{i}",
                "text": repr(time.perf_counter()),
            }
            _spawn(ws.send(json.dumps(frame)))

        return send

    await _pace(rate, seconds, [sender(cid, ws) for cid, ws in chats.visitors])
    # Drain: a backlog is slowness, not loss. Wait (bounded) for every ack and every delivery.
    deadline = time.perf_counter() + DRAIN_S
    while time.perf_counter() < deadline and (
        acked.acked + acked.errors < acked.sent
        or any(
            len(t.received) < acked.acked for name, t in recipients.items() if name != "visitor_ack"
        )
    ):
        await asyncio.sleep(0.1)
    for task in tasks:
        task.cancel()
    out = {}
    for name, tally in recipients.items():
        if name != "visitor_ack":
            tally.acked, tally.acked_ids, tally.sent = acked.acked, acked.acked_ids, acked.sent
            tally.errors = acked.errors
        out[name] = tally.summary()
    return out
