"""Every principal against every REST route and every real-time frame: who may do what.

The tables below are the specification: a row per route or frame, a column per principal, the
outcome expected in each cell. The REST table is compared with the server's own
``/openapi.json``, so a new route fails ``test_every_route_is_in_the_matrix`` until it has a
row, that is, a decision for every role. Refused writes are checked to have changed nothing,
refused subscriptions to deliver nothing, and refused typing and read receipts to reach nobody.

The fixtures are built once per server (``world``): teams, staff of every role, visitors, and
conversations in the states the routes act on. A call that is allowed and changes its target
acts on a fresh one, so no cell depends on another cell having run.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from helpline import web
from tests import clients
from tests.clients import WS, Frame, Visitor, make_staff, make_team, send, unique
from tests.servers import Server

# Principals (columns):
#   ano  anonymous: no credentials
#   vis  the visitor whose chat it is (their token)
#   vsx  another visitor (their own token, someone else's chat)
#   asg  agent of the chat's team, assigned to the chat
#   agt  agent of the chat's team, not assigned
#   agx  agent of another team
#   qa   QA of the chat's team
#   sup  supervisor of the chat's team
#   spx  supervisor of another team
#   adm  admin (in no team)
#   out  supervisor of the chat's team after logging out (the old cookie and CSRF token)
#   dea  admin after being deactivated (the old cookie)
#   rem  supervisor removed from the chat's team (still in another one; a live session)
#
# Outcomes (cells):
#   ok   allowed: 2xx, or the route's own answer past authorization (``Call.allowed``)
#   401  401 unauthorized      tok  401 bad_token
#   403  403 forbidden         nas  403 not_assigned      ro  403 read_only
#   404  404 not_found
#
# Routes are written without the ``/api/v1`` prefix, every path parameter as ``{id}``. The chat
# is "vis"'s, active with "asg"; see ``CALLS`` for what each route is called on.
REST_TABLE = """
route                                       ano vis vsx asg agt agx qa  sup spx adm out dea rem
GET    /healthz                             ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
GET    /readyz                              ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
POST   /auth/login                          ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
POST   /auth/logout                         401 401 401 ok  ok  ok  ok  ok  ok  ok  401 401 ok
PUT    /me/password                         401 401 401 ok  ok  ok  ok  ok  ok  ok  401 401 ok
GET    /me                                  401 401 401 ok  ok  ok  ok  ok  ok  ok  401 401 ok
PUT    /me/status                           401 401 401 ok  ok  ok  ok  ok  ok  ok  401 401 ok
GET    /users                               401 401 401 ok  ok  ok  ok  ok  ok  ok  401 401 ok
POST   /users                               401 401 401 403 403 403 403 403 403 ok  401 401 403
PATCH  /users/{id}                          401 401 401 403 403 403 403 403 403 ok  401 401 403
GET    /teams                               401 401 401 ok  ok  ok  ok  ok  ok  ok  401 401 ok
POST   /teams                               401 401 401 403 403 403 403 403 403 ok  401 401 403
PATCH  /teams/{id}                          401 401 401 403 403 403 403 403 403 ok  401 401 403
GET    /teams/{id}/queue                    401 401 401 ok  ok  403 ok  ok  403 ok  401 401 403
GET    /teams/{id}/hours                    401 401 401 ok  ok  403 ok  ok  403 ok  401 401 403
PUT    /teams/{id}/hours                    401 401 401 403 403 403 403 403 403 ok  401 401 403
GET    /conversations                       401 401 401 ok  ok  ok  ok  ok  ok  ok  401 401 ok
GET    /conversations/{id}                  401 401 401 ok  ok  403 ok  ok  403 ok  401 401 403
GET    /conversations/{id}/events           401 401 401 ok  ok  403 ok  ok  403 ok  401 401 403
GET    /conversations/{id}/transcript       401 401 401 ok  ok  403 ok  ok  403 ok  401 401 403
GET    /conversations/{id}/customer         401 401 401 ok  ok  403 ok  ok  403 ok  401 401 403
POST   /conversations/{id}/accept           401 401 401 ok  nas 403 ro  nas 403 nas 401 401 403
POST   /conversations/{id}/pick             401 401 401 ok  ok  403 ro  ok  403 ok  401 401 403
POST   /conversations/{id}/transfer         401 401 401 ok  nas 403 ro  ok  403 ok  401 401 403
GET    /conversations/{id}/transfer-targets 401 401 401 ok  nas 403 ro  ok  403 ok  401 401 403
POST   /conversations/{id}/end              401 401 401 ok  nas 403 ro  ok  403 ok  401 401 403
POST   /conversations/{id}/close            401 401 401 ok  nas 403 ro  ok  403 ok  401 401 403
GET    /resolution-codes                    401 401 401 ok  ok  ok  ok  ok  ok  ok  401 401 ok
POST   /resolution-codes                    401 401 401 403 403 403 403 403 403 ok  401 401 403
PUT    /resolution-codes/{id}               401 401 401 403 403 403 403 403 403 ok  401 401 403
GET    /widget-settings                     401 401 401 403 403 403 403 403 403 ok  401 401 403
PUT    /widget-settings                     401 401 401 403 403 403 403 403 403 ok  401 401 403
GET    /canned-responses                    401 401 401 ok  ok  ok  ok  ok  ok  ok  401 401 ok
POST   /canned-responses                    401 401 401 403 403 403 403 ok  403 ok  401 401 403
PUT    /canned-responses/{id}               401 401 401 403 403 403 403 ok  403 ok  401 401 403
DELETE /canned-responses/{id}               401 401 401 403 403 404 403 ok  404 ok  401 401 404
POST   /canned-responses/{id}/render        401 401 401 ok  ok  403 ok  ok  403 ok  401 401 403
GET    /widget/config                       ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
GET    /widget/conversations                tok ok  ok  tok tok tok tok tok tok tok tok tok tok
POST   /widget/conversations                ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
GET    /widget/conversations/{id}/events    tok ok  404 tok tok tok tok tok tok tok tok tok tok
POST   /widget/conversations/{id}/csat      tok ok  404 tok tok tok tok tok tok tok tok tok tok
POST   /rt/stream                           401 ok  ok  ok  ok  ok  ok  ok  ok  ok  401 401 ok
POST   /rt/frames                           401 ok  ok  ok  ok  ok  ok  ok  ok  ok  401 401 ok
"""

# Client frames on the chat, over ``/ws`` and over the fallback (``/api/v1/rt/stream`` for the
# subscriptions, ``/api/v1/rt/frames`` for the rest). "401" over ``/ws`` is the refused hello.
RT_TABLE = """
frame      ano vis vsx asg agt agx qa  sup spx adm out dea rem
subscribe  401 ok  404 ok  ok  403 ok  ok  403 ok  401 401 403
inbox      401 403 403 ok  ok  ok  ok  ok  ok  ok  401 401 ok
send       401 ok  404 ok  nas 403 ro  nas 403 nas 401 401 403
note       401 403 403 ok  ok  403 ok  ok  403 ok  401 401 403
typing     401 ok  404 ok  nas 403 ro  nas 403 nas 401 401 403
read       401 ok  404 ok  nas 403 ro  nas 403 nas 401 401 403
end        401 ok  404 ok  nas 403 ro  ok  403 ok  401 401 403
ping       401 ok  ok  ok  ok  ok  ok  ok  ok  ok  401 401 ok
"""

PRINCIPALS = tuple(REST_TABLE.strip().splitlines()[0].split()[1:])  # the header's
STAFF = ("asg", "agt", "agx", "qa", "sup", "spx", "adm", "rem")  # with a live session
OUTCOMES = {
    "401": (401, "unauthorized"),
    "tok": (401, "bad_token"),
    "403": (403, "forbidden"),
    "nas": (403, "not_assigned"),
    "ro": (403, "read_only"),
    "404": (404, "not_found"),
}
PASSWORD = "a-long-password"  # tests/clients.make_staff's


def parse_table(text: str, first: str) -> dict[str, dict[str, str]]:
    header, *rows = text.strip().splitlines()
    assert header.split() == [first, *PRINCIPALS], header
    parsed: dict[str, dict[str, str]] = {}
    for row in rows:
        words = row.split()
        key, cells = " ".join(words[: -len(PRINCIPALS)]), words[-len(PRINCIPALS) :]
        assert key not in parsed and all(c == "ok" or c in OUTCOMES for c in cells), row
        parsed[key] = dict(zip(PRINCIPALS, cells, strict=True))
    return parsed


REST = parse_table(REST_TABLE, "route")
RT = parse_table(RT_TABLE, "frame")


def route_key(method: str, path: str) -> str:
    """``POST /api/v1/conversations/{conversation_id}/end`` -> ``POST /conversations/{id}/end``."""
    return f"{method.upper()} " + re.sub(r"\{[^}]+\}", "{id}", path.removeprefix("/api/v1"))


@dataclass(frozen=True)
class Principal:
    name: str
    token: str = ""
    cookie: str = ""
    csrf: str = ""
    email: str = ""
    user_id: int = 0
    user_name: str = ""
    status: str = "offline"

    def headers(self, csrf: str | None = "") -> dict[str, str]:
        """Credentials for one request. ``csrf``: "" sends this session's CSRF token, None no
        token, anything else that token."""
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookie:
            headers["Cookie"] = self.cookie
            sent = self.csrf if csrf == "" else csrf
            if sent:
                headers["X-CSRF-Token"] = sent
        return headers


@dataclass(frozen=True)
class Answer:
    status: int
    code: str | None
    data: Any

    @classmethod
    def of(cls, r: httpx.Response) -> Answer:
        data: Any = r.text
        if r.content and r.headers.get("content-type", "").startswith("application/json"):
            data = r.json()
        code = data.get("code") if isinstance(data, dict) and r.status_code >= 400 else None
        return cls(r.status_code, code, data)

    def __str__(self) -> str:
        return f"{self.status} {self.code}" if self.code else str(self.status)


def verdict(expected: str, got: Answer, allowed: tuple[int, str] | None = None) -> str | None:
    """None when ``got`` is the ``expected`` outcome, else what went wrong."""
    if expected == "ok":
        passed = (got.status, got.code) == allowed if allowed else 200 <= got.status < 300
        want = f"allowed ({allowed[0]} {allowed[1]})" if allowed else "allowed (2xx)"
    else:
        passed = (got.status, got.code) == OUTCOMES[expected]
        want = "{} {}".format(*OUTCOMES[expected])
    if passed:
        return None
    alarm = "UNEXPECTED ALLOW: " if expected != "ok" and got.status < 300 else ""
    return f"{alarm}expected {want}, got {got}"


@dataclass
class World:
    """Everything the matrix acts on, built once per server (see :func:`build_world`)."""

    server: Server
    http: httpx.AsyncClient
    root: Principal
    principals: dict[str, Principal]
    paths: dict[str, tuple[str, str]]  # route key -> (method, path as served)
    team: int  # the chat's team: asg, agt, qa, sup (and out, and rem before the removal)
    other_team: int  # agx, spx, rem
    sink_team: int  # nobody: where transfers and the public "start a chat" calls go
    spare_user: int  # an agent of the sink team: the target of user changes and logins
    spare_email: str
    chat: int = 0  # vis's chat, active with asg
    offered: int = 0  # offered to asg, not yet accepted
    queued: int = 0  # waiting; nobody online may be offered it
    ended: int = 0  # vis's chat in wrap-up, not rated
    canned_team: int = 0  # a canned response of the team
    canned_global: int = 0
    resolution_code: str = "authz-test"
    keepers: list[WS] = field(default_factory=list)

    @property
    def assigned_agent(self) -> int:
        return self.principals["asg"].user_id

    async def request(
        self,
        method: str,
        path: str,
        who: Principal,
        *,
        body: Any = None,
        csrf: str | None = "",
        stream: bool = False,
    ) -> Answer:
        """One call with ``who``'s credentials and nothing else (no cookie jar between calls).
        A ``stream`` answer is not read past its status."""
        headers = who.headers(csrf)
        try:
            if stream:
                async with self.http.stream(method, path, json=body, headers=headers) as r:
                    if r.status_code == 200:
                        return Answer(200, None, None)
                    await r.aread()
            else:
                r = await self.http.request(method, path, json=body, headers=headers)
        finally:
            self.http.cookies.clear()
        return Answer.of(r)

    async def ok(
        self, method: str, path: str, who: Principal | None = None, body: Any = None
    ) -> Any:
        got = await self.request(method, path, who or self.root, body=body)
        assert 200 <= got.status < 300, f"{method} {path}: {got} {got.data}"
        return got.data

    async def conversation(self, conversation_id: int) -> dict[str, Any]:
        result: dict[str, Any] = await self.ok("GET", f"/api/v1/conversations/{conversation_id}")
        return result

    async def login(self, who: Principal) -> Principal:
        """A second session of ``who``'s user."""
        body = {"email": who.email, "password": PASSWORD}
        r = await self.http.post("/api/v1/auth/login", json=body)
        self.http.cookies.clear()
        assert r.status_code == 200, r.text
        cookie = f"helpline_session={r.cookies['helpline_session']}"
        return replace(who, cookie=cookie, csrf=r.json()["csrf_token"])

    async def start_chat(self, *, language: str, token: str = "") -> int:
        """A new chat in the team; "en" is offered to asg, "fr" to nobody (languages)."""
        who = Principal("starter", token=token)
        body = {"team_id": self.team, "language": language}
        started = await self.ok("POST", "/api/v1/widget/conversations", who, body)
        return int(started["conversation"]["id"])

    async def new_queued(self) -> int:
        return await self.start_chat(language="fr")

    async def new_active(self) -> int:
        """A chat of vis's, active with asg."""
        cid = await self.start_chat(language="fr", token=self.principals["vis"].token)
        await self.ok("POST", f"/api/v1/conversations/{cid}/pick", self.principals["asg"])
        return cid

    async def new_offer(self) -> int:
        cid = await self.start_chat(language="en")
        deadline = asyncio.get_running_loop().time() + 10
        while (chat := await self.conversation(cid))["state"] != "assigned":
            assert asyncio.get_running_loop().time() < deadline, f"never offered: {chat}"
            await asyncio.sleep(0.05)
        assert chat["agent_id"] == self.assigned_agent, chat
        return cid

    async def new_ended(self) -> int:
        cid = await self.new_active()
        await self.ok("POST", f"/api/v1/conversations/{cid}/end", self.principals["asg"])
        return cid

    async def new_visitor_chat(self) -> int:
        return await self.start_chat(language="fr", token=self.principals["vis"].token)

    async def new_canned(self, *, shared: bool = False) -> int:
        """A canned response of the team, or with ``shared`` one for every team."""
        body = canned_body(self, self.root) | ({"team_id": None} if shared else {})
        return int((await self.ok("POST", "/api/v1/canned-responses", self.root, body))["id"])

    async def post_frame(self, who: Principal, frame: Frame, csrf: str | None = "") -> Answer:
        return await self.request("POST", "/api/v1/rt/frames", who, body=frame, csrf=csrf)

    async def subscribe_over_stream(self, who: Principal, stream: str) -> Answer:
        """Open the fallback's event stream with one subscription; the answer carries the
        subscription's outcome frame (``subscribed``, ``reload`` or ``error``)."""
        body = {"v": 1, "subscribe": [{"stream": stream, "after": 0}]}
        try:
            async with (
                asyncio.timeout(10),
                self.http.stream(
                    "POST", "/api/v1/rt/stream", json=body, headers=who.headers()
                ) as r,
            ):
                if r.status_code != 200:
                    await r.aread()
                    return Answer.of(r)
                async for line in r.aiter_lines():
                    frame = json.loads(line[6:]) if line.startswith("data: ") else {}
                    if frame.get("type") in ("subscribed", "reload", "error"):
                        return Answer(200, frame.get("code"), frame)
        finally:
            self.http.cookies.clear()
        raise AssertionError("the stream ended before the subscription was answered")

    async def stay_online(self) -> None:
        """Keep the online staff's sockets alive, so presence never times them out."""
        while True:
            await asyncio.sleep(15)
            for ws in self.keepers:
                await ws.send({"type": "ping"})


