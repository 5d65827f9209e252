"""Server frames against their models: the checker that every test server sends through
(``HELPLINE_CHECK_FRAMES=1``, tests/servers.py) and, from the client's side, a whole chat over
the WebSocket and over the event-stream fallback."""

from __future__ import annotations

import json
from typing import Any, get_args

import httpx
import pytest
from pydantic import TypeAdapter, ValidationError

from helpline import schema
from helpline.core.permissions import Role
from helpline.realtime import frames
from tests.clients import Staff, Visitor, check_history, make_staff, make_team, offered, send
from tests.realtime.test_sse import open_stream
from tests.servers import Server

SERVER_FRAME: TypeAdapter[Any] = TypeAdapter(schema.ServerFrame)
MESSAGE = {
    "type": "message",
    "seq": 1,
    "conversation_id": 42,
    "sender": {"kind": "agent", "id": 3, "name": "Ana"},
    "created_at": "2026-11-23T05:55:00Z",
    "text": "Hi!",
    "client_id": "m1",
}


@pytest.fixture
def checker() -> frames.FrameChecker:
    return schema.frame_checker()


def test_the_checker_passes_frames_that_match(checker: frames.FrameChecker) -> None:
    checker('{"type":"heartbeat"}')
    checker(json.dumps({"type": "event", "stream": "conversation:42", "event": MESSAGE}))
    checker(json.dumps({"type": "error", "code": "not_found", "message": "No.", "ref": "r"}))


