"""The conversations REST API: scoping by team, search, history, transcript, errors."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select, text

from helpline.compliance.models import AuditEntry
from helpline.core.db import Database
from tests.clients import Staff, Visitor, make_staff, make_team, send
from tests.servers import Server


async def test_agents_read_only_their_teams_conversations(server: Server, root: Staff) -> None:
    mine, theirs = await make_team(root), await make_team(root)
    agent = await make_staff(root, team_ids=[mine["id"]], online=False)
    a = await Visitor.start(server, team_id=mine["id"], topic="")
    b = await Visitor.start(server, team_id=theirs["id"])

    listed = await agent.ok("GET", "/api/v1/conversations")
    ids = {c["id"] for c in listed}
    assert a.conversation_id in ids and b.conversation_id not in ids
    for path in ("", "/events", "/transcript"):
        r = await agent.call("GET", f"/api/v1/conversations/{b.conversation_id}{path}")
        assert r.status_code == 403, path
    assert (await agent.call("GET", "/api/v1/conversations/99999999")).status_code == 404
    everything = {
        c["id"] for c in await root.ok("GET", "/api/v1/conversations", params={"limit": 200})
    }
    assert {a.conversation_id, b.conversation_id} <= everything


async def test_filter_search_and_paging(server: Server, root: Staff) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    chats = [await Visitor.start(server, team_id=team["id"]) for _ in range(3)]
    vws = await chats[0].ws()
    await vws.request(send(chats[0].conversation_id, "m", "My parcel 100% never_arrived"))

    found = await agent.ok("GET", "/api/v1/conversations", params={"q": "100% never_arrived"})
    assert [c["id"] for c in found] == [chats[0].conversation_id]
    assert await agent.ok("GET", "/api/v1/conversations", params={"q": "_%"}) == [], (
        "wildcards are literal"
    )
    by_team = await agent.ok(
        "GET", "/api/v1/conversations", params={"team_id": team["id"], "limit": 2}
    )
    assert [c["id"] for c in by_team] == [chats[2].conversation_id, chats[1].conversation_id]
    older = await agent.ok(
        "GET",
        "/api/v1/conversations",
        params={"team_id": team["id"], "before_id": chats[1].conversation_id},
    )
    assert [c["id"] for c in older] == [chats[0].conversation_id]
    bad = await agent.call("GET", "/api/v1/conversations", params={"state": "sleeping"})
    assert bad.status_code == 422 and bad.json()["code"] == "bad_filter"
    await asyncio.sleep(0)
    assert agent.id


async def test_transcript_reads_are_audited(server: Server, root: Staff) -> None:
    team = await make_team(root)
    chat = await Visitor.start(server, team_id=team["id"], name="Tia")
    vws = await chat.ws()
    await vws.request(send(chat.conversation_id, "t1", "where is my order?"))
    r = await root.call("GET", f"/api/v1/conversations/{chat.conversation_id}/transcript")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert "Tia: where is my order?" in r.text
    db = Database(server.db_url)
    try:
        async with db.read() as s:
            entries = (
                (await s.execute(select(AuditEntry).where(AuditEntry.action == "transcript.read")))
                .scalars()
                .all()
            )
    finally:
        await db.close()
    assert any(
        e.target == f"conversation:{chat.conversation_id}" and e.actor_id == root.id
        for e in entries
    )


async def test_no_raw_card_or_ssn_reaches_the_database(server: Server, root: Staff) -> None:
    team = await make_team(root)
    chat = await Visitor.start(server, team_id=team["id"], name="4000 0566 5566 5556", topic="")
    vws = await chat.ws()
    secrets = [
        "4111 1111 1111 1111",
        "5555-5555-5555-4444",
        "378282246310005",
        "219-09-9998",
        "GB82 WEST 1234 5698 7654 32",
    ]
    for i, value in enumerate(secrets):
        assert (await vws.request(send(chat.conversation_id, f"pii-{i}", f"here: {value} ok")))[
            "type"
        ] == "ack"
    db = Database(server.db_url)
    try:
        async with db.read() as s:
            rows = (await s.execute(text("SELECT body, data FROM conversation_events"))).all()
            visitors = (await s.execute(text("SELECT name FROM visitors"))).all()
    finally:
        await db.close()
    dump = repr(rows) + repr(visitors)
    for value in [*secrets, "4000 0566 5566 5556"]:
        assert value not in dump and value.replace(" ", "").replace("-", "") not in dump


async def test_widget_history_needs_the_right_token(server: Server, root: Staff) -> None:
    team = await make_team(root)
    a = await Visitor.start(server, team_id=team["id"])
    b = await Visitor.start(server, team_id=team["id"])
    assert (
        await a.http.get(f"/api/v1/widget/conversations/{b.conversation_id}/events")
    ).status_code == 404
    mine = await a.http.get(f"/api/v1/widget/conversations/{a.conversation_id}/events")
    assert mine.status_code == 200 and mine.json()["events"][0]["type"] == "started"
    async with httpx.AsyncClient(base_url=server.base_url) as anon:
        r = await anon.get(f"/api/v1/widget/conversations/{a.conversation_id}/events")
        assert r.status_code == 401 and r.json()["code"] == "bad_token"
        r = await anon.get(
            f"/api/v1/widget/conversations/{a.conversation_id}/events?token={a.token}"
        )
        assert r.status_code == 401, "tokens are never accepted from the URL"
    listed = (await a.http.get("/api/v1/widget/conversations")).json()
    assert [c["id"] for c in listed] == [a.conversation_id]


async def test_a_returning_visitor_keeps_their_token(server: Server, root: Staff) -> None:
    team = await make_team(root)
    first = await Visitor.start(server, team_id=team["id"])
    r = await first.http.post("/api/v1/widget/conversations", json={"team_id": team["id"]})
    assert r.status_code == 201 and r.json()["visitor_token"] is None
    listed = (await first.http.get("/api/v1/widget/conversations")).json()
    assert len(listed) == 2


async def test_malformed_and_oversized_requests(server: Server, root: Staff) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        r = await http.post(
            "/api/v1/widget/conversations",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 422 and r.json()["code"] == "invalid"
        r = await http.post("/api/v1/widget/conversations", json={"name": "x" * 100_000})
        assert r.status_code == 413 and r.json()["code"] == "too_large"
        r = await http.post(
            "/api/v1/widget/conversations", json={"topic": "<script>", "surprise": 1}
        )
        assert r.status_code == 422 and set(r.json()["details"]["fields"]) == {"topic", "surprise"}
        r = await http.post("/api/v1/widget/conversations", json={"team_id": 987654})
        assert r.status_code == 422 and r.json()["code"] == "unknown_team"
        assert "Traceback" not in r.text


async def test_csat_once_after_the_chat_ended(server: Server, root: Staff) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    chat = await Visitor.start(server, team_id=team["id"])
    other = await Visitor.start(server, team_id=team["id"])
    path = f"/api/v1/widget/conversations/{chat.conversation_id}/csat"
    early = await chat.http.post(path, json={"rating": 5})
    assert early.status_code == 409 and early.json()["code"] == "wrong_state"
    for _ in range(50):
        if (await root.ok("GET", f"/api/v1/conversations/{chat.conversation_id}"))[
            "state"
        ] == "assigned":
            break
        await asyncio.sleep(0.1)
    await agent.ok("POST", f"/api/v1/conversations/{chat.conversation_id}/accept")
    await agent.ok("POST", f"/api/v1/conversations/{chat.conversation_id}/end")
    for bad in (
        {"rating": 0},
        {"rating": 6},
        {"rating": "5"},
        {"rating": 4, "comment": "x" * 1001},
        {},
    ):
        r = await chat.http.post(path, json=bad)
        assert r.status_code == 422, bad
    assert (await other.http.post(path, json={"rating": 1})).status_code == 404
    ok = await chat.http.post(
        path, json={"rating": 4, "comment": "quick, card 4111 1111 1111 1111"}
    )
    assert ok.status_code == 204
    again = await chat.http.post(path, json={"rating": 1})
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    stored = await root.ok("GET", f"/api/v1/conversations/{chat.conversation_id}")
    assert stored["csat_rating"] == 4


async def test_widget_config_and_customer_panel(server: Server, root: Staff) -> None:
    team = await make_team(root, skills=["returns"])
    other = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    outsider = await make_staff(root, team_ids=[other["id"]], online=False)
    async with httpx.AsyncClient(base_url=server.base_url) as anon:
        config = (await anon.get("/api/v1/widget/config")).json()
    assert "returns" in config["topics"] and config["available"] is True

    first = await Visitor.start(server, team_id=team["id"], name="Rita", email="rita@example.com")
    r = await first.http.post("/api/v1/widget/conversations", json={"team_id": team["id"]})
    second_id = r.json()["conversation"]["id"]
    profile = await agent.ok("GET", f"/api/v1/conversations/{second_id}/customer")
    assert profile["name"] == "Rita" and profile["tier"] == "standard"
    assert [p["id"] for p in profile["past"]] == [first.conversation_id]
    assert (
        await outsider.call("GET", f"/api/v1/conversations/{second_id}/customer")
    ).status_code == 403


async def test_rest_timestamps_say_they_are_utc(server: Server, root: Staff) -> None:
    """REST answers write times like events do, ending in Z, on SQLite as on PostgreSQL."""
    team = await make_team(root)
    chat = await Visitor.start(server, team_id=team["id"])
    listed = await root.ok("GET", "/api/v1/conversations", params={"team_id": team["id"]})
    one = await root.ok("GET", f"/api/v1/conversations/{chat.conversation_id}")
    queue = await root.ok("GET", f"/api/v1/teams/{team['id']}/queue")
    stamps = [one["created_at"], one["queued_at"], listed[0]["queued_at"]]
    stamps += [w["queued_at"] for w in queue["waiting"]]
    assert stamps and all(s.endswith("Z") for s in stamps), stamps
    assert one["ended_at"] is None