# --- how each route is called --------------------------------------------------------------

Body = Callable[[World, Principal], Any]
Witness = Callable[[World, Any, Principal], Awaitable[Any]]


def canned_body(world: World, _who: Principal) -> dict[str, Any]:
    name = unique("authz")
    return {"team_id": world.team, "shortcut": name, "title": name, "body": "Hi {{customer.name}}"}


async def conversation_state(world: World, target: Any, _who: Principal) -> Any:
    return await world.conversation(target)


def listing(path: str) -> Witness:
    async def state(world: World, _target: Any, _who: Principal) -> Any:
        return await world.ok("GET", path)

    return state


HOURS_SEQUENCE = itertools.count()


def always_open_hours(_world: World, _who: Principal) -> dict[str, Any]:
    """Open around the clock, with a closed date far ahead that differs on every call, so a
    refused write would show."""
    closed = date(2100, 1, 1) + timedelta(days=next(HOURS_SEQUENCE))
    full_day = [{"start": "00:00", "end": "24:00"}]
    return {
        "hours": {
            "time_zone": "UTC",
            "week": {day: full_day for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
            "closed_dates": [closed.isoformat()],
        }
    }


async def team_hours(world: World, target: Any, _who: Principal) -> Any:
    return await world.ok("GET", f"/api/v1/teams/{target}/hours")


async def session_state(world: World, _target: Any, who: Principal) -> Any:
    return (await world.request("GET", "/api/v1/me", who)).status


@dataclass(frozen=True)
class Call:
    """How the matrix calls a route."""

    target: str | None = None  # the World attribute that fills the path's {id}
    body: Body | dict[str, Any] | None = None
    fresh: Callable[[World], Awaitable[int]] | None = None  # a new target for an allowed call
    witness: Witness | None = None  # what a refused call must leave as it was
    new_session: bool = False  # an allowed call uses a second session of the same user
    allowed: tuple[int, str] | None = None  # the answer past authorization, if not 2xx
    stream: bool = False

    def body_for(self, world: World, who: Principal) -> Any:
        return self.body(world, who) if callable(self.body) else self.body


CONVERSATION = Call(target="chat")
CALLS: dict[str, Call] = {
    "GET /healthz": Call(),
    "GET /readyz": Call(),
    "POST /auth/login": Call(body=lambda w, _p: {"email": w.spare_email, "password": PASSWORD}),
    "POST /auth/logout": Call(new_session=True, witness=session_state),
    # A wrong current password: past authorization, and nothing changes.
    "PUT /me/password": Call(
        body={"current": "not-the-password", "new": "Tr0ub4dor&3x-authz"},
        allowed=(422, "bad_credentials"),
    ),
    "GET /me": Call(),
    "PUT /me/status": Call(body=lambda _w, p: {"status": p.status}),
    "GET /users": Call(),
    "POST /users": Call(
        body=lambda w, _p: {
            "email": f"{unique('authz')}@example.com",
            "name": "New Member",
            "password": PASSWORD,
            "team_ids": [w.sink_team],
        },
        witness=listing("/api/v1/users"),
    ),
    "PATCH /users/{id}": Call(
        target="spare_user",
        body=lambda _w, _p: {"name": unique("Renamed")},
        witness=listing("/api/v1/users"),
    ),
    "GET /teams": Call(),
    "POST /teams": Call(
        body=lambda _w, _p: {"name": unique("team")}, witness=listing("/api/v1/teams")
    ),
    "PATCH /teams/{id}": Call(
        target="sink_team",
        body=lambda _w, _p: {"name": unique("team")},
        witness=listing("/api/v1/teams"),
    ),
    "GET /teams/{id}/queue": Call(target="team"),
    "GET /teams/{id}/hours": Call(target="team"),
    # The sink team stays open: an allowed write keeps it routable for the other calls.
    "PUT /teams/{id}/hours": Call(target="sink_team", body=always_open_hours, witness=team_hours),
    "GET /conversations": Call(),
    "GET /conversations/{id}": CONVERSATION,
    "GET /conversations/{id}/events": CONVERSATION,
    "GET /conversations/{id}/transcript": CONVERSATION,
    "GET /conversations/{id}/customer": CONVERSATION,
    "POST /conversations/{id}/accept": Call(
        target="offered", fresh=World.new_offer, witness=conversation_state
    ),
    "POST /conversations/{id}/pick": Call(
        target="queued", fresh=World.new_queued, witness=conversation_state
    ),
    "POST /conversations/{id}/transfer": Call(
        target="chat",
        body=lambda w, _p: {"team_id": w.sink_team, "note": "handing over"},
        fresh=World.new_active,
        witness=conversation_state,
    ),
    "GET /conversations/{id}/transfer-targets": CONVERSATION,
    "POST /conversations/{id}/end": Call(
        target="chat", fresh=World.new_active, witness=conversation_state
    ),
    "POST /conversations/{id}/close": Call(
        target="chat",
        body={"resolution_code": "resolved", "note": "done"},
        fresh=World.new_active,
        witness=conversation_state,
    ),
    "GET /resolution-codes": Call(),
    "POST /resolution-codes": Call(
        body=lambda _w, _p: {"code": unique("code"), "label": unique("Label")},
        witness=listing("/api/v1/resolution-codes"),
    ),
    "PUT /resolution-codes/{id}": Call(
        target="resolution_code",
        body=lambda w, _p: {"code": w.resolution_code, "label": unique("Label"), "active": False},
        witness=listing("/api/v1/resolution-codes"),
    ),
    "GET /canned-responses": Call(),
    "POST /canned-responses": Call(body=canned_body, witness=listing("/api/v1/canned-responses")),
    "PUT /canned-responses/{id}": Call(
        target="canned_team", body=canned_body, witness=listing("/api/v1/canned-responses")
    ),
    "DELETE /canned-responses/{id}": Call(
        target="canned_team",
        fresh=World.new_canned,
        witness=listing("/api/v1/canned-responses"),
    ),
    # A response for everyone, so the conversation alone decides.
    "POST /canned-responses/{id}/render": Call(
        target="canned_global", body=lambda w, _p: {"conversation_id": w.chat}
    ),
    "GET /widget-settings": Call(),
    # Today's look: an allowed write leaves the widget as the other tests expect it, and a
    # refused one would still show in ``updated_at`` and ``updated_by``.
    "PUT /widget-settings": Call(
        body=clients.WIDGET_DEFAULTS,
        witness=listing("/api/v1/widget-settings"),
    ),
    "GET /widget/config": Call(),
    "GET /widget/conversations": Call(),
    "POST /widget/conversations": Call(body=lambda w, _p: {"team_id": w.sink_team}),
    "GET /widget/conversations/{id}/events": CONVERSATION,
    "POST /widget/conversations/{id}/csat": Call(
        target="ended",
        body={"rating": 4, "comment": ""},
        fresh=World.new_ended,
        witness=conversation_state,
    ),
    "POST /rt/stream": Call(body={"v": 1, "subscribe": []}, stream=True),
    "POST /rt/frames": Call(body={"type": "ping"}),
}

# Lists must hold the target for exactly the principals who may read it.
SEES: dict[str, tuple[str, tuple[str, ...]]] = {
    "GET /conversations": ("chat", ("asg", "agt", "qa", "sup", "adm")),
    "GET /widget/conversations": ("chat", ("vis",)),
    "GET /canned-responses": ("canned_team", ("asg", "agt", "qa", "sup", "adm")),
    "GET /users": ("assigned_agent", ("asg", "agt", "qa", "sup", "adm")),
}

# Unsafe routes that take no session cookie, so need no CSRF token.
CSRF_EXEMPT = {
    "POST /auth/login": "starts a session; a browser has none to abuse yet",
    "POST /widget/conversations": "visitors: a token in a header, never a cookie",
    "POST /widget/conversations/{id}/csat": "visitors: a token in a header, never a cookie",
}


def fill(template: str, target: Any) -> str:
    return re.sub(r"\{[^}]+\}", str(target), template)


async def check_route(world: World, key: str, who: Principal, expected: str) -> str | None:
    """Call route ``key`` as ``who``; None when the outcome is ``expected`` and a refusal
    changed nothing, else what went wrong."""
    if key not in world.paths:
        return "the server has no such route (see test_every_route_is_in_the_matrix)"
    call = CALLS[key]
    method, template = world.paths[key]
    allowed = expected == "ok"
    target = getattr(world, call.target) if call.target else None
    if allowed and call.fresh is not None:
        target = await call.fresh(world)
    if allowed and call.new_session:
        who = await world.login(who)
    body = call.body_for(world, who)
    witness = None if allowed else call.witness
    before = await witness(world, target, who) if witness else None
    got = await world.request(method, fill(template, target), who, body=body, stream=call.stream)
    problem = verdict(expected, got, call.allowed)
    if problem is None and witness:
        after = await witness(world, target, who)
        if after != before:
            problem = f"refused ({got}) but changed {before!r} -> {after!r}"
    if problem is None and allowed and key in SEES:
        attribute, readers = SEES[key]
        seen = getattr(world, attribute) in {item["id"] for item in got.data}
        if seen != (who.name in readers):
            problem = f"the list {'shows' if seen else 'lacks'} {attribute}"
    return problem


# --- the world ------------------------------------------------------------------------------


async def build_world(server: Server, http: httpx.AsyncClient) -> World:
    root_client = await clients.admin(server)
    root = Principal("root", cookie=root_client.cookie, csrf=root_client.csrf)
    team = (await make_team(root_client, concurrency_cap=20, answer_timeout_s=600))["id"]
    other_team = (await make_team(root_client))["id"]
    sink_team = (await make_team(root_client))["id"]

    async def member(
        name: str, teams: list[int], role: str = "agent", *, languages: tuple[str, ...] = ()
    ) -> Principal:
        # Only those who must take chats by hand are online; their languages keep the router
        # offering the "en" chats to asg alone and the "fr" chats to nobody.
        online = name in ("asg", "agt", "sup", "adm")
        staff = await make_staff(
            root_client, team_ids=teams, role=role, online=online, languages=list(languages)
        )
        return Principal(
            name,
            cookie=staff.cookie,
            csrf=staff.csrf,
            email=staff.user["email"],
            user_id=staff.id,
            user_name=staff.user["name"],
            status="online" if online else "offline",
        )

    vis = await Visitor.start(server, team_id=team, language="fr")
    vsx = await Visitor.start(server, team_id=other_team, language="fr")
    people = [
        Principal("ano"),
        Principal("vis", token=vis.token),
        Principal("vsx", token=vsx.token),
        await member("asg", [team], languages=("en",)),
        await member("agt", [team], languages=("de",)),
        await member("agx", [other_team]),
        await member("qa", [team], "qa"),
        await member("sup", [team], "supervisor", languages=("de",)),
        await member("spx", [other_team], "supervisor"),
        await member("adm", [], "admin"),
        await member("out", [team], "supervisor"),
        await member("dea", [], "admin"),
        await member("rem", [team, other_team], "supervisor"),
    ]
    spare = await member("spare", [sink_team])
    principals = {p.name: p for p in people}
    openapi = (await http.get("/openapi.json")).json()
    world = World(
        server=server,
        http=http,
        root=root,
        principals=principals,
        paths={
            route_key(method, path): (method.upper(), path)
            for path, operations in openapi["paths"].items()
            for method in operations
        },
        team=team,
        other_team=other_team,
        sink_team=sink_team,
        spare_user=spare.user_id,
        spare_email=spare.email,
    )
    # Rights that shrank.
    await world.ok("POST", "/api/v1/auth/logout", principals["out"])
    await world.ok("PATCH", f"/api/v1/users/{principals['dea'].user_id}", body={"is_active": False})
    rem = f"/api/v1/users/{principals['rem'].user_id}"
    await world.ok("PATCH", rem, body={"team_ids": [other_team]})

    world.chat = vis.conversation_id
    await world.ok("POST", f"/api/v1/conversations/{world.chat}/pick", principals["asg"])
    world.offered = await world.new_offer()
    world.queued = await world.new_queued()
    world.ended = await world.new_ended()
    world.canned_team = await world.new_canned()
    world.canned_global = await world.new_canned(shared=True)
    for name in ("asg", "agt", "sup", "adm"):
        ws = await WS.connect(server, cookie=principals[name].cookie)
        clients.OPEN.remove(ws)  # lives as long as the module, not one test
        world.keepers.append(ws)
    return world


@pytest.fixture(scope="module")
async def world(server: Server) -> AsyncIterator[World]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=15) as http:
        built = await build_world(server, http)
        keeper = asyncio.create_task(built.stay_online())
        try:
            yield built
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            for ws in built.keepers:
                await ws.close()


