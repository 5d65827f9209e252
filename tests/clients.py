"""Test clients that speak to a real server: staff over HTTP + WebSocket, visitors likewise."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from typing import Any

import httpx
import websockets
from pydantic import BaseModel, ConfigDict

from helpline.schema import ConversationEvent
from tests.servers import ADMIN_EMAIL, ADMIN_PASSWORD, Server

Frame = dict[str, Any]
_names = itertools.count(1)
OPEN: list[WS | Staff | Visitor] = []


async def close_all() -> None:
    """Close every client a test opened (called by an autouse fixture)."""
    while OPEN:
        with contextlib.suppress(Exception):
            await OPEN.pop().close()


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_names)}-{id(object()) % 10000}"


class History(BaseModel):
    """A page of ``GET .../events``: its events are the ones the real-time streams carry."""

    model_config = ConfigDict(extra="forbid", strict=True)
    conversation_id: int
    events: list[ConversationEvent]
    last_seq: int
    more: bool


async def check_history(response: httpx.Response) -> None:
    """A response hook on every test client: history pages must match the event models."""
    request = response.request
    if request.method == "GET" and request.url.path.endswith("/events") and response.is_success:
        await response.aread()
        History.model_validate_json(response.content)


HOOKS = {"response": [check_history]}


class WS:
    """A WebSocket that records every frame it receives, in order."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.frames: list[Frame] = []
        self._arrived = asyncio.Event()
        self.closed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())
        OPEN.append(self)

    @classmethod
    async def connect(
        cls,
        server: Server,
        *,
        token: str | None = None,
        cookie: str | None = None,
        origin: str | None = None,
        hello: bool = True,
    ) -> WS:
        headers = {"Cookie": cookie} if cookie else {}
        ws = await websockets.connect(
            server.ws_url,
            additional_headers=headers,
            origin=origin,  # type: ignore[arg-type]
            max_size=2**22,
        )
        client = cls(ws)
        if hello:
            frame: Frame = {"type": "hello", "v": 1}
            if token:
                frame["token"] = token
            await client.send(frame)
            await client.wait(lambda f: f["type"] in ("welcome", "error"))
        return client

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                self.frames.append(json.loads(raw))
                self._arrived.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed.set()
            self._arrived.set()

    async def send(self, frame: Frame | str) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def wait(
        self, pred: Callable[[Frame], bool], timeout: float = 10.0, *, since: int = 0
    ) -> Frame:
        """The first frame received from index ``since`` on matching ``pred``; waits if needed."""
        deadline = asyncio.get_running_loop().time() + timeout
        seen = since
        while True:
            for frame in self.frames[seen:]:
                if pred(frame):
                    return frame
            seen = len(self.frames)
            if self.closed.is_set():
                raise AssertionError(
                    f"socket closed before the frame arrived; got {self.frames[-5:]}"
                )
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"timed out; last frames: {self.frames[-5:]}")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    async def request(self, frame: Frame, timeout: float = 10.0) -> Frame:
        """Send a frame with a fresh ``ref`` and return the reply carrying that ref."""
        ref = unique("ref")
        await self.send({**frame, "ref": ref})
        return await self.wait(lambda f: f.get("ref") == ref, timeout)

    async def subscribe(self, stream: str, after: int = 0) -> Frame:
        reply = await self.request({"type": "subscribe", "stream": stream, "after": after})
        assert reply["type"] in ("subscribed", "reload"), reply
        return reply

    def events(self, stream: str) -> list[Frame]:
        return [f["event"] for f in self.frames if f["type"] == "event" and f["stream"] == stream]

    async def wait_event(
        self, stream: str, pred: Callable[[Frame], bool], timeout: float = 10.0
    ) -> Frame:
        frame = await self.wait(
            lambda f: f["type"] == "event" and f["stream"] == stream and pred(f["event"]), timeout
        )
        return frame["event"]

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


class Staff:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.http = httpx.AsyncClient(base_url=server.base_url, timeout=15, event_hooks=HOOKS)
        self.csrf = ""
        self.user: Frame = {}
        OPEN.append(self)

    async def login(self, email: str, password: str) -> Staff:
        r = await self.http.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        self.csrf = r.json()["csrf_token"]
        self.user = r.json()["user"]
        return self

    @property
    def id(self) -> int:
        return int(self.user["id"])

    @property
    def cookie(self) -> str:
        return f"helpline_session={self.http.cookies['helpline_session']}"

    async def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf, **kw.pop("headers", {})}
        return await self.http.request(method, path, headers=headers, **kw)

    async def ok(self, method: str, path: str, **kw: Any) -> Any:
        r = await self.call(method, path, **kw)
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content else None

    async def online(self) -> None:
        await self.ok("PUT", "/api/v1/me/status", json={"status": "online"})

    async def ws(self) -> WS:
        return await WS.connect(self.server, cookie=self.cookie)

    async def close(self) -> None:
        await self.http.aclose()


class Visitor:
    def __init__(self, server: Server, token: str, conversation_id: int) -> None:
        self.server = server
        self.token = token
        self.conversation_id = conversation_id
        self.http = httpx.AsyncClient(
            base_url=server.base_url,
            timeout=15,
            headers={"Authorization": f"Bearer {token}"},
            event_hooks=HOOKS,
        )
        OPEN.append(self)

    @property
    def stream(self) -> str:
        return f"conversation:{self.conversation_id}"

    @classmethod
    async def start(
        cls, server: Server, *, team_id: int, name: str = "Vera Visitor", **body: Any
    ) -> Visitor:
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            r = await http.post(
                "/api/v1/widget/conversations", json={"name": name, "team_id": team_id, **body}
            )
        assert r.status_code == 201, r.text
        return cls(server, r.json()["visitor_token"], r.json()["conversation"]["id"])

    async def ws(self, *, subscribe: bool = True, after: int = 0) -> WS:
        ws = await WS.connect(self.server, token=self.token)
        if subscribe:
            await ws.subscribe(self.stream, after)
        return ws

    async def close(self) -> None:
        await self.http.aclose()


async def admin(server: Server) -> Staff:
    return await Staff(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)


async def make_team(root: Staff, **fields: Any) -> Frame:
    result: Frame = await root.ok("POST", "/api/v1/teams", json={"name": unique("team"), **fields})
    return result


async def make_staff(
    root: Staff, *, team_ids: list[int], role: str = "agent", online: bool = True, **fields: Any
) -> Staff:
    email = f"{unique('u')}@example.com"
    body = {
        "email": email,
        "name": fields.pop("name", email.split("@")[0]),
        "password": "a-long-password",
        "role": role,
        "team_ids": team_ids,
        **fields,
    }
    await root.ok("POST", "/api/v1/users", json=body)
    member = await Staff(root.server).login(email, "a-long-password")
    if online:
        await member.online()
    return member


async def offered(ws: WS, conversation_id: int) -> None:
    """Wait until the inbox on ``ws`` (subscribed) offers that conversation to its agent."""
    await ws.wait_event(
        "inbox",
        lambda e: (
            e["type"] == "conversation.offered"
            and e["conversation"]["conversation_id"] == conversation_id
        ),
    )


def send(conversation_id: int, client_id: str, text: str) -> Frame:
    return {
        "type": "send",
        "conversation_id": conversation_id,
        "client_id": client_id,
        "text": text,
    }


# The widget's settings as a fresh install has them (migration 0007): tests that change them put
# these back.
WIDGET_DEFAULTS: dict[str, Any] = {
    "colour": "#2454d6",
    "greeting": "Chat with us",
    "position": "right",
    "prechat_fields": {"name": "required", "email": "optional"},
    "topics": [],
}
