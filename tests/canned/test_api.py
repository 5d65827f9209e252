"""Canned responses: permissions, shortcuts, variables."""

from __future__ import annotations

from tests.clients import Staff, Visitor, make_staff, make_team, unique
from tests.servers import Server


async def test_canned_responses_render_with_customer_and_agent(server: Server, root: Staff) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]], name="Ana Lopez")
    shortcut = unique("hi").lower()
    created = await root.ok(
        "POST",
        "/api/v1/canned-responses",
        json={
            "team_id": team["id"],
            "shortcut": shortcut,
            "title": "Hi",
            "body": "Hi {{customer.first_name}}, {{agent.first_name}} here about "
            "{{ conversation.topic }}. {{unknown.thing}}",
        },
    )
    chat = await Visitor.start(server, team_id=team["id"], name="Maria Garcia", topic="orders")
    found = await agent.ok("GET", "/api/v1/canned-responses", params={"q": shortcut[:4]})
    assert created["id"] in {c["id"] for c in found}
    out = await agent.ok(
        "POST",
        f"/api/v1/canned-responses/{created['id']}/render",
        json={"conversation_id": chat.conversation_id},
    )
    assert out == {"text": "Hi Maria, Ana here about orders. ", "missing": ["unknown.thing"]}


async def test_agents_cannot_edit_and_other_teams_cannot_see(server: Server, root: Staff) -> None:
    team, other = await make_team(root), await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    outsider = await make_staff(root, team_ids=[other["id"]])
    sup = await make_staff(root, team_ids=[team["id"]], role="supervisor")
    body = {"team_id": team["id"], "shortcut": unique("x").lower(), "title": "T", "body": "B"}
    assert (await agent.call("POST", "/api/v1/canned-responses", json=body)).status_code == 403
    created = await sup.ok("POST", "/api/v1/canned-responses", json=body)
    dup = await sup.call("POST", "/api/v1/canned-responses", json=body)
    assert dup.status_code == 409 and dup.json()["code"] == "shortcut_taken"
    assert dup.json()["details"]["fields"] == ["shortcut"]
    assert created["id"] not in {
        c["id"] for c in await outsider.ok("GET", "/api/v1/canned-responses")
    }
    assert (
        await outsider.call("DELETE", f"/api/v1/canned-responses/{created['id']}")
    ).status_code == 404
    assert (
        await agent.call("DELETE", f"/api/v1/canned-responses/{created['id']}")
    ).status_code == 403
    assert (
        await sup.call("DELETE", f"/api/v1/canned-responses/{created['id']}")
    ).status_code == 204


async def test_global_shortcuts_are_unique_too(server: Server, root: Staff) -> None:
    body = {"team_id": None, "shortcut": unique("g").lower(), "title": "T", "body": "B"}
    await root.ok("POST", "/api/v1/canned-responses", json=body)
    dup = await root.call("POST", "/api/v1/canned-responses", json=body)
    assert dup.status_code == 409 and dup.json()["code"] == "shortcut_taken"
    assert dup.json()["details"]["fields"] == ["shortcut"]
    team = await make_team(root)
    mine = await root.ok("POST", "/api/v1/canned-responses", json={**body, "team_id": team["id"]})
    assert mine["shortcut"] == body["shortcut"]  # a team may have its own with the same name