# --- REST -----------------------------------------------------------------------------------


async def test_every_route_is_in_the_matrix(world: World) -> None:
    served, listed = set(world.paths), set(REST)
    assert not served - listed, (
        f"routes without a row in REST_TABLE (decide every principal's outcome and add a "
        f"Call): {sorted(served - listed)}"
    )
    assert not listed - served, f"rows for routes the server lacks: {sorted(listed - served)}"
    assert set(CALLS) == listed, sorted(set(CALLS) ^ listed)


@pytest.mark.parametrize("name", PRINCIPALS)
async def test_rest_routes(world: World, name: str) -> None:
    who = world.principals[name]
    failures = []
    for key, cells in REST.items():
        problem = await check_route(world, key, who, cells[name])
        if problem is not None:
            failures.append(f"{key} as {name}: {problem}")
    assert not failures, "\n".join(failures)


async def test_cookie_writes_need_the_csrf_token(world: World) -> None:
    """Every unsafe route that takes the session cookie refuses it without the session's CSRF
    token (none, or another session's), and changes nothing; asked of a principal who would
    otherwise be allowed."""
    failures = []
    for key, (method, template) in world.paths.items():
        if method == "GET" or key in CSRF_EXEMPT:
            continue
        call = CALLS[key]
        name = next((n for n in STAFF if REST[key][n] == "ok"), None)
        if name is None:
            failures.append(f"{key}: no staff may call it; if it takes no cookie, exempt it")
            continue
        who = world.principals[name]
        if call.new_session:
            who = await world.login(who)
        target = getattr(world, call.target) if call.target else None
        for csrf in (None, world.root.csrf):
            before = await call.witness(world, target, who) if call.witness else None
            body = call.body_for(world, who)
            got = await world.request(
                method, fill(template, target), who, body=body, csrf=csrf, stream=call.stream
            )
            label = "no token" if csrf is None else "another session's token"
            if (got.status, got.code) != (403, "csrf_failed"):
                failures.append(f"{key} as {name}, {label}: expected 403 csrf_failed, got {got}")
            elif call.witness and await call.witness(world, target, who) != before:
                failures.append(f"{key} as {name}, {label}: refused, but changed its target")
    assert not failures, "\n".join(failures)


