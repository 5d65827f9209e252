"""The fallback transport: an event stream read with fetch semantics, plus HTTP POST frames."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from tests.clients import Staff, Visitor, make_staff, make_team, offered, send
from tests.servers import Server


class Stream:
    """Reads SSE ``data:`` frames from a POST /api/v1/rt/stream response in the background."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.status = 0
        self._task: asyncio.Task[None] | None = None

    async def wait(self, pred: Any, timeout: float = 10.0) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            for frame in self.frames:
                if pred(frame):
                    return frame
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out; got {self.frames[-5:]}")


@contextlib.asynccontextmanager
async def open_stream(
    http: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str] | None = None
) -> AsyncIterator[Stream]:
    stream = Stream()
    ready = asyncio.Event()

    async def read() -> None:
        async with http.stream("POST", "/api/v1/rt/stream", json=body, headers=headers or {}) as r:
            stream.status = r.status_code
            ready.set()
            async for line in r.aiter_lines():
                if line.startswith("data: "):
                    stream.frames.append(json.loads(line[6:]))

    task = asyncio.create_task(read())
    await asyncio.wait_for(ready.wait(), 10)
    try:
        yield stream
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await task


async def test_visitor_chats_over_the_fallback(server: Server, root: Staff) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    chat = await Visitor.start(server, team_id=team["id"])
    body = {"v": 1, "subscribe": [{"stream": chat.stream, "after": 0}]}
    async with open_stream(chat.http, body) as stream:
        assert stream.status == 200
        await stream.wait(lambda f: f["type"] == "subscribed" and f["stream"] == chat.stream)
        assert stream.frames[0]["type"] == "welcome"

        frame = send(chat.conversation_id, "sse-1", "hello over http")
        r = await chat.http.post("/api/v1/rt/frames", content=json.dumps(frame))
        assert r.status_code == 200 and r.json()["type"] == "ack" and r.json()["duplicate"] is False
        again = await chat.http.post(
            "/api/v1/rt/frames", content=json.dumps({**frame, "text": "other"})
        )
        assert again.json()["duplicate"] is True and again.json()["seq"] == r.json()["seq"]
        await stream.wait(lambda f: f["type"] == "event" and f["event"].get("client_id") == "sse-1")

        aws = await agent.ws()
        await aws.subscribe("inbox")
        await offered(aws, chat.conversation_id)
        await aws.subscribe(chat.stream)
        reply = await aws.request(send(chat.conversation_id, "agent-1", "answer from the agent"))
        assert reply["type"] == "ack", reply
        await stream.wait(
            lambda f: f["type"] == "event" and f["event"].get("text") == "answer from the agent"
        )
        seqs = [f["event"]["seq"] for f in stream.frames if f["type"] == "event"]
        assert seqs == list(range(1, len(seqs) + 1))

    resumed_after = seqs[-2]
    async with open_stream(
        chat.http, {"v": 1, "subscribe": [{"stream": chat.stream, "after": resumed_after}]}
    ) as stream:
        sub = await stream.wait(lambda f: f["type"] == "subscribed")
        assert sub["replayed"] == 1
        assert [f["event"]["seq"] for f in stream.frames if f["type"] == "event"] == [seqs[-1]]


async def test_fallback_errors_are_the_same_frames_with_http_statuses(
    server: Server, root: Staff
) -> None:
    team = await make_team(root)
    chat = await Visitor.start(server, team_id=team["id"])
    other = await Visitor.start(server, team_id=team["id"])
    post = chat.http.post
    r = await post("/api/v1/rt/frames", content="nope")
    assert r.status_code == 400 and r.json() == {
        "type": "error",
        "code": "bad_json",
        "message": "Frame is not valid JSON.",
    }
    r = await post("/api/v1/rt/frames", content=json.dumps(send(other.conversation_id, "x", "hi")))
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = await post(
        "/api/v1/rt/frames",
        content=json.dumps({"type": "subscribe", "stream": chat.stream, "after": 0}),
    )
    assert r.status_code == 400 and r.json()["code"] == "use_stream"
    r = await post("/api/v1/rt/frames", content=json.dumps({"type": "ping", "ref": "p1"}))
    assert r.status_code == 200 and r.json() == {"type": "pong", "ref": "p1"}
    async with httpx.AsyncClient(base_url=server.base_url) as anon:
        r = await anon.post("/api/v1/rt/frames", content=json.dumps({"type": "ping"}))
        assert r.status_code == 401
        r = await anon.post("/api/v1/rt/stream", json={"v": 1})
        assert r.status_code == 401
    many = [{"stream": chat.stream, "after": 0}] * 201
    r = await post("/api/v1/rt/stream", json={"v": 1, "subscribe": many})
    assert r.status_code == 422 and r.json()["details"]["fields"] == ["subscribe"]
    async with open_stream(
        chat.http, {"v": 1, "subscribe": [{"stream": other.stream, "after": 0}]}
    ) as stream:
        error = await stream.wait(lambda f: f["type"] == "error")
        assert error["code"] == "not_found"


async def test_staff_stream_needs_csrf_and_gets_the_inbox(server: Server, root: Staff) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    r = await agent.http.post("/api/v1/rt/stream", json={"v": 1})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    body = {"v": 1, "subscribe": [{"stream": "inbox", "after": 0}]}
    async with open_stream(agent.http, body, {"X-CSRF-Token": agent.csrf}) as stream:
        await stream.wait(lambda f: f["type"] == "subscribed" and f["stream"] == "inbox")
        chat = await Visitor.start(server, team_id=team["id"])
        offer = await stream.wait(
            lambda f: f["type"] == "event" and f["event"]["type"] == "conversation.offered"
        )
        assert offer["event"]["conversation"]["conversation_id"] == chat.conversation_id


async def test_a_staff_stream_ends_when_its_session_ends(server: Server, root: Staff) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    other = await Staff(server).login(agent.user["email"], "a-long-password")
    body = {"v": 1, "subscribe": [{"stream": "inbox", "after": 0}]}
    async with open_stream(other.http, body, {"X-CSRF-Token": other.csrf}) as stream:
        await stream.wait(lambda f: f["type"] == "subscribed")
        await root.ok("PATCH", f"/api/v1/users/{agent.id}", json={"password": "Tr0ub4dor&3x!"})
        ended = await stream.wait(lambda f: f.get("code") == "session_ended")
        assert ended["type"] == "error"
        chat = await Visitor.start(server, team_id=team["id"])
        await asyncio.sleep(0.5)
        assert not [
            f for f in stream.frames if f["type"] == "event" and f["event"].get("conversation")
        ], "nothing more reaches an ended session"
        assert chat.conversation_id
