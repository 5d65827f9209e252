"""Login sessions, cookies, CSRF and role checks over real HTTP."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.clients import Staff, make_staff, make_team, unique
from tests.servers import ADMIN_EMAIL, Server, start_server


async def test_login_sets_a_safe_cookie_and_wrong_passwords_fail(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        bad = await http.post(
            "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": "wrong-password"}
        )
        assert bad.status_code == 401 and bad.json()["code"] == "bad_credentials"
        unknown = await http.post(
            "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "x"}
        )
        assert unknown.json() == bad.json(), "no hint whether the email exists"
        assert (await http.get("/api/v1/me")).status_code == 401

    staff = await Staff(server).login(ADMIN_EMAIL, "correct-horse-battery")
    r = await staff.http.post(
        "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": "correct-horse-battery"}
    )
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie, "plain http on loopback; Secure is set behind https"
    assert len(staff.http.cookies["helpline_session"]) >= 43
    me = await staff.ok("GET", "/api/v1/me")
    assert me["user"]["email"] == ADMIN_EMAIL and me["user"]["role"] == "admin"


async def test_cookie_writes_need_the_csrf_token(server: Server, root: Staff) -> None:
    no_header = await root.http.put("/api/v1/me/status", json={"status": "away"})
    assert no_header.status_code == 403 and no_header.json()["code"] == "csrf_failed"
    wrong = await root.http.put(
        "/api/v1/me/status", json={"status": "away"}, headers={"X-CSRF-Token": "nope"}
    )
    assert wrong.status_code == 403
    assert (await root.ok("GET", "/api/v1/me"))["status"] == "offline", "nothing changed"
    await root.ok("PUT", "/api/v1/me/status", json={"status": "away"})
    assert (await root.ok("GET", "/api/v1/me"))["status"] == "away"


async def test_logout_ends_the_session(server: Server) -> None:
    staff = await Staff(server).login(ADMIN_EMAIL, "correct-horse-battery")
    stolen = staff.http.cookies["helpline_session"]
    r = await staff.call("POST", "/api/v1/auth/logout")
    assert r.status_code == 204
    async with httpx.AsyncClient(
        base_url=server.base_url, cookies={"helpline_session": stolen}
    ) as http:
        assert (await http.get("/api/v1/me")).status_code == 401


async def test_only_admins_manage_users_and_teams(server: Server, root: Staff) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    for method, path, body in [
        (
            "POST",
            "/api/v1/users",
            {"email": "x@example.com", "name": "X", "password": "long-enough-pw"},
        ),
        ("PATCH", f"/api/v1/users/{agent.id}", {"role": "admin"}),
        ("POST", "/api/v1/teams", {"name": "sneaky"}),
        ("PATCH", f"/api/v1/teams/{team['id']}", {"concurrency_cap": 9}),
        ("PUT", "/api/v1/resolution-codes/x", {"code": "x", "label": "X"}),
    ]:
        r = await agent.call(method, path, json=body)
        assert r.status_code == 403, (path, r.text)
    assert (await agent.ok("GET", "/api/v1/me"))["user"]["role"] == "agent"
    teams = await root.ok("GET", "/api/v1/teams")
    assert next(t for t in teams if t["id"] == team["id"])["concurrency_cap"] == 2


async def test_user_and_team_validation(server: Server, root: Staff) -> None:
    dup = await root.call(
        "POST",
        "/api/v1/users",
        json={"email": ADMIN_EMAIL, "name": "Again", "password": "long-enough-pw"},
    )
    assert dup.status_code == 409 and dup.json()["code"] == "email_taken"
    short = await root.call(
        "POST", "/api/v1/users", json={"email": "s@example.com", "name": "S", "password": "short"}
    )
    assert short.status_code == 422 and short.json()["details"]["fields"] == ["password"]
    ghost_team = await root.call(
        "POST",
        "/api/v1/users",
        json={
            "email": "g@example.com",
            "name": "G",
            "password": "long-enough-pw",
            "team_ids": [999999],
        },
    )
    assert ghost_team.status_code == 422 and ghost_team.json()["code"] == "unknown_team"
    users = await root.ok("GET", "/api/v1/users")
    assert "g@example.com" not in {u["email"] for u in users}, "no partial write"
    team = await make_team(root)
    same = await root.call("POST", "/api/v1/teams", json={"name": team["name"]})
    assert same.status_code == 409
    cap = await root.call("POST", "/api/v1/teams", json={"name": "zero", "concurrency_cap": 0})
    assert cap.status_code == 422


async def test_admin_edits_refuse_unknown_targets_and_mismatches(
    server: Server, root: Staff
) -> None:
    assert (await root.call("PATCH", "/api/v1/users/987654", json={"name": "X"})).status_code == 404
    assert (await root.call("PATCH", "/api/v1/teams/987654", json={"name": "X"})).status_code == 404
    mismatch = await root.call(
        "PUT", "/api/v1/resolution-codes/refund", json={"code": "other", "label": "Refund"}
    )
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "invalid"
    codes = {c["code"] for c in await root.ok("GET", "/api/v1/resolution-codes")}
    assert "refund" not in codes and "other" not in codes, "nothing written"
    made = await root.ok(
        "PUT", "/api/v1/resolution-codes/refund", json={"code": "refund", "label": "Refund issued"}
    )
    assert made == {"code": "refund", "label": "Refund issued", "active": True}


async def test_a_taken_name_says_which_field_it_is_about(server: Server, root: Staff) -> None:
    """A form shows the refusal under the field to change, so each conflict names it."""
    team, other = await make_team(root), await make_team(root)
    cases = [
        ("POST", "/api/v1/teams", {"name": team["name"]}, "team_name_taken", ["name"]),
        (
            "PATCH",
            f"/api/v1/teams/{other['id']}",
            {"name": team["name"]},
            "team_name_taken",
            ["name"],
        ),
        (
            "POST",
            "/api/v1/users",
            {"email": ADMIN_EMAIL.upper(), "name": "Again", "password": "long-enough-pw-9"},
            "email_taken",
            ["email"],
        ),
    ]
    for method, path, body, code, fields in cases:
        r = await root.call(method, path, json=body)
        assert r.status_code == 409, (path, r.text)
        assert r.json()["code"] == code and r.json()["details"]["fields"] == fields, r.json()
    names = {t["id"]: t["name"] for t in await root.ok("GET", "/api/v1/teams")}
    assert names[other["id"]] == other["name"], "the refused rename changed nothing"

    code = unique("goodwill").lower()
    await root.ok("POST", "/api/v1/resolution-codes", json={"code": code, "label": "Goodwill"})
    again = await root.call(
        "POST", "/api/v1/resolution-codes", json={"code": code, "label": "Overwritten"}
    )
    assert again.status_code == 409 and again.json()["code"] == "resolution_code_taken"
    assert again.json()["details"]["fields"] == ["code"]
    listed = {c["code"]: c["label"] for c in await root.ok("GET", "/api/v1/resolution-codes")}
    assert listed[code] == "Goodwill", "an existing code is never overwritten by an add"


async def test_login_throttle_counts_every_spelling_of_an_address(tmp_path: Path) -> None:
    """The budget is keyed on the e-mail as the lookup normalizes it, so trailing spaces or
    capitals do not buy fresh tries."""
    srv = await asyncio.to_thread(
        start_server,
        f"sqlite+aiosqlite:///{tmp_path}/h.db",
        tmp_path,
        {"HELPLINE_LOGIN_RATE": "3/600"},
    )
    try:
        async with httpx.AsyncClient(base_url=srv.base_url) as http:
            spellings = [ADMIN_EMAIL, f"{ADMIN_EMAIL} ", f" {ADMIN_EMAIL.upper()}", ADMIN_EMAIL]
            codes = []
            for email in spellings:
                r = await http.post(
                    "/api/v1/auth/login", json={"email": email, "password": "wrong-password"}
                )
                codes.append(r.json()["code"])
            assert codes == ["bad_credentials"] * 3 + ["rate_limited"]
            right = await http.post(
                "/api/v1/auth/login",
                json={"email": f"  {ADMIN_EMAIL}", "password": "correct-horse-battery"},
            )
            assert right.status_code == 429, "still throttled, even with the right password"
    finally:
        srv.stop()


async def test_new_users_need_a_strong_password(server: Server, root: Staff) -> None:
    for password in ("password1234", "root-admin-2024", "aaaaaaaaaaaa"):
        r = await root.call(
            "POST",
            "/api/v1/users",
            json={"email": "root-admin-2@example.com", "name": "Pat", "password": password},
        )
        assert r.status_code == 422 and r.json()["code"] == "weak_password", password
        assert r.json()["details"]["fields"] == ["password"]
    users = await root.ok("GET", "/api/v1/users")
    assert "root-admin-2@example.com" not in {u["email"] for u in users}


async def test_me_says_where_the_inbox_stream_is(server: Server, root: Staff) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    me = await agent.ok("GET", "/api/v1/me")
    assert me["inbox_last_seq"] >= 1, "going online wrote a status event"
    ws = await agent.ws()
    subscribed = await ws.subscribe("inbox", me["inbox_last_seq"])
    assert subscribed["replayed"] == 0 and subscribed["last_seq"] == me["inbox_last_seq"]
    await agent.ok("PUT", "/api/v1/me/status", json={"status": "away"})
    status = await ws.wait_event("inbox", lambda e: e["type"] == "status")
    assert status["seq"] == me["inbox_last_seq"] + 1


async def test_me_lists_what_the_user_may_do(server: Server, root: Staff) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    mine = set((await agent.ok("GET", "/api/v1/me"))["capabilities"])
    assert "answer_chats" in mine and "administer" not in mine
    assert "administer" in (await root.ok("GET", "/api/v1/me"))["capabilities"]