async def test_pages_are_public_and_start_no_session(world: World) -> None:
    """The pages (web.py) and the API's description need no credentials and set none."""
    for path in [route.path for route in web.router.routes] + ["/openapi.json"]:
        r = await world.http.get(path)
        world.http.cookies.clear()
        # 503 is "web assets not built" (make web); 307 is "/" sending to the console.
        assert r.status_code in (200, 307, 503), (path, r.status_code)
        assert "set-cookie" not in r.headers, path


# --- real-time frames -----------------------------------------------------------------------

SUCCESS = {
    "subscribe": "subscribed",
    "inbox": "subscribed",
    "send": "ack",
    "note": "ack",
    "typing": "ok",
    "read": "ok",
    "end": "ok",
    "ping": "pong",
}
LIVE = ("event", "subscribed", "reload", "typing", "read", "queue")  # frames about a chat


def client_frame(kind: str, conversation_id: int) -> Frame:
    cid = conversation_id
    frames: dict[str, Frame] = {
        "subscribe": {"type": "subscribe", "stream": f"conversation:{cid}", "after": 0},
        "inbox": {"type": "subscribe", "stream": "inbox", "after": 0},
        "send": send(cid, unique("m"), "a message"),
        "note": {"type": "note", "conversation_id": cid, "client_id": unique("n"), "text": "a"},
        "typing": {"type": "typing", "conversation_id": cid, "active": True},
        "read": {"type": "read", "conversation_id": cid, "seq": 1},
        "end": {"type": "end", "conversation_id": cid},
        "ping": {"type": "ping"},
    }
    return frames[kind]


