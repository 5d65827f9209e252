"""Group commit through the public interface: many sends at once, resends and bad sends mixed in.

Frames written back to back on several sockets land in the writer's queue together, so they are
decided in shared batches; the guarantees must hold exactly as for sends one at a time.
"""

from __future__ import annotations

import asyncio

from tests.clients import WS, Staff, Visitor, make_team, send
from tests.servers import Server


async def test_a_burst_of_sends_gets_gapless_numbers_and_each_resend_its_original(
    server: Server, root: Staff
) -> None:
    team = await make_team(root)
    chats = [await Visitor.start(server, team_id=team["id"]) for _ in range(3)]
    sockets = [await c.ws() for c in chats]
    for ws, chat in zip(sockets, chats, strict=True):
        frames = [send(chat.conversation_id, f"burst-{i}", f"message {i}") for i in range(30)]
        frames += [send(chat.conversation_id, f"burst-{i}", "resent") for i in range(0, 30, 3)]
        for i, frame in enumerate(frames):
            await ws.send({**frame, "ref": f"r{i}"})

    for ws, chat in zip(sockets, chats, strict=True):
        acks = [await ws.wait(lambda f, i=i: f.get("ref") == f"r{i}") for i in range(40)]
        assert all(a["type"] == "ack" for a in acks), [a for a in acks if a["type"] != "ack"]
        first, resent = acks[:30], acks[30:]
        assert [a["seq"] for a in first] == list(range(2, 32))  # seq 1 is "started"
        assert not any(a["duplicate"] for a in first)
        for n, a in zip(range(0, 30, 3), resent, strict=True):
            assert a["duplicate"] and a["seq"] == first[n]["seq"]
            assert a["event"]["text"] == f"message {n}"
        events = await until_events(ws, chat.stream, 31)
        assert [e["seq"] for e in events] == list(range(1, 32))


async def until_events(ws: WS, stream: str, n: int) -> list[dict[str, object]]:
    for _ in range(100):
        if len(ws.events(stream)) >= n:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # anything extra (a duplicate) would arrive by now
    return ws.events(stream)


async def test_a_bad_send_in_a_burst_fails_alone(server: Server, root: Staff) -> None:
    team = await make_team(root)
    mine = await Visitor.start(server, team_id=team["id"])
    other = await Visitor.start(server, team_id=team["id"])
    ws = await mine.ws()
    frames = [
        send(mine.conversation_id, "ok-1", "first"),
        send(other.conversation_id, "steal", "not my chat"),
        send(mine.conversation_id, "ok-2", "second"),
        send(mine.conversation_id, "ok-3", " " * 3),
        send(mine.conversation_id, "ok-4", "third"),
    ]
    for i, frame in enumerate(frames):
        await ws.send({**frame, "ref": f"b{i}"})
    replies = [await ws.wait(lambda f, i=i: f.get("ref") == f"b{i}") for i in range(5)]
    assert [r["type"] for r in replies] == ["ack", "error", "ack", "error", "ack"]
    assert replies[1]["code"] == "not_found" and replies[3]["code"] == "empty_message"
    assert [replies[i]["seq"] for i in (0, 2, 4)] == [2, 3, 4]
    history = await other.http.get(f"/api/v1/widget/conversations/{other.conversation_id}/events")
    assert history.status_code == 200 and "started" in history.text
    assert "not my chat" not in history.text


async def test_a_closed_chat_refuses_sends_in_a_burst(server: Server, root: Staff) -> None:
    team = await make_team(root)
    chat = await Visitor.start(server, team_id=team["id"])
    ws = await chat.ws()
    await ws.request({"type": "end", "conversation_id": chat.conversation_id})
    for i in range(5):
        await ws.send({**send(chat.conversation_id, f"late-{i}", "anyone?"), "ref": f"c{i}"})
    replies = [await ws.wait(lambda f, i=i: f.get("ref") == f"c{i}") for i in range(5)]
    assert {(r["type"], r["code"]) for r in replies} == {("error", "wrong_state")}
