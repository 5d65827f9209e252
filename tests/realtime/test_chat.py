"""Conversations end to end over real WebSockets: delivery, resume, idempotency, audience."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from tests.clients import WS, Staff, Visitor, make_staff, make_team, offered, send
from tests.servers import Server


async def connected_pair(
    server: Server, root: Staff, **team: object
) -> tuple[Staff, WS, Visitor, WS]:
    """A team with one online agent, a visitor whose chat was offered to them, both subscribed."""
    t = await make_team(root, **team)
    agent = await make_staff(root, team_ids=[t["id"]])
    aws = await agent.ws()
    await aws.subscribe("inbox")
    visitor = await Visitor.start(server, team_id=t["id"])
    vws = await visitor.ws()
    await offered(aws, visitor.conversation_id)
    await aws.subscribe(visitor.stream)
    return agent, aws, visitor, vws


def texts(events: list[dict[str, object]]) -> list[object]:
    return [e["text"] for e in events if e["type"] == "message"]


async def test_two_visitors_and_two_agents_chat_without_crosstalk(
    server: Server, root: Staff
) -> None:
    team = await make_team(root)
    agents = [await make_staff(root, team_ids=[team["id"]]) for _ in range(2)]
    sockets = [await a.ws() for a in agents]
    for ws in sockets:
        await ws.subscribe("inbox")
    visitors = [await Visitor.start(server, team_id=team["id"], name=f"V{i}") for i in range(2)]
    vsockets = [await v.ws() for v in visitors]

    owner: dict[int, int] = {}
    for v in visitors:
        for i, ws in enumerate(sockets):
            try:
                await ws.wait_event(
                    "inbox",
                    lambda e, v=v: (
                        e.get("conversation", {}).get("conversation_id") == v.conversation_id
                    ),
                    timeout=0.5,
                )
                owner[v.conversation_id] = i
            except AssertionError:
                continue
    assert sorted(owner.values()) == [0, 1], "least-loaded routing gives each agent one chat"

    for v, vws in zip(visitors, vsockets, strict=True):
        ws = sockets[owner[v.conversation_id]]
        await ws.subscribe(v.stream)
        ack = await ws.request(
            send(v.conversation_id, f"a-{v.conversation_id}", f"hello {v.conversation_id}")
        )
        assert ack["type"] == "ack"
        await vws.wait_event(v.stream, lambda e, v=v: e.get("text") == f"hello {v.conversation_id}")
        ack = await vws.request(send(v.conversation_id, "v-1", f"reply from {v.conversation_id}"))
        assert ack["type"] == "ack" and ack["duplicate"] is False
        await ws.wait_event(
            v.stream, lambda e, v=v: e.get("text") == f"reply from {v.conversation_id}"
        )

    for v, vws in zip(visitors, vsockets, strict=True):
        other = next(x for x in visitors if x is not v)
        assert vws.events(other.stream) == []
        assert texts(vws.events(v.stream)) == [
            f"hello {v.conversation_id}",
            f"reply from {v.conversation_id}",
        ]
    for ws in sockets + vsockets:
        await ws.close()


async def test_disconnect_and_resume_loses_and_duplicates_nothing(
    server: Server, root: Staff
) -> None:
    agent, aws, visitor, vws = await connected_pair(server, root)
    cid = visitor.conversation_id
    await aws.request(send(cid, "a-0", "first"))
    await vws.wait_event(visitor.stream, lambda e: e.get("text") == "first")
    seen = max(e["seq"] for e in aws.events(visitor.stream))
    await aws.close()

    for i in range(10):
        assert (await vws.request(send(cid, f"v-{i}", f"while away {i}")))["type"] == "ack"

    again = await agent.ws()
    reply = await again.subscribe(visitor.stream, after=seen)
    replayed = again.events(visitor.stream)
    assert reply["replayed"] == len(replayed) == 10
    assert [e["seq"] for e in replayed] == list(range(seen + 1, seen + 11))
    assert texts(replayed) == [f"while away {i}" for i in range(10)]

    await vws.request(send(cid, "v-live", "live again"))
    live = await again.wait_event(visitor.stream, lambda e: e.get("text") == "live again")
    assert live["seq"] == seen + 11
    all_seqs = [e["seq"] for e in again.events(visitor.stream)]
    assert all_seqs == sorted(set(all_seqs)), "in order, no duplicates"
    await again.close()
    await vws.close()


async def test_visitor_resume_uses_its_own_gapless_numbering(server: Server, root: Staff) -> None:
    agent, aws, visitor, vws = await connected_pair(server, root)
    cid = visitor.conversation_id
    await aws.request(send(cid, "a-1", "public one"))
    note = await aws.request(
        {"type": "note", "conversation_id": cid, "client_id": "n-1", "text": "internal only"}
    )
    assert note["type"] == "ack" and note["event"]["public_seq"] is None
    await aws.request(send(cid, "a-2", "public two"))
    await vws.wait_event(visitor.stream, lambda e: e.get("text") == "public two")

    seqs = [e["seq"] for e in vws.events(visitor.stream)]
    assert seqs == list(range(1, len(seqs) + 1)), (
        "visitor numbering has no holes where the note was"
    )
    assert all(e["type"] != "note" for e in vws.events(visitor.stream))
    assert "internal only" not in json.dumps(vws.frames)

    history = (await visitor.http.get(f"/api/v1/widget/conversations/{cid}/events")).json()
    assert "internal only" not in json.dumps(history)
    assert [e["seq"] for e in history["events"]] == seqs

    fresh = await visitor.ws(subscribe=False)
    await fresh.subscribe(visitor.stream, after=seqs[-2])
    assert [e["seq"] for e in fresh.events(visitor.stream)] == [seqs[-1]]
    for ws in (aws, vws, fresh):
        await ws.close()


async def test_resend_with_same_client_id_returns_the_original(server: Server, root: Staff) -> None:
    agent, aws, visitor, vws = await connected_pair(server, root)
    cid = visitor.conversation_id
    first = await vws.request(send(cid, "same-id", "original text"))
    second = await vws.request(send(cid, "same-id", "changed text"))
    assert first["duplicate"] is False and second["duplicate"] is True
    assert second["seq"] == first["seq"]
    assert second["event"]["text"] == "original text"

    history = (await agent.ok("GET", f"/api/v1/conversations/{cid}/events"))["events"]
    assert [e["text"] for e in history if e.get("client_id") == "same-id"] == ["original text"]
    await aws.close()
    await vws.close()


async def test_bad_frames_get_error_frames_and_change_nothing(server: Server, root: Staff) -> None:
    agent, aws, visitor, vws = await connected_pair(server, root)
    cid = visitor.conversation_id
    other = await Visitor.start(server, team_id=(await make_team(root))["id"])
    before = await agent.ok("GET", f"/api/v1/conversations/{cid}")

    async def error_for(ws: WS, raw: str) -> dict[str, object]:
        count = len(ws.frames)
        await ws.send(raw)
        return await ws.wait(lambda f: f["type"] == "error", since=count)

    cases = [
        ("not json at all", "bad_json"),
        ("[1, 2, 3]", "bad_frame"),
        (json.dumps({"type": "teleport"}), "unknown_type"),
        (json.dumps({"type": "send", "conversation_id": cid}), "invalid_frame"),
        (
            json.dumps(
                {"type": "send", "conversation_id": cid, "client_id": "x", "text": "a" * 20000}
            ),
            "frame_too_large",
        ),
        (json.dumps(send(cid, "bad id with spaces", "hi")), "invalid_frame"),
        (json.dumps(send(cid, "empty", "   ")), "empty_message"),
        (json.dumps(send(other.conversation_id, "steal", "hi")), "not_found"),
        (json.dumps({"type": "subscribe", "stream": other.stream, "after": 0}), "not_found"),
        (json.dumps({"type": "subscribe", "stream": "inbox", "after": 0}), "forbidden"),
        (
            json.dumps({"type": "note", "conversation_id": cid, "client_id": "n", "text": "x"}),
            "forbidden",
        ),
        (json.dumps({"type": "hello", "v": 1}), "already_authenticated"),
        (json.dumps({"type": "read", "conversation_id": cid, "seq": 99999}), "bad_seq"),
    ]
    for raw, code in cases:
        error = await error_for(vws, raw)
        assert error["code"] == code, (raw[:60], error)
        assert isinstance(error["message"], str) and error["message"]
        assert "Traceback" not in json.dumps(error)

    stranger = await make_staff(root, team_ids=[before["team_id"]])
    sws = await stranger.ws()
    error = await error_for(sws, json.dumps(send(cid, "not-mine", "hijack")))
    assert error["code"] == "not_assigned"
    outsider = await make_staff(root, team_ids=[(await make_team(root))["id"]])
    ows = await outsider.ws()
    error = await error_for(
        ows, json.dumps({"type": "subscribe", "stream": visitor.stream, "after": 0})
    )
    assert error["code"] == "forbidden"

    after = await agent.ok("GET", f"/api/v1/conversations/{cid}")
    assert after["last_seq"] == before["last_seq"] and after["state"] == before["state"]
    assert (await vws.request({"type": "ping"}))["type"] == "pong", "the connection survived"
    assert (await vws.request(send(cid, "after-errors", "still here")))["type"] == "ack"
    for ws in (aws, vws, sws, ows):
        await ws.close()


async def test_resume_with_a_cursor_from_the_future_says_reload(
    server: Server, root: Staff
) -> None:
    agent, aws, visitor, vws = await connected_pair(server, root)
    reply = await vws.subscribe(visitor.stream, after=10_000)
    assert reply["type"] == "reload" and reply["reason"] == "cursor_ahead"
    assert reply["last_seq"] < 10_000
    await aws.close()
    await vws.close()


async def test_agent_inbox_is_resumable(server: Server, root: Staff) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    ws = await agent.ws()
    subscribed = await ws.subscribe("inbox")
    cursor = subscribed["last_seq"]
    await ws.close()

    visitor = await Visitor.start(server, team_id=team["id"])
    again = await agent.ws()
    await again.subscribe("inbox", after=cursor)
    await offered(again, visitor.conversation_id)
    seqs = [e["seq"] for e in again.events("inbox")]
    assert seqs == list(range(cursor + 1, cursor + 1 + len(seqs)))
    await again.close()


async def test_typing_and_read_receipts_reach_the_other_side(server: Server, root: Staff) -> None:
    agent, aws, visitor, vws = await connected_pair(server, root)
    cid = visitor.conversation_id
    await vws.send({"type": "typing", "conversation_id": cid, "active": True})
    typing = await aws.wait(lambda f: f["type"] == "typing")
    assert typing == {"type": "typing", "conversation_id": cid, "by": "visitor", "active": True}
    await aws.send({"type": "typing", "conversation_id": cid, "active": True})
    seen = await vws.wait(lambda f: f["type"] == "typing")
    assert seen["by"] == "agent" and seen["name"]

    ack = await aws.request(send(cid, "a-read", "please read"))
    mine = await vws.wait_event(visitor.stream, lambda e: e.get("text") == "please read")
    assert (await vws.request({"type": "read", "conversation_id": cid, "seq": mine["seq"]}))[
        "type"
    ] == "ok"
    receipt = await aws.wait(lambda f: f["type"] == "read")
    assert receipt == {"type": "read", "conversation_id": cid, "by": "visitor", "seq": ack["seq"]}
    state = await agent.ok("GET", f"/api/v1/conversations/{cid}")
    assert state["visitor_read_seq"] == mine["seq"], "stored in the visitor's own numbering"
    await aws.close()
    await vws.close()


async def test_read_receipts_use_each_sides_numbering_and_hide_notes(
    server: Server, root: Staff
) -> None:
    agent, aws, visitor, vws = await connected_pair(server, root)
    cid = visitor.conversation_id
    await vws.request(send(cid, "v-1", "hello there"))
    await aws.request({"type": "note", "conversation_id": cid, "client_id": "n-1", "text": "hm"})
    note = await aws.wait_event(f"conversation:{cid}", lambda e: e["type"] == "note")
    newest_public = note["public_seq"] or max(
        e["public_seq"] for e in aws.events(f"conversation:{cid}") if e["public_seq"]
    )
    read = {"type": "read", "conversation_id": cid, "seq": note["seq"]}
    assert (await aws.request(read))["type"] == "ok"
    told = await vws.wait(lambda f: f["type"] == "read" and f["by"] == "agent")
    assert told["seq"] == newest_public, "the visitor gets a position in its own numbering"
    assert told["seq"] < note["seq"], "and never the staff number that counts the note"
    mirrored = await aws.wait(lambda f: f["type"] == "read" and f["by"] == "agent")
    assert mirrored["seq"] == note["seq"], "staff get staff numbering"
    again = await aws.request(read)
    assert again["type"] == "ok"
    await asyncio.sleep(0.3)
    assert len([f for f in vws.frames if f["type"] == "read"]) == 1, "a read that moves nothing"
    await aws.close()
    await vws.close()


async def test_handshake_needs_hello_a_valid_token_and_a_good_origin(
    server: Server, root: Staff
) -> None:
    ws = await WS.connect(server, hello=False)
    await ws.send({"type": "ping"})
    error = await ws.wait(lambda f: f["type"] == "error")
    assert error["code"] == "hello_required"
    await asyncio.wait_for(ws.closed.wait(), 5)

    ws = await WS.connect(server, token="x" * 43)
    assert ws.frames[0]["code"] == "bad_token"
    await asyncio.wait_for(ws.closed.wait(), 5)
    assert ws.ws.close_code == 4401

    ws = await WS.connect(server, hello=False)
    await ws.send({"type": "hello", "v": 99})
    assert (await ws.wait(lambda f: f["type"] == "error"))["code"] == "unsupported_version"

    with pytest.raises(websockets.InvalidStatus) as refused:
        await WS.connect(server, cookie=root.cookie, origin="https://evil.example")
    assert refused.value.response.status_code == 403

    good = await WS.connect(server, cookie=root.cookie, origin=server.base_url)
    assert good.frames[0]["type"] == "welcome" and good.frames[0]["role"] == "admin"
    await good.close()


async def test_pii_is_masked_before_storage_and_fanout(server: Server, root: Staff) -> None:
    agent, aws, visitor, vws = await connected_pair(server, root)
    cid = visitor.conversation_id
    ack = await vws.request(send(cid, "card", "card 4111-1111-1111-1111 and ssn 219-09-9998"))
    assert "4111" not in ack["event"]["text"].replace("ending 1111", "")
    seen = await aws.wait_event(visitor.stream, lambda e: e.get("client_id") == "card")
    assert seen["text"] == "card [card ending 1111] and ssn [SSN redacted]"
    assert seen["data"]["masked"] == ["ssn", "card"]
    await aws.close()
    await vws.close()


async def test_unsubscribe_stops_delivery(server: Server, root: Staff) -> None:
    agent, aws, visitor, vws = await connected_pair(server, root)
    cid = visitor.conversation_id
    reply = await aws.request({"type": "unsubscribe", "stream": visitor.stream})
    assert reply["type"] == "unsubscribed" and reply["stream"] == visitor.stream
    before = len(aws.events(visitor.stream))
    await vws.request(send(cid, "after-unsub", "are you there?"))
    assert (await aws.request({"type": "ping"}))["type"] == "pong"
    assert len(aws.events(visitor.stream)) == before
    await aws.subscribe(visitor.stream, after=max(e["seq"] for e in aws.events(visitor.stream)))
    assert [e.get("text") for e in aws.events(visitor.stream)][-1] == "are you there?", (
        "resume fills the gap"
    )