async def frame_target(world: World, kind: str, expected: str, who: Principal) -> int:
    """The chat, or for an allowed ``end`` a fresh one (a visitor's own, or one asg holds)."""
    if kind != "end" or expected != "ok":
        return world.chat
    return await (world.new_visitor_chat() if who.token else world.new_active())


def frame_verdict(kind: str, expected: str, reply: Frame) -> str | None:
    if expected == "ok":
        passed, want = reply.get("type") == SUCCESS[kind], SUCCESS[kind]
    else:
        code = OUTCOMES[expected][1]
        passed, want = reply.get("type") == "error" and reply.get("code") == code, code
    if passed:
        return None
    alarm = "UNEXPECTED ALLOW: " if expected != "ok" and reply.get("type") != "error" else ""
    return f"{alarm}expected {want}, got {reply}"


WRITES = ("send", "note", "read", "end")  # the frames that change what is stored


async def chat_state(world: World, kind: str) -> dict[str, Any] | None:
    """The chat as stored, before a frame that could change it."""
    return await world.conversation(world.chat) if kind in WRITES else None


async def check_stored(
    world: World, kind: str, expected: str, before: dict[str, Any] | None, frame: Frame
) -> str | None:
    """None when the frame left the chat as it should: refused, unchanged; an allowed message
    or note, stored."""
    if before is None:
        return None
    if expected != "ok":
        after = await world.conversation(world.chat)
        return None if after == before else f"refused, but the chat changed: {before} -> {after}"
    if kind in ("send", "note"):
        path = f"/api/v1/conversations/{world.chat}/events?after={before['last_seq']}"
        events = (await world.ok("GET", path))["events"]
        if frame["client_id"] not in {e.get("client_id") for e in events}:
            return "acknowledged, but not stored"
    return None


