"""Rights that shrink take effect at once, on REST and on live connections (agents/actions.py,
the hub's suspend and re-authenticate)."""

from __future__ import annotations

import asyncio

import httpx

from tests.clients import WS, Staff, Visitor, make_staff, make_team, offered, send
from tests.servers import Server


async def _agent_in_chat(
    server: Server, root: Staff
) -> tuple[dict[str, object], Staff, WS, Visitor]:
    """A team, an online agent subscribed to their inbox and to a chat offered to them."""
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    ws = await agent.ws()
    await ws.subscribe("inbox")
    visitor = await Visitor.start(server, team_id=team["id"])
    await offered(ws, visitor.conversation_id)
    await ws.subscribe(visitor.stream)
    return team, agent, ws, visitor


async def _ended(ws: WS) -> None:
    error = await ws.wait(lambda f: f["type"] == "error" and f["code"] == "session_ended")
    assert "log in" in error["message"]
    await asyncio.wait_for(ws.closed.wait(), 5)
    assert ws.ws.close_code == 4401


async def _cannot_read(agent: Staff, conversation_id: int) -> None:
    r = await agent.call("GET", f"/api/v1/conversations/{conversation_id}/events")
    assert r.status_code == 401


async def test_logout_closes_live_sockets_and_takes_the_agent_offline(
    server: Server, root: Staff
) -> None:
    _team, agent, ws, visitor = await _agent_in_chat(server, root)
    other_device = await Staff(server).login(agent.user["email"], "a-long-password")
    other_ws = await other_device.ws()
    await other_device.call("POST", "/api/v1/auth/logout")
    await _ended(other_ws)
    assert not ws.closed.is_set(), "only the session that logged out ends"
    assert (await agent.ok("GET", "/api/v1/me"))["status"] == "online", "another session lives"

    assert (await agent.call("POST", "/api/v1/auth/logout")).status_code == 204
    await _ended(ws)
    await _cannot_read(agent, visitor.conversation_id)
    chat = await root.ok("GET", f"/api/v1/conversations/{visitor.conversation_id}")
    assert chat["state"] == "queued" and chat["agent_id"] is None, "the offer went back"
    people = await root.ok("GET", f"/api/v1/teams/{chat['team_id']}/queue")
    assert [a["status"] for a in people["agents"]] == ["offline"]


async def test_deactivation_and_password_reset_end_every_session_at_once(
    server: Server, root: Staff
) -> None:
    _team, agent, ws, visitor = await _agent_in_chat(server, root)
    await root.ok("PATCH", f"/api/v1/users/{agent.id}", json={"password": "brand-new-secret-42"})
    await _ended(ws)
    assert (await agent.call("GET", "/api/v1/me")).status_code == 401, "the reset ended it"

    again = await Staff(server).login(agent.user["email"], "brand-new-secret-42")
    ws2 = await again.ws()
    await ws2.subscribe(visitor.stream)
    await root.ok("PATCH", f"/api/v1/users/{agent.id}", json={"is_active": False})
    await _ended(ws2)
    await _cannot_read(again, visitor.conversation_id)
    chat = await root.ok("GET", f"/api/v1/conversations/{visitor.conversation_id}")
    assert chat["state"] == "queued", "a deactivated agent's chats go back to the queue"


