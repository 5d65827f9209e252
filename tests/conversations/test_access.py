"""Who may do what on a chat (conversations/service.py access helpers, core/permissions.py),
through the public HTTP and WebSocket interface."""

from __future__ import annotations

import asyncio

from tests.clients import WS, Staff, Visitor, make_staff, make_team, offered, send
from tests.servers import Server


async def _chat(server: Server, root: Staff) -> tuple[dict[str, object], Staff, WS, Visitor, WS]:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    aws = await agent.ws()
    await aws.subscribe("inbox")
    visitor = await Visitor.start(server, team_id=team["id"])
    await offered(aws, visitor.conversation_id)
    await agent.ok("POST", f"/api/v1/conversations/{visitor.conversation_id}/accept")
    return team, agent, aws, visitor, await visitor.ws()


async def test_qa_reads_and_writes_notes_but_never_answers(server: Server, root: Staff) -> None:
    team = await make_team(root)
    qa = await make_staff(root, team_ids=[team["id"]], role="qa", online=False)
    waiting = await Visitor.start(server, team_id=team["id"])
    cid = waiting.conversation_id
    picked = await qa.call("POST", f"/api/v1/conversations/{cid}/pick")
    assert picked.status_code == 403 and picked.json()["code"] == "read_only"
    online = await qa.call("PUT", "/api/v1/me/status", json={"status": "online"})
    assert online.status_code == 200
    assert (await qa.call("POST", f"/api/v1/conversations/{cid}/pick")).json()["code"] == (
        "read_only"
    ), "online or not, QA never takes chats"

    qws = await qa.ws()
    await qws.subscribe(waiting.stream)
    vws = await waiting.ws()
    for frame in (
        send(cid, "qa-1", "hello from QA"),
        {"type": "typing", "conversation_id": cid, "active": True},
        {"type": "read", "conversation_id": cid, "seq": 1},
        {"type": "end", "conversation_id": cid},
    ):
        reply = await qws.request(frame)
        assert reply["type"] == "error" and reply["code"] == "read_only", (frame, reply)
    note = await qws.request(
        {"type": "note", "conversation_id": cid, "client_id": "qa-n", "text": "tone is fine"}
    )
    assert note["type"] == "ack"
    for path, body in (("end", None), ("close", {"resolution_code": "resolved"})):
        r = await qa.call("POST", f"/api/v1/conversations/{cid}/{path}", json=body)
        assert r.status_code == 403 and r.json()["code"] == "read_only", path
    await asyncio.sleep(0.3)
    assert not [f for f in vws.frames if f["type"] in ("typing", "read")]
    events = (await root.ok("GET", f"/api/v1/conversations/{cid}/events"))["events"]
    assert [e["type"] for e in events] == ["started", "note"], "only the note was stored"
    assert (await root.ok("GET", f"/api/v1/conversations/{cid}"))["state"] == "queued"


async def test_only_the_assigned_agent_is_visible_to_the_visitor(
    server: Server, root: Staff
) -> None:
    team, _agent, _aws, visitor, vws = await _chat(server, root)
    cid = visitor.conversation_id
    colleague = await make_staff(root, team_ids=[team["id"]], online=False)
    supervisor = await make_staff(root, team_ids=[team["id"]], role="supervisor", online=False)
    for staff in (colleague, supervisor):
        ws = await staff.ws()
        await ws.subscribe(visitor.stream)
        for frame in (
            {"type": "typing", "conversation_id": cid, "active": True},
            {"type": "read", "conversation_id": cid, "seq": 1},
            send(cid, f"s-{staff.id}", "not mine to answer"),
        ):
            reply = await ws.request(frame)
            assert reply["type"] == "error" and reply["code"] == "not_assigned", (frame, reply)
    ended = await colleague.call("POST", f"/api/v1/conversations/{cid}/end")
    assert ended.status_code == 403 and ended.json()["code"] == "not_assigned"
    await asyncio.sleep(0.3)
    assert not [f for f in vws.frames if f["type"] in ("typing", "read")]


async def test_typing_and_read_frames_are_rate_limited(server: Server, root: Staff) -> None:
    _team, _agent, aws, visitor, vws = await _chat(server, root)
    cid = visitor.conversation_id
    typing = {"type": "typing", "conversation_id": cid, "active": True}
    for _ in range(40):
        await vws.send(typing)
    limited = await vws.wait(lambda f: f["type"] == "error" and f["code"] == "rate_limited")
    assert "wait" in limited["message"]
    delivered = [f for f in aws.frames if f["type"] == "typing"]
    assert len(delivered) <= 30
    reads = [await vws.request({"type": "read", "conversation_id": cid, "seq": 1})]
    for _ in range(40):
        reads.append(await vws.request({"type": "read", "conversation_id": cid, "seq": 1}))
    assert {r["type"] for r in reads[:30]} == {"ok"}
    assert reads[-1]["type"] == "error" and reads[-1]["code"] == "rate_limited"
    assert not vws.closed.is_set()
    ack = await vws.request(send(cid, "after-flood", "still works"))
    assert ack["type"] == "ack", "a typing flood does not stop the chat"
