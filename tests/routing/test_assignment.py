"""Routing against a live server: caps under concurrency, priority, skills, timeouts, transfers."""

from __future__ import annotations

import asyncio
from typing import Any

from helpline.customers.identity import sign
from tests.clients import Staff, Visitor, make_staff, make_team, send
from tests.servers import IDENTITY_SECRET, Server


async def eventually(check: Any, timeout: float = 10.0) -> Any:
    """Poll an async ``check`` until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)


async def conversation(staff: Staff, cid: int) -> dict[str, Any]:
    result: dict[str, Any] = await staff.ok("GET", f"/api/v1/conversations/{cid}")
    return result


async def queue(staff: Staff, team_id: int) -> dict[str, Any]:
    result: dict[str, Any] = await staff.ok("GET", f"/api/v1/teams/{team_id}/queue")
    return result


async def test_cap_holds_under_concurrent_assignment(server: Server, root: Staff) -> None:
    team = await make_team(root, concurrency_cap=2)
    agents = [await make_staff(root, team_ids=[team["id"]]) for _ in range(3)]
    visitors = await asyncio.gather(*(Visitor.start(server, team_id=team["id"]) for _ in range(12)))

    async def six_assigned() -> dict[str, Any] | None:
        q = await queue(root, team["id"])
        return q if sum(a["load"] for a in q["agents"]) == 6 else None

    q = await eventually(six_assigned)
    assert sorted(a["load"] for a in q["agents"]) == [2, 2, 2]
    assert len(q["waiting"]) == 6

    # Agents grabbing waiting chats by hand at the same time cannot break the cap either.
    picks = await asyncio.gather(
        *(
            a.call("POST", f"/api/v1/conversations/{w['conversation_id']}/pick")
            for a in agents
            for w in q["waiting"][:2]
        )
    )
    assert {r.status_code for r in picks} == {409}
    assert {r.json()["code"] for r in picks} <= {"at_capacity", "wrong_state"}
    states = [await conversation(root, v.conversation_id) for v in visitors]
    per_agent: dict[int, int] = {}
    for c in states:
        if c["state"] in ("assigned", "active"):
            per_agent[c["agent_id"]] = per_agent.get(c["agent_id"], 0) + 1
    assert per_agent == {a.id: 2 for a in agents}


async def test_multi_chat_off_means_one_chat_each(server: Server, root: Staff) -> None:
    team = await make_team(root, concurrency_cap=4, multi_chat=False)
    agent = await make_staff(root, team_ids=[team["id"]])
    for _ in range(3):
        await Visitor.start(server, team_id=team["id"])

    async def settled() -> dict[str, Any] | None:
        q = await queue(root, team["id"])
        return q if q["agents"][0]["load"] == 1 and len(q["waiting"]) == 2 else None

    q = await eventually(settled)
    assert q["agents"][0]["cap"] == 1
    await asyncio.sleep(0.6)  # a few routing ticks later, still one
    assert (await queue(root, team["id"]))["agents"][0]["load"] == 1
    assert agent.id == q["agents"][0]["user_id"]


async def test_higher_tier_is_served_first(server: Server, root: Staff) -> None:
    team = await make_team(root, multi_chat=False)
    standard = await Visitor.start(server, team_id=team["id"])
    vip_record = {"external_id": "cust-vip-1", "name": "Vic Important", "tier": "vip"}
    vip = await Visitor.start(
        server, team_id=team["id"], customer=vip_record, signature=sign(vip_record, IDENTITY_SECRET)
    )
    q = await queue(root, team["id"])
    assert [w["conversation_id"] for w in q["waiting"]] == [
        vip.conversation_id,
        standard.conversation_id,
    ]

    await make_staff(root, team_ids=[team["id"]])
    await eventually(lambda: _state_is(root, vip.conversation_id, "assigned"))
    assert (await conversation(root, standard.conversation_id))["state"] == "queued"


async def _state_is(staff: Staff, cid: int, state: str) -> bool:
    return (await conversation(staff, cid))["state"] == state


async def test_forged_tier_is_refused(server: Server, root: Staff) -> None:
    team = await make_team(root)
    record = {"external_id": "cust-x", "tier": "vip"}
    async with __import__("httpx").AsyncClient(base_url=server.base_url) as http:
        r = await http.post(
            "/api/v1/widget/conversations",
            json={"team_id": team["id"], "customer": record, "signature": "0" * 64},
        )
    assert r.status_code == 422
    assert r.json()["code"] == "bad_identity"


async def test_skill_and_language_decide_who_gets_the_chat(server: Server, root: Staff) -> None:
    team = await make_team(root, skills=["billing", "tech"], languages=["en", "de"])
    billing = await make_staff(root, team_ids=[team["id"]], skills=["billing"], languages=["en"])
    tech_de = await make_staff(root, team_ids=[team["id"]], skills=["tech"], languages=["de"])
    chat = await Visitor.start(server, team_id=team["id"], topic="tech", language="de")
    c = await eventually(lambda: _assigned(root, chat.conversation_id))
    assert c["agent_id"] == tech_de.id

    events = (await root.ok("GET", f"/api/v1/conversations/{chat.conversation_id}/events"))[
        "events"
    ]
    reason = next(e for e in events if e["type"] == "assigned")["data"]["reason"]
    assert reason["rule"] == "least_load_then_longest_idle"
    assert reason["skills_required"] == ["tech"] and reason["skills_matched"] == ["tech"]
    assert reason["language"] == "de" and reason["load"] == 0 and reason["skills_relaxed"] is False
    assert billing.id != c["agent_id"]


async def _assigned(staff: Staff, cid: int) -> dict[str, Any] | None:
    c = await conversation(staff, cid)
    return c if c["state"] in ("assigned", "active") else None


async def test_unanswered_offer_goes_to_the_next_agent(server: Server, root: Staff) -> None:
    team = await make_team(root, answer_timeout_s=5)
    first = await make_staff(root, team_ids=[team["id"]])
    chat = await Visitor.start(server, team_id=team["id"])
    c = await eventually(lambda: _assigned(root, chat.conversation_id))
    assert c["agent_id"] == first.id
    second = await make_staff(root, team_ids=[team["id"]])

    async def moved() -> dict[str, Any] | None:
        now = await conversation(root, chat.conversation_id)
        return now if now["agent_id"] == second.id else None

    await eventually(moved, timeout=15)
    me = await first.ok("GET", "/api/v1/me")
    assert me["status"] == "away", "an agent who misses a chat is set away"
    events = (await root.ok("GET", f"/api/v1/conversations/{chat.conversation_id}/events"))[
        "events"
    ]
    requeued = [e for e in events if e["type"] == "requeued"]
    assert requeued[0]["data"]["reason"] == "no_answer"


async def test_going_offline_requeues_open_chats(server: Server, root: Staff) -> None:
    team = await make_team(root)
    leaving = await make_staff(root, team_ids=[team["id"]])
    chat = await Visitor.start(server, team_id=team["id"])
    vws = await chat.ws()
    await eventually(lambda: _assigned(root, chat.conversation_id))
    lws = await leaving.ws()
    await lws.subscribe(chat.stream)
    await lws.request(send(chat.conversation_id, "hi", "hello, I'm here"))
    await leaving.ok("PUT", "/api/v1/me/status", json={"status": "offline"})
    left = await vws.wait_event(chat.stream, lambda e: e["type"] == "agent_left")
    assert left["data"]["agent_name"] == leaving.user["name"]
    assert (await conversation(root, chat.conversation_id))["state"] == "queued"

    staying = await make_staff(root, team_ids=[team["id"]])
    c = await eventually(lambda: _assigned(root, chat.conversation_id))
    assert c["agent_id"] == staying.id


async def test_transfer_to_agent_carries_the_handover_note(server: Server, root: Staff) -> None:
    team = await make_team(root)
    ana = await make_staff(root, team_ids=[team["id"]])
    chat = await Visitor.start(server, team_id=team["id"])
    await eventually(lambda: _assigned(root, chat.conversation_id))
    await ana.ok("POST", f"/api/v1/conversations/{chat.conversation_id}/accept")
    ben = await make_staff(root, team_ids=[team["id"]])
    bws = await ben.ws()
    await bws.subscribe("inbox")

    moved = await ana.ok(
        "POST",
        f"/api/v1/conversations/{chat.conversation_id}/transfer",
        json={
            "agent_id": ben.id,
            "note": "Refund approved for card 4111 1111 1111 1111, needs the tracking number",
        },
    )
    assert moved["state"] == "assigned" and moved["agent_id"] == ben.id
    await bws.wait_event("inbox", lambda e: e["type"] == "conversation.offered")
    events = (await ben.ok("GET", f"/api/v1/conversations/{chat.conversation_id}/events"))["events"]
    note = next(e for e in events if e["type"] == "transferred")
    assert note["text"] == "Refund approved for card [card ending 1111], needs the tracking number"
    assert note["public_seq"] is None

    gone = await ana.call("POST", f"/api/v1/conversations/{chat.conversation_id}/end")
    assert gone.status_code == 403
    accepted = await ben.ok("POST", f"/api/v1/conversations/{chat.conversation_id}/accept")
    assert accepted["state"] == "active"


async def test_transfer_to_team_requeues_there(server: Server, root: Staff) -> None:
    team = await make_team(root)
    other = await make_team(root)
    ana = await make_staff(root, team_ids=[team["id"]])
    chat = await Visitor.start(server, team_id=team["id"])
    await eventually(lambda: _assigned(root, chat.conversation_id))
    moved = await ana.ok(
        "POST",
        f"/api/v1/conversations/{chat.conversation_id}/transfer",
        json={"team_id": other["id"]},
    )
    assert moved["state"] == "queued" and moved["team_id"] == other["id"]
    assert [w["conversation_id"] for w in (await queue(root, other["id"]))["waiting"]] == [
        chat.conversation_id
    ]
    bad = await ana.call(
        "POST",
        f"/api/v1/conversations/{chat.conversation_id}/transfer",
        json={"team_id": team["id"]},
    )
    assert bad.status_code == 403  # no longer Ana's to transfer


async def test_visitors_see_their_position_and_wait_update_live(
    server: Server, root: Staff
) -> None:
    team = await make_team(root, multi_chat=False)
    empty = await Visitor.start(server, team_id=team["id"])
    ews = await empty.ws()
    nobody = await ews.wait(lambda f: f["type"] == "queue")
    assert nobody["position"] == 1 and nobody["ewt_s"] is None and nobody["agents_online"] == 0

    agent = await make_staff(root, team_ids=[team["id"]])
    await eventually(lambda: _assigned(root, empty.conversation_id))
    second = await Visitor.start(server, team_id=team["id"])
    third = await Visitor.start(server, team_id=team["id"])
    sws, tws = await second.ws(), await third.ws()
    s_pos = await sws.wait(lambda f: f["type"] == "queue" and f["ewt_s"] is not None)
    t_pos = await tws.wait(lambda f: f["type"] == "queue" and f["position"] == 2)
    assert s_pos["position"] == 1 and s_pos["ewt_s"] >= 5
    assert t_pos["ewt_s"] > s_pos["ewt_s"]

    await agent.ok("POST", f"/api/v1/conversations/{empty.conversation_id}/accept")
    await agent.ok(
        "POST",
        f"/api/v1/conversations/{empty.conversation_id}/close",
        json={"resolution_code": "resolved"},
    )
    moved_up = await tws.wait(lambda f: f["type"] == "queue" and f["position"] == 1, timeout=10)
    assert moved_up["conversation_id"] == third.conversation_id


async def test_closing_needs_a_valid_resolution_code(server: Server, root: Staff) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    chat = await Visitor.start(server, team_id=team["id"])
    vws = await chat.ws()
    await eventually(lambda: _assigned(root, chat.conversation_id))
    await agent.ok("POST", f"/api/v1/conversations/{chat.conversation_id}/accept")
    path = f"/api/v1/conversations/{chat.conversation_id}/close"
    missing = await agent.call("POST", path, json={})
    assert missing.status_code == 422 and missing.json()["details"]["fields"] == ["resolution_code"]
    for code in ("nonsense", "retired"):
        r = await agent.call("POST", path, json={"resolution_code": code})
        assert r.status_code == 422 and r.json()["code"] == "resolution_code_required"
    assert (await conversation(root, chat.conversation_id))["state"] == "active", "nothing changed"
    closed = await agent.ok(
        "POST", path, json={"resolution_code": "resolved", "note": "card 4111111111111111"}
    )
    assert closed["state"] == "closed" and closed["resolution_code"] == "resolved"
    assert closed["wrapup_note"] == "card [card ending 1111]"
    await vws.wait_event(chat.stream, lambda e: e["type"] == "ended")
    late = await vws.request(send(chat.conversation_id, "late", "hello?"))
    assert late["type"] == "error" and late["code"] == "wrong_state"


async def test_visitor_leaving_the_queue_abandons(server: Server, root: Staff) -> None:
    team = await make_team(root)
    chat = await Visitor.start(server, team_id=team["id"])
    vws = await chat.ws()
    reply = await vws.request({"type": "end", "conversation_id": chat.conversation_id})
    assert reply == {
        "type": "ok",
        "ref": reply["ref"],
        "conversation_id": chat.conversation_id,
        "state": "abandoned",
    }
    again = await vws.request({"type": "end", "conversation_id": chat.conversation_id})
    assert again["code"] == "wrong_state"


async def test_transfer_and_queue_refuse_bad_targets(server: Server, root: Staff) -> None:
    team, other = await make_team(root), await make_team(root)
    ana = await make_staff(root, team_ids=[team["id"]])
    away = await make_staff(root, team_ids=[team["id"]], online=False)
    chat = await Visitor.start(server, team_id=team["id"])
    await eventually(lambda: _assigned(root, chat.conversation_id))
    path = f"/api/v1/conversations/{chat.conversation_id}/transfer"
    cases = [
        ({"agent_id": away.id}, 409, "agent_unavailable"),
        ({"agent_id": ana.id}, 422, "invalid"),
        ({"agent_id": 987654}, 404, "not_found"),
        ({"team_id": 987654}, 404, "not_found"),
        ({"agent_id": ana.id, "team_id": team["id"]}, 422, "invalid"),
    ]
    for body, status, code in cases:
        r = await ana.call("POST", path, json=body)
        assert (r.status_code, r.json()["code"]) == (status, code), body
    after = await conversation(root, chat.conversation_id)
    assert after["agent_id"] == ana.id and after["state"] == "assigned", "nothing changed"

    assert (await ana.call("GET", f"/api/v1/teams/{other['id']}/queue")).status_code == 403
    assert (await root.call("GET", "/api/v1/teams/987654/queue")).status_code == 404


async def test_a_chat_passed_back_to_the_queue_returns_to_the_only_agent_online(
    server: Server, root: Staff
) -> None:
    """Exclusions are a preference: the agent who passed a chat on gets it again when nobody
    else can take it, instead of the visitor waiting while that agent has free slots."""
    team = await make_team(root)
    ana = await make_staff(root, team_ids=[team["id"]])
    chat = await Visitor.start(server, team_id=team["id"])
    await eventually(lambda: _assigned(root, chat.conversation_id))
    await ana.ok(
        "POST",
        f"/api/v1/conversations/{chat.conversation_id}/transfer",
        json={"team_id": team["id"], "note": "anyone else?"},
    )
    back = await eventually(lambda: _assigned(root, chat.conversation_id))
    assert back["agent_id"] == ana.id
    events = (await root.ok("GET", f"/api/v1/conversations/{chat.conversation_id}/events"))[
        "events"
    ]
    reasons = [e["data"]["reason"] for e in events if e["type"] == "assigned"]
    assert [r["excluded_fallback"] for r in reasons] == [False, True]

    ben = await make_staff(root, team_ids=[team["id"]])
    await ana.ok(
        "POST",
        f"/api/v1/conversations/{chat.conversation_id}/transfer",
        json={"team_id": team["id"]},
    )
    again = await eventually(lambda: _assigned(root, chat.conversation_id))
    assert again["agent_id"] == ben.id, "someone who has not passed it on comes first"


async def test_transfer_targets_are_the_agents_who_could_take_the_chat_now(
    server: Server, root: Staff
) -> None:
    team = await make_team(root)
    other = await make_team(root, multi_chat=False)
    ana = await make_staff(root, team_ids=[team["id"]], name="Ana")
    chat = await Visitor.start(server, team_id=team["id"])
    await eventually(lambda: _assigned(root, chat.conversation_id))
    ben = await make_staff(root, team_ids=[team["id"]], name="Ben")
    cleo = await make_staff(root, team_ids=[other["id"]], name="Cleo")
    dora = await make_staff(root, team_ids=[team["id"]], name="Dora", online=False)
    quinn = await make_staff(root, team_ids=[team["id"]], name="Quinn", role="qa")
    nobody = await make_staff(root, team_ids=[], name="Nobody")
    mine = {p.id for p in (ana, ben, cleo, dora, quinn, nobody)}
    path = f"/api/v1/conversations/{chat.conversation_id}/transfer-targets"
    targets = await ana.ok("GET", path)
    assert targets[0]["user_id"] == ben.id, "the chat's own team first"
    # Agents of earlier tests on this shared server are online too; look at this test's people.
    ours = [t for t in targets if t["user_id"] in mine]
    assert [(t["user_id"], t["team_id"], t["free"]) for t in ours] == [
        (ben.id, team["id"], True),
        (cleo.id, other["id"], True),
    ], "online, able to answer, in a team, not the assignee"
    assert ours[1]["cap"] == 1 and ours[1]["load"] == 0
    busy = await Visitor.start(server, team_id=other["id"])
    await eventually(lambda: _assigned(root, busy.conversation_id))
    after = {t["user_id"]: t for t in await ana.ok("GET", path)}
    assert after[cleo.id]["free"] is False and after[cleo.id]["load"] == 1

    outsider = await make_staff(root, team_ids=[other["id"]], online=False)
    refused = await outsider.call("GET", path)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


async def test_a_team_s_own_relaxation_wait_overrides_the_default(
    server: Server, root: Staff
) -> None:
    """The server's default waits minutes before dropping skills; a team set to 0 s gives the
    only agent online a chat needing a skill they lack at once, and says so in the reason."""
    team = await make_team(root, skills=["billing", "tech"])
    r = await root.call("PATCH", f"/api/v1/teams/{team['id']}", json={"relax_skills_after_s": -1})
    assert r.status_code == 422 and r.json()["details"]["fields"] == ["relax_skills_after_s"]
    r = await root.call("PATCH", f"/api/v1/teams/{team['id']}", json={"name": None})
    assert r.status_code == 422 and r.json()["details"]["fields"] == ["name"]
    await make_staff(root, team_ids=[team["id"]], skills=["billing"])
    chat = await Visitor.start(server, team_id=team["id"], topic="tech")
    await asyncio.sleep(1.0)
    assert (await conversation(root, chat.conversation_id))["state"] == "queued"

    changed = await root.ok(
        "PATCH", f"/api/v1/teams/{team['id']}", json={"relax_skills_after_s": 0}
    )
    assert changed["relax_skills_after_s"] == 0
    await eventually(lambda: _assigned(root, chat.conversation_id))
    events = (await root.ok("GET", f"/api/v1/conversations/{chat.conversation_id}/events"))[
        "events"
    ]
    reason = next(e for e in events if e["type"] == "assigned")["data"]["reason"]
    assert reason["skills_relaxed"] is True

    reset = await root.ok(
        "PATCH", f"/api/v1/teams/{team['id']}", json={"relax_skills_after_s": None}
    )
    assert reset["relax_skills_after_s"] is None