@pytest.mark.parametrize(
    ("frame", "fault"),
    [
        ({"type": "heartbeat", "at": 1}, "at"),
        ({"type": "event", "stream": "conversation:42", "event": {**MESSAGE, "seq": "1"}}, "seq"),
        (
            {"type": "event", "stream": "conversation:42", "event": {**MESSAGE, "type": "x"}},
            "event",
        ),
        ({"type": "event", "stream": "team:1", "event": MESSAGE}, "stream"),
        ({"type": "error", "code": "no_such_code", "message": "?"}, "code"),
        ({"type": "ok", "ref": None}, "ref"),
        (
            {"type": "queue", "conversation_id": 1, "position": 0, "ewt_s": 5, "agents_online": 1},
            "position",
        ),
    ],
)
def test_the_checker_refuses_a_wrong_frame_and_names_the_field(
    checker: frames.FrameChecker,
    frame: dict[str, Any],
    fault: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(frames.FrameMismatch, match=fault):
        checker(json.dumps(frame))
    assert "does not match the protocol models" in caplog.text


def test_without_the_domains_events_are_not_checked() -> None:
    frames.FrameChecker()(json.dumps({"type": "event", "stream": "inbox", "event": {"x": 1}}))


async def test_a_checked_send_refuses_before_anything_is_sent() -> None:
    sent: list[str] = []

    async def send_text(text: str) -> None:
        sent.append(text)

    frames.check_with(None)
    assert frames.checked(send_text) is send_text  # nothing in the way when off
    frames.check_with(schema.frame_checker())
    try:
        checked = frames.checked(send_text)
        await checked('{"type":"pong"}')
        with pytest.raises(frames.FrameMismatch):
            await checked('{"type":"pong","extra":true}')
        with pytest.raises(frames.FrameMismatch):
            frames.check_frame({"type": "ack"})
    finally:
        frames.check_with(None)
    assert sent == ['{"type":"pong"}']


def test_absent_fields_are_absent_not_null() -> None:
    SERVER_FRAME.validate_json(
        json.dumps({"type": "typing", "conversation_id": 1, "by": "visitor", "active": True})
    )
    with pytest.raises(ValidationError):
        SERVER_FRAME.validate_json(
            json.dumps(
                {"type": "typing", "conversation_id": 1, "by": "agent", "active": 1, "name": None}
            )
        )


def test_welcome_takes_its_fields_from_the_role() -> None:
    staff_roles = get_args(frames.StaffWelcome.model_fields["role"].annotation)
    assert set(staff_roles) == {r.value for r in Role}
    base = {"type": "welcome", "v": 1, "heartbeat_s": 20.0, "idle_timeout_s": 60.0}
    staff = {**base, "role": "qa", "user_id": 3, "name": "Q", "team_ids": [1]}
    assert isinstance(SERVER_FRAME.validate_json(json.dumps(staff)), frames.StaffWelcome)
    with pytest.raises(ValidationError):
        SERVER_FRAME.validate_json(json.dumps({**staff, "role": "visitor"}))


def test_assignment_reasons_are_told_apart_by_rule() -> None:
    event = {
        **MESSAGE,
        "type": "assigned",
        "sender": {"kind": "system"},
        "data": {"agent_id": 3, "agent_name": "Ana", "reason": {"rule": "manual_pick", "by": 3}},
    }
    del event["text"], event["client_id"]
    TypeAdapter(schema.ChatEvent).validate_python(event)
    event["data"]["reason"] = {"rule": "manual_pick", "by": 3, "load": 1}
    with pytest.raises(ValidationError):
        TypeAdapter(schema.ChatEvent).validate_python(event)


async def test_the_history_hook_refuses_events_that_do_not_match() -> None:
    request = httpx.Request("GET", "http://test/api/v1/conversations/42/events")
    page = {"conversation_id": 42, "events": [MESSAGE], "last_seq": 1, "more": False}
    await check_history(httpx.Response(200, json=page, request=request))
    wrong = {**page, "events": [{**MESSAGE, "sender": {"kind": "agent"}}]}  # no id
    with pytest.raises(ValidationError):
        await check_history(httpx.Response(200, json=wrong, request=request))


def valid(frames_seen: list[dict[str, Any]]) -> list[str]:
    """Validate every frame a client received; return their types."""
    for frame in frames_seen:
        SERVER_FRAME.validate_json(json.dumps(frame))
    return [f["type"] for f in frames_seen]


async def test_a_websocket_chat_sends_only_frames_that_match(server: Server, root: Staff) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    aws = await agent.ws()
    await aws.subscribe("inbox")
    visitor = await Visitor.start(server, team_id=team["id"])
    vws = await visitor.ws()
    await offered(aws, visitor.conversation_id)
    await aws.subscribe(visitor.stream)
    await vws.request(send(visitor.conversation_id, "v1", "my card is 4111 1111 1111 1111"))
    await aws.request(send(visitor.conversation_id, "a1", "Hello!"))
    await aws.request({**send(visitor.conversation_id, "n1", "a note"), "type": "note"})
    await vws.send({"type": "typing", "conversation_id": visitor.conversation_id, "active": True})
    await aws.wait(lambda f: f["type"] == "typing")
    await vws.request({"type": "read", "conversation_id": visitor.conversation_id, "seq": 1})
    await aws.wait(lambda f: f["type"] == "read")
    await vws.request({"type": "ping"})
    await vws.request({"type": "end", "conversation_id": visitor.conversation_id})
    await aws.wait_event(visitor.stream, lambda e: e["type"] == "ended")
    await vws.request({"type": "send", "conversation_id": visitor.conversation_id})  # invalid
    await aws.request({"type": "unsubscribe", "stream": visitor.stream})
    seen = set(valid(aws.frames)) | set(valid(vws.frames))
    assert {
        "welcome",
        "event",
        "subscribed",
        "ack",
        "typing",
        "read",
        "ok",
        "pong",
        "error",
        "unsubscribed",
    } <= seen
    # History pages are checked against the event models by the clients' response hook.
    page = await agent.ok("GET", f"/api/v1/conversations/{visitor.conversation_id}/events")
    assert {"note", "assigned"} <= {e["type"] for e in page["events"]}
    mine = await visitor.http.get(f"/api/v1/widget/conversations/{visitor.conversation_id}/events")
    assert "note" not in {e["type"] for e in mine.json()["events"]}
    kinds = {e["type"] for e in aws.events(visitor.stream)} | {
        e["type"] for e in aws.events("inbox")
    }
    assert {"started", "assigned", "agent_joined", "message", "note", "ended"} <= kinds


async def test_a_fallback_chat_sends_only_frames_that_match(server: Server, root: Staff) -> None:
    team = await make_team(root)  # nobody online: the chat waits, and hears its place in line
    visitor = await Visitor.start(server, team_id=team["id"])
    body = {"v": 1, "subscribe": [{"stream": visitor.stream, "after": 0}]}
    async with open_stream(visitor.http, body) as stream:
        await stream.wait(lambda f: f["type"] == "subscribed")
        replies = []
        for frame in (
            send(visitor.conversation_id, "f1", "hello over http"),
            {"type": "ping", "ref": "p"},
            {"type": "read", "conversation_id": visitor.conversation_id, "seq": 1},
            {"type": "subscribe", "stream": visitor.stream, "after": 0},  # use_stream
        ):
            r = await visitor.http.post("/api/v1/rt/frames", content=json.dumps(frame))
            replies.append(r.json())
        await stream.wait(lambda f: f["type"] == "event" and f["event"]["type"] == "message")
        await stream.wait(lambda f: f["type"] == "queue")
        assert valid(replies) == ["ack", "pong", "ok", "error"]
        assert {"welcome", "event", "subscribed", "queue"} <= set(valid(stream.frames))