async def over_ws(ws: WS, frame: Frame) -> Frame:
    """The reply to ``frame``. A typing notice has none when it succeeds: a ping follows it,
    and ``{"type": "ok"}`` stands for the silence before the pong."""
    if frame["type"] != "typing":
        return await ws.request(frame)
    ref = unique("typing")
    await ws.send({**frame, "ref": ref})
    await ws.request({"type": "ping"})
    return next((f for f in ws.frames if f.get("ref") == ref), {"type": "ok"})


async def settle(world: World, watcher: WS, ws: WS | None = None) -> None:
    """Wait until everything published so far has reached ``watcher`` and ``ws``. Deliveries
    to one connection keep their order, so once the watcher's own message is back, nothing
    published before it is still on the way; a ping then flushes ``ws`` the same way."""
    client_id = unique("settle")
    await watcher.request(send(world.chat, client_id, "settle"))
    await watcher.wait_event(
        f"conversation:{world.chat}", lambda e: e.get("client_id") == client_id
    )
    if ws is not None:
        await ws.request({"type": "ping"})


def reached_the_visitor(watcher: WS, who: Principal, row: dict[str, str]) -> list[str]:
    """Staff typing and read receipts reach the visitor only from those allowed to send them."""
    problems = []
    typers = {f.get("name") for f in watcher.frames if f["type"] == "typing" and f["by"] == "agent"}
    may_type = {who.user_name} if who.cookie and row["typing"] == "ok" else set()
    if typers != may_type:
        problems.append(f"the visitor saw staff typing from {typers}, expected {may_type}")
    reads = [f for f in watcher.frames if f["type"] == "read" and f["by"] == "agent"]
    if reads and row["read"] != "ok":
        problems.append(f"the visitor was told of refused read receipts: {reads}")
    return problems