async def test_changing_ones_own_password_ends_the_other_sessions(
    server: Server, root: Staff
) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]], online=False)
    other = await Staff(server).login(agent.user["email"], "a-long-password")
    other_ws, own_ws = await other.ws(), await agent.ws()
    weak = await agent.call(
        "PUT", "/api/v1/me/password", json={"current": "a-long-password", "new": "password1234"}
    )
    assert weak.status_code == 422 and weak.json()["code"] == "weak_password"
    assert weak.json()["details"]["fields"] == ["new"]
    wrong = await agent.call(
        "PUT", "/api/v1/me/password", json={"current": "nope-nope-nope", "new": "Tr0ub4dor&3x!"}
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "bad_credentials"
    assert (await other.call("GET", "/api/v1/me")).status_code == 200, "failures change nothing"
    done = await agent.call(
        "PUT", "/api/v1/me/password", json={"current": "a-long-password", "new": "Tr0ub4dor&3x!"}
    )
    assert done.status_code == 204
    await _ended(other_ws)
    assert (await other.call("GET", "/api/v1/me")).status_code == 401
    assert (await agent.ok("GET", "/api/v1/me"))["user"]["id"] == agent.id
    assert (await own_ws.request({"type": "ping"}))["type"] == "pong", "this session lives on"


async def test_removal_from_a_team_unsubscribes_its_chats_and_queue(
    server: Server, root: Staff
) -> None:
    team = await make_team(root)
    other = await make_team(root)
    supervisor = await make_staff(
        root, team_ids=[team["id"], other["id"]], role="supervisor", online=False
    )
    visitor = await Visitor.start(server, team_id=team["id"])
    vws = await visitor.ws()
    sws = await supervisor.ws()
    await sws.subscribe(visitor.stream)
    await root.ok("PATCH", f"/api/v1/users/{supervisor.id}", json={"team_ids": [other["id"]]})
    gone = await sws.wait(lambda f: f["type"] == "unsubscribed")
    assert gone == {"type": "unsubscribed", "stream": visitor.stream, "reason": "access_revoked"}
    await vws.request(send(visitor.conversation_id, "after-removal", "still there?"))
    await asyncio.sleep(0.5)
    texts = [e.get("text") for e in sws.events(visitor.stream)]
    assert "still there?" not in texts
    again = await sws.request({"type": "subscribe", "stream": visitor.stream, "after": 0})
    assert again["type"] == "error" and again["code"] == "forbidden"
    assert not sws.closed.is_set(), "rights shrank, the session did not end"


async def test_transfer_to_another_team_unsubscribes_the_old_agent(
    server: Server, root: Staff
) -> None:
    _team, agent, ws, visitor = await _agent_in_chat(server, root)
    other = await make_team(root)
    colleague = await make_staff(root, team_ids=[other["id"]])
    cws = await colleague.ws()
    vws = await visitor.ws()
    cid = visitor.conversation_id
    await agent.ok("POST", f"/api/v1/conversations/{cid}/accept")
    await agent.ok(
        "POST", f"/api/v1/conversations/{cid}/transfer", json={"team_id": other["id"], "note": "x"}
    )
    gone = await ws.wait(lambda f: f["type"] == "unsubscribed")
    assert gone["stream"] == visitor.stream and gone["reason"] == "access_revoked"
    await cws.subscribe(visitor.stream)
    await vws.request(send(cid, "v-after", "message after the transfer"))
    await cws.request({"type": "note", "conversation_id": cid, "client_id": "n", "text": "secret"})
    await cws.wait_event(visitor.stream, lambda e: e.get("text") == "secret")
    await asyncio.sleep(0.3)
    seen = [e.get("text") for e in ws.events(visitor.stream)]
    assert "message after the transfer" not in seen and "secret" not in seen


async def test_a_socket_of_a_demoted_agent_can_no_longer_answer(
    server: Server, root: Staff
) -> None:
    _team, agent, ws, visitor = await _agent_in_chat(server, root)
    await root.ok("PATCH", f"/api/v1/users/{agent.id}", json={"role": "qa"})
    await ws.wait_event("inbox", lambda e: e["type"] == "status" and e["status"] == "offline")
    reply = await ws.request(send(visitor.conversation_id, "after-demotion", "hi"))
    assert reply["type"] == "error" and reply["code"] == "read_only"
    assert not ws.closed.is_set(), "a QA member may still read the team's chats"


async def test_leaving_a_team_hands_its_chats_back_to_its_queue(
    server: Server, root: Staff
) -> None:
    team, agent, ws, visitor = await _agent_in_chat(server, root)
    other = await make_team(root)
    await root.ok("PATCH", f"/api/v1/users/{agent.id}", json={"team_ids": [other["id"]]})
    removed = await ws.wait_event("inbox", lambda e: e["type"] == "conversation.removed")
    assert removed["reason"] == "team_left"
    await ws.wait(lambda f: f["type"] == "unsubscribed" and f["stream"] == visitor.stream)
    chat = await root.ok("GET", f"/api/v1/conversations/{visitor.conversation_id}")
    assert chat["team_id"] == team["id"] and chat["agent_id"] != agent.id


async def test_the_widget_counts_only_people_who_answer_chats(server: Server, root: Staff) -> None:
    """QA and admins online do not make the widget promise an answer."""
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        online_agents = [
            u for u in await root.ok("GET", "/api/v1/users") if u["role"] in ("agent", "supervisor")
        ]
        for user in online_agents:  # earlier tests left agents online on this shared server
            await root.ok("PATCH", f"/api/v1/users/{user['id']}", json={"is_active": False})
        await root.ok("PUT", "/api/v1/me/status", json={"status": "online"})
        await make_staff(root, team_ids=[], role="qa")
        assert (await http.get("/api/v1/widget/config")).json()["available"] is False
        await make_staff(root, team_ids=[])
        assert (await http.get("/api/v1/widget/config")).json()["available"] is True
        await root.ok("PUT", "/api/v1/me/status", json={"status": "offline"})  # as found
