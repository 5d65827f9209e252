"""What a client may send and what every answer carries: text, sizes, nesting and numbers that
are refused with a stable code (never a 500 or a dropped socket), the security headers, and rate
limits (against a server configured with small budgets)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.clients import WS, Staff, Visitor, admin, make_team, send
from tests.servers import ADMIN_EMAIL, Server, start_server

SECURITY_HEADERS = ("x-content-type-options", "referrer-policy", "content-security-policy")


def log_since(server: Server, offset: int) -> str:
    return server.log.read_bytes()[offset:].decode(errors="replace")


def assert_secured(r: httpx.Response) -> None:
    missing = [h for h in SECURITY_HEADERS if h not in r.headers]
    assert not missing, f"{r.request.method} {r.request.url.path} {r.status_code}: {missing}"
    assert r.headers["x-content-type-options"] == "nosniff"


async def error_for(ws: WS, frame: dict[str, object] | str) -> dict[str, object]:
    count = len(ws.frames)
    await ws.send(frame)
    return await ws.wait(lambda f: f["type"] == "error", since=count)


async def chunks(size: int, piece: int = 8192) -> AsyncIterator[bytes]:
    """A body without Content-Length: httpx sends it chunked."""
    for start in range(0, size, piece):
        yield b"x" * min(piece, size - start)


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("strict")
    srv = start_server(
        f"sqlite+aiosqlite:///{workdir}/helpline.db",
        workdir,
        {
            "HELPLINE_CONVERSATION_RATE": "3/60",
            "HELPLINE_VISITOR_MESSAGE_RATE": "5/60",
            "HELPLINE_LOGIN_RATE": "3/60",
        },
    )
    yield srv
    srv.stop()


async def test_conversation_creation_is_rate_limited(strict: Server) -> None:
    root: Staff = await admin(strict)
    team = await make_team(root)
    async with httpx.AsyncClient(
        base_url=strict.base_url, headers={"X-Forwarded-For": "10.0.0.1"}
    ) as http:
        codes = [
            (
                await http.post("/api/v1/widget/conversations", json={"team_id": team["id"]})
            ).status_code
            for _ in range(5)
        ]
        assert codes == [201, 201, 201, 429, 429]
        r = await http.post("/api/v1/widget/conversations", json={"team_id": team["id"]})
        assert r.json()["code"] == "rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 20, "one new chat every 20 s refills"
        assert r.json()["details"]["retry_after_s"] == int(r.headers["retry-after"])
    async with httpx.AsyncClient(
        base_url=strict.base_url, headers={"X-Forwarded-For": "10.0.0.2"}
    ) as other:
        r = await other.post("/api/v1/widget/conversations", json={"team_id": team["id"]})
        assert r.status_code == 201, "another address has its own budget"
    listed = await root.ok("GET", "/api/v1/conversations", params={"team_id": team["id"]})
    assert len(listed) == 4, "refused requests wrote nothing"


async def test_visitor_messages_are_rate_limited_without_losing_the_connection(
    strict: Server,
) -> None:
    root = await admin(strict)
    team = await make_team(root)
    async with httpx.AsyncClient(
        base_url=strict.base_url, headers={"X-Forwarded-For": "10.0.0.3"}
    ) as http:
        r = await http.post("/api/v1/widget/conversations", json={"team_id": team["id"]})
    chat = Visitor(strict, r.json()["visitor_token"], r.json()["conversation"]["id"])
    ws = await chat.ws()
    replies = [await ws.request(send(chat.conversation_id, f"m{i}", f"msg {i}")) for i in range(7)]
    assert [r["type"] for r in replies] == ["ack"] * 5 + ["error"] * 2
    assert replies[-1]["code"] == "rate_limited"
    resend = await ws.request(send(chat.conversation_id, "m0", "msg 0"))
    assert resend["type"] == "ack" and resend["duplicate"] is True, (
        "resends of acked messages still answer"
    )
    assert (await ws.request({"type": "ping"}))["type"] == "pong"


async def test_login_attempts_are_rate_limited(strict: Server) -> None:
    async with httpx.AsyncClient(base_url=strict.base_url) as http:
        codes = [
            (
                await http.post(
                    "/api/v1/auth/login", json={"email": "victim@example.com", "password": "guess"}
                )
            ).status_code
            for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        ok = await http.post(
            "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": "correct-horse-battery"}
        )
        assert ok.status_code == 200, "the limit is per account and address, not global"


BAD = ["a\x00b", "bell\x07", "esc\x1b[31m", "lone \ud800 surrogate"]


@pytest.mark.parametrize("text", BAD)
async def test_control_characters_are_refused_in_bodies_queries_and_frames(
    server: Server, root: Staff, text: str
) -> None:
    offset = server.log.stat().st_size
    team = await make_team(root)
    as_json = {"Content-Type": "application/json"}  # escaped: a lone surrogate is not UTF-8
    async with httpx.AsyncClient(base_url=server.base_url, headers=as_json) as http:
        for body, field in (
            ({"team_id": team["id"], "name": text}, "name"),
            ({"team_id": team["id"], "email": text}, "email"),
            (
                {"team_id": team["id"], "customer": {"name": text}, "signature": "0"},
                "customer.name",
            ),
            ({"team_id": team["id"], text: 1}, "body"),
        ):
            r = await http.post("/api/v1/widget/conversations", content=json.dumps(body))
            assert r.status_code == 422 and r.json()["code"] == "bad_text", (body, r.text)
            assert r.json()["details"]["fields"] == [field]
    if text.isascii():  # a URL cannot carry a lone surrogate: it is percent-encoded UTF-8
        r = await root.call("GET", "/api/v1/conversations", params={"q": text})
        assert r.status_code == 422 and r.json()["details"]["fields"] == ["q"]
    r = await root.call(
        "POST", "/api/v1/teams", content=json.dumps({"name": text}), headers=as_json
    )
    assert r.status_code == 422 and r.json()["code"] == "bad_text", "staff bodies too"
    listed = await root.ok("GET", "/api/v1/conversations", params={"team_id": team["id"]})
    assert listed == [], "nothing was stored"

    chat = await Visitor.start(server, team_id=team["id"])
    ws = await chat.ws()
    for frame in (
        send(chat.conversation_id, "c1", f"hello {text}"),
        {**send(chat.conversation_id, "c2", "hi"), "ref": text},
    ):
        error = await error_for(ws, json.dumps(frame))
        assert error["code"] == "bad_text" and "ref" not in error, error
    fallback = await chat.http.post(
        "/api/v1/rt/frames", content=json.dumps(send(chat.conversation_id, "c3", text))
    )
    assert fallback.status_code == 400 and fallback.json()["code"] == "bad_text"
    assert (await ws.request(send(chat.conversation_id, "c4", "tab\tand\nlines")))["type"] == "ack"
    events = await chat.http.get(f"/api/v1/widget/conversations/{chat.conversation_id}/events")
    assert [e["text"] for e in events.json()["events"] if e["type"] == "message"] == [
        "tab\tand\nlines"
    ]
    log = log_since(server, offset)
    assert "Traceback" not in log and "ERROR" not in log, log


async def test_empty_and_blank_messages_are_both_empty_message(server: Server, root: Staff) -> None:
    team = await make_team(root)
    chat = await Visitor.start(server, team_id=team["id"])
    ws = await chat.ws()
    for i, text in enumerate(["", "   ", "\n\t"]):
        error = await error_for(ws, json.dumps(send(chat.conversation_id, f"e{i}", text)))
        assert error["code"] == "empty_message", (text, error)


async def test_chunked_bodies_over_the_limit_get_413(server: Server) -> None:
    team_body = json.dumps({"team_id": 1, "name": "x" * 70_000}).encode()

    async def json_chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(team_body), 4096):
            yield team_body[start : start + 4096]

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        answers = [
            # FastAPI reads and parses the body before the view runs
            await http.post(
                "/api/v1/widget/conversations",
                content=json_chunks(),
                headers={"Content-Type": "application/json"},
            ),
            # the view reads the body itself, and is already reading when the limit passes
            await http.post("/api/v1/rt/frames", content=chunks(100_000)),
            # far over the limit: answered without reading it all
            await http.post("/api/v1/rt/frames", content=chunks(5_000_000)),
            # declared up front
            await http.post("/api/v1/rt/frames", content=b"x" * 100_000),
        ]
        for r in answers:
            assert r.status_code == 413, r.text
            assert r.json() == {"code": "too_large", "message": "Request body is over 65536 bytes."}
            assert_secured(r)
        assert (await http.get("/healthz")).status_code == 200


async def test_deeply_nested_json_is_refused_and_the_socket_stays(
    server: Server, root: Staff
) -> None:
    team = await make_team(root)
    chat = await Visitor.start(server, team_id=team["id"])
    ws = await chat.ws()
    # 40 levels parse, and are refused after; 8000 exhaust the parser's recursion (16 KB frames)
    for depth in (40, 8000):
        frame = '{"type": "ping", "x": ' + "[" * depth + "]" * depth + "}"
        assert (await error_for(ws, frame))["code"] == "bad_json"
        r = await chat.http.post("/api/v1/rt/frames", content=frame)
        assert r.status_code == 400 and r.json()["code"] == "bad_json"
        customer = '{"a":' * depth + "1" + "}" * depth
        r = await chat.http.post(
            "/api/v1/widget/conversations",
            content=f'{{"team_id": {team["id"]}, "customer": {customer}, "signature": "00"}}',
            headers={"Content-Type": "application/json"},
        )
        assert (r.status_code, r.json()["code"]) in ((422, "invalid"), (400, "bad_request"))
        assert r.json()["message"]
    assert (await ws.request({"type": "ping"}))["type"] == "pong", "the socket survived"


async def test_numbers_beyond_the_database_range_are_client_errors(
    server: Server, root: Staff
) -> None:
    offset = server.log.stat().st_size
    team = await make_team(root)
    chat = await Visitor.start(server, team_id=team["id"])
    cid = chat.conversation_id
    huge = [2**31, 10**20]
    async with httpx.AsyncClient(base_url=server.base_url) as anon:
        for n in huge:
            r = await anon.post("/api/v1/widget/conversations", json={"team_id": n})
            assert r.status_code == 422 and r.json()["code"] == "out_of_range", r.text
    for n in huge:
        for method, path, body in (
            ("GET", f"/api/v1/conversations/{n}", None),
            ("GET", f"/api/v1/conversations/{cid}/events?after={n}", None),
            ("GET", f"/api/v1/teams/{n}/queue", None),
            ("PATCH", f"/api/v1/teams/{n}", {"name": "renamed"}),
            (
                "POST",
                "/api/v1/canned-responses",
                {"team_id": n, "shortcut": "s", "title": "t", "body": "b"},
            ),
        ):
            r = await root.call(method, path, json=body)
            assert r.status_code == 422 and r.json()["code"] == "out_of_range", (path, r.text)

    ws = await chat.ws()
    for n in huge:
        for frame in (
            send(n, "big", "hi"),
            {"type": "read", "conversation_id": cid, "seq": n},
            {"type": "typing", "conversation_id": n, "active": True},
            {"type": "end", "conversation_id": n},
            {"type": "subscribe", "stream": chat.stream, "after": n},
            {"type": "subscribe", "stream": f"conversation:{n}", "after": 0},
        ):
            error = await error_for(ws, json.dumps(frame))
            assert error["code"] == "invalid_frame", (frame, error)
        r = await chat.http.post("/api/v1/rt/frames", content=json.dumps(send(n, "b", "hi")))
        assert r.status_code == 400 and r.json()["code"] == "invalid_frame"
    log = log_since(server, offset)
    assert "Traceback" not in log and "ERROR" not in log, log


async def test_every_answer_carries_the_security_headers(server: Server, root: Staff) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        answers = [
            await http.get("/healthz"),
            await http.get("/nowhere"),
            await http.delete("/healthz"),
            await http.get("/api/v1/me"),
            await http.post("/api/v1/widget/conversations", json={"surprise": 1}),
            await http.post("/api/v1/rt/frames", content=b"x" * 70_000),
            await http.post("/api/v1/rt/frames", content=chunks(70_000)),
            await http.get("/static/app/console/index.html"),
            await http.get("/docs"),
        ]
    for r in answers:
        assert_secured(r)
        if r.request.url.path.startswith("/api/"):
            assert r.headers["cache-control"] == "no-store"
    html = [r for r in answers if r.headers.get("content-type", "").startswith("text/html")]
    assert html, "the pages were served"
    for r in html:
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    codes = {r.status_code: r.json()["code"] for r in answers if r.status_code >= 400}
    assert codes == {
        404: "not_found",
        405: "method_not_allowed",
        401: "unauthorized",
        422: "invalid",
        413: "too_large",
    }


async def test_api_docs_load_nothing_from_elsewhere(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        page = await http.get("/docs")
        assert page.status_code == 200
        assert "http://" not in page.text and "https://" not in page.text
        assert "<script>" not in page.text, "no inline script"
        for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
            assert asset in page.text
            assert (await http.get(asset)).status_code == 200
        start = await http.get("/docs/start.js")
        assert start.status_code == 200 and "/openapi.json" in start.text
        assert "validatorUrl: null" in start.text, "no badge image from swagger.io"
        assert (await http.get("/redoc")).status_code == 404
        assert (await http.get("/openapi.json")).json()["info"]["title"] == "Helpline"


async def test_request_heads_have_a_size_limit(server: Server) -> None:
    host, port = server.base_url.removeprefix("http://").split(":")

    def get(header_bytes: int) -> bytes:
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * header_bytes
            # the server may answer and close while this is still being sent
            with contextlib.suppress(ConnectionError):
                sock.sendall(head + b"\r\n\r\n")
            return sock.recv(64)

    assert (await asyncio.to_thread(get, 4096)).startswith(b"HTTP/1.1 200")
    assert (await asyncio.to_thread(get, 4 * 1024 * 1024)).startswith(b"HTTP/1.1 400")
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        assert (await http.get("/healthz")).status_code == 200, "still serving"