@pytest.mark.parametrize("name", PRINCIPALS)
async def test_websocket_frames(world: World, name: str) -> None:
    """Each frame over ``/ws``; refusals store nothing, and a socket refused the chat's stream
    receives nothing of it."""
    who = world.principals[name]
    row = {kind: cells[name] for kind, cells in RT.items()}
    ws = await WS.connect(world.server, token=who.token or None, cookie=who.cookie or None)
    if row["ping"] == "401":
        assert set(row.values()) == {"401"}, "a refused hello refuses every frame"
        assert ws.frames[0]["type"] == "error" and ws.frames[0]["code"] == "unauthorized"
        await asyncio.wait_for(ws.closed.wait(), 5)
        assert ws.ws.close_code == 4401
        return
    assert ws.frames[0]["type"] == "welcome", ws.frames[0]
    watcher = await WS.connect(world.server, token=world.principals["vis"].token)
    await watcher.subscribe(f"conversation:{world.chat}")
    failures = []
    for kind, expected in row.items():
        frame = client_frame(kind, await frame_target(world, kind, expected, who))
        before = await chat_state(world, kind)
        problem = frame_verdict(kind, expected, await over_ws(ws, frame))
        problem = problem or await check_stored(world, kind, expected, before, frame)
        if problem:
            failures.append(f"{kind} over /ws as {name}: {problem}")
    await settle(world, watcher, ws)
    if row["subscribe"] != "ok":
        stream = f"conversation:{world.chat}"
        leaked = [
            f
            for f in ws.frames
            if f["type"] in LIVE
            and (f.get("stream") == stream or f.get("conversation_id") == world.chat)
        ]
        if leaked:
            failures.append(f"/ws as {name} received a chat it may not read: {leaked}")
    failures += [f"/ws as {name}: {p}" for p in reached_the_visitor(watcher, who, row)]
    assert not failures, "\n".join(failures)


STREAMED = ("subscribe", "inbox")  # over the fallback, asked for on the stream request


def fallback_status(kind: str, expected: str) -> int:
    """The HTTP status of a fallback answer: a refused subscription is an error frame on a
    stream that opened, unless the request itself was refused."""
    if expected == "ok" or (kind in STREAMED and expected != "401"):
        return 200
    return OUTCOMES[expected][0]


@pytest.mark.parametrize("name", PRINCIPALS)
async def test_fallback_frames(world: World, name: str) -> None:
    """The same frames over ``/api/v1/rt/stream`` and ``/api/v1/rt/frames``, with the error's
    HTTP status; a staff frame without the CSRF token is refused first and changes nothing."""
    who = world.principals[name]
    row = {kind: cells[name] for kind, cells in RT.items()}
    watcher = await WS.connect(world.server, token=world.principals["vis"].token)
    await watcher.subscribe(f"conversation:{world.chat}")
    failures = []
    if row["ping"] != "401":
        got = await world.post_frame(who, client_frame("subscribe", world.chat))
        if (got.status, got.code) != (400, "use_stream"):
            failures.append(f"subscribe over /rt/frames as {name}: got {got}")
    for kind, expected in row.items():
        frame = client_frame(kind, await frame_target(world, kind, expected, who))
        before = await chat_state(world, kind)
        if kind in STREAMED:
            got = await world.subscribe_over_stream(who, frame["stream"])
        else:
            if who.cookie and expected != "401":
                bare = await world.post_frame(who, frame, csrf=None)
                if (bare.status, bare.code) != (403, "csrf_failed"):
                    failures.append(f"{kind} without a CSRF token as {name}: got {bare}")
                elif before is not None and await world.conversation(world.chat) != before:
                    failures.append(f"{kind} without a CSRF token as {name}: the chat changed")
            got = await world.post_frame(who, frame)
        reply = got.data if isinstance(got.data, dict) else {}
        reply = reply if "type" in reply else {"type": "error", **reply}  # a refused request
        status = fallback_status(kind, expected)
        problem = frame_verdict(kind, expected, reply)
        if problem is None and got.status != status:
            problem = f"HTTP {got.status}, expected {status}"
        problem = problem or await check_stored(world, kind, expected, before, frame)
        if problem:
            failures.append(f"{kind} over the fallback as {name}: {problem}")
    await settle(world, watcher)
    failures += [f"fallback as {name}: {p}" for p in reached_the_visitor(watcher, who, row)]
    assert not failures, "\n".join(failures)
