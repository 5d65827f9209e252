"""A Hypothesis state machine against a live server.

Steps: visitor send / resend, agent send, either side disconnecting and resuming (WebSocket, or
the HTTP fallback while disconnected), transfer to the other agent, close. After every step each
party's view must be gapless and duplicate-free; at the end it must equal the database's history.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.servers import ADMIN_EMAIL, ADMIN_PASSWORD, Server

_ids = itertools.count(1)
TEXT = st.text(alphabet="abcdefgh xyz0123456789<>&\"'", min_size=1, max_size=40).filter(
    lambda t: t.strip() != ""
)


class View:
    """Everything one party has received on one conversation stream, checked as it arrives."""

    def __init__(self, stream: str) -> None:
        self.stream = stream
        self.events: dict[int, dict[str, Any]] = {}
        self.last = 0
        self.violations: list[str] = []
        self.lock = threading.Lock()

    def feed(self, frame: dict[str, Any]) -> None:
        if frame.get("type") != "event" or frame.get("stream") != self.stream:
            return
        seq = frame["event"]["seq"]
        with self.lock:
            if seq in self.events:
                self.violations.append(f"duplicate seq {seq}")
            elif seq != self.last + 1:
                self.violations.append(f"gap: got {seq} after {self.last}")
            self.events[seq] = frame["event"]
            self.last = max(self.last, seq)


class Socket:
    def __init__(
        self, url: str, view: View, *, token: str | None = None, cookie: str | None = None
    ) -> None:
        self.view = view
        self.frames: list[dict[str, Any]] = []
        self._stack = contextlib.ExitStack()
        headers = {"Cookie": cookie} if cookie else {}
        self.ws: ClientConnection = self._stack.enter_context(
            connect(url, additional_headers=headers)
        )
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        try:
            hello: dict[str, Any] = {"type": "hello", "v": 1}
            if token:
                hello["token"] = token
            self.ws.send(json.dumps(hello))
            self.wait(lambda f: f["type"] == "welcome")
            reply = self.request({"type": "subscribe", "stream": view.stream, "after": view.last})
            assert reply["type"] == "subscribed", reply
        except BaseException:
            self._stack.close()  # a failed handshake must not leave the socket to the collector
            raise

    def _read(self) -> None:
        try:
            for raw in self.ws:
                frame = json.loads(raw)
                self.view.feed(frame)
                self.frames.append(frame)
        except ConnectionClosed:
            pass

    def wait(self, pred: Any, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for frame in list(self.frames):
                if pred(frame):
                    return frame
            time.sleep(0.005)
        raise AssertionError(f"timed out; got {self.frames[-3:]}")

    def request(self, frame: dict[str, Any]) -> dict[str, Any]:
        ref = f"r{next(_ids)}"
        self.ws.send(json.dumps({**frame, "ref": ref}))
        return self.wait(lambda f: f.get("ref") == ref)

    def close(self) -> None:
        self._stack.close()
        self.thread.join(5)


class ChatMachine(RuleBasedStateMachine):
    server: Server

    def __init__(self) -> None:
        super().__init__()
        base = self.server.base_url
        self.http: list[httpx.Client] = []
        self.root = self._login(ADMIN_EMAIL, ADMIN_PASSWORD)
        team = self._ok(
            self.root,
            "POST",
            "/api/v1/teams",
            json={"name": f"sm-{next(_ids)}-{time.time()}", "answer_timeout_s": 600},
        )
        self.agents = []
        for i in range(2):
            email = f"sm-{next(_ids)}-{time.time()}@example.com"
            self._ok(
                self.root,
                "POST",
                "/api/v1/users",
                json={
                    "email": email,
                    "name": f"Agent {i}",
                    "password": "a-long-password",
                    "team_ids": [team["id"]],
                },
            )
            self.agents.append(self._login(email, "a-long-password"))
        self._ok(self.agents[0], "PUT", "/api/v1/me/status", json={"status": "online"})
        started = httpx.post(
            base + "/api/v1/widget/conversations", json={"team_id": team["id"], "name": "Sam"}
        ).json()
        self.cid = started["conversation"]["id"]
        self.token = started["visitor_token"]
        self.visitor_http = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {self.token}"}
        )
        self.http.append(self.visitor_http)
        self._wait_state("assigned")
        self._ok(self.agents[0], "POST", f"/api/v1/conversations/{self.cid}/accept")
        self._ok(self.agents[1], "PUT", "/api/v1/me/status", json={"status": "online"})
        self.current = 0
        self.stream = f"conversation:{self.cid}"
        self.visitor_view, self.agent_view = View(self.stream), View(self.stream)
        self.visitor: Socket | None = Socket(
            self.server.ws_url, self.visitor_view, token=self.token
        )
        self.agent: Socket | None = self._agent_socket()
        self.acked: dict[str, int] = {}
        self.closed = False

    # --- helpers ---------------------------------------------------------------------------

    def _login(self, email: str, password: str) -> httpx.Client:
        client = httpx.Client(base_url=self.server.base_url, timeout=15)
        self.http.append(client)
        r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return client

    @staticmethod
    def _ok(client: httpx.Client, method: str, path: str, **kw: Any) -> Any:
        r = client.request(method, path, **kw)
        assert r.status_code < 300, r.text
        return r.json() if r.content else None

    def _wait_state(self, state: str) -> None:
        for _ in range(200):
            if self._ok(self.root, "GET", f"/api/v1/conversations/{self.cid}")["state"] == state:
                return
            time.sleep(0.05)
        raise AssertionError(f"conversation never reached {state}")

    def _agent_socket(self) -> Socket:
        client = self.agents[self.current]
        cookie = f"helpline_session={client.cookies['helpline_session']}"
        return Socket(self.server.ws_url, self.agent_view, cookie=cookie)

    def _send(self, who: str, text: str, client_id: str) -> dict[str, Any]:
        frame = {"type": "send", "conversation_id": self.cid, "client_id": client_id, "text": text}
        sock = self.visitor if who == "visitor" else self.agent
        if sock is not None:
            return sock.request(frame)
        client = self.visitor_http if who == "visitor" else self.agents[self.current]
        return client.post("/api/v1/rt/frames", content=json.dumps(frame)).json()

    # --- rules -----------------------------------------------------------------------------

    @rule(text=TEXT)
    def visitor_sends(self, text: str) -> None:
        client_id = f"v{next(_ids)}"
        reply = self._send("visitor", text, client_id)
        if self.closed:
            assert reply["code"] == "wrong_state"
            return
        assert reply["type"] == "ack" and reply["duplicate"] is False, reply
        self.acked[client_id] = reply["seq"]

    @precondition(lambda self: self.acked)
    @rule(data=st.data())
    def visitor_resends(self, data: st.DataObject) -> None:
        client_id = data.draw(st.sampled_from(sorted(self.acked)))
        reply = self._send("visitor", "resent text", client_id)
        assert (
            reply["type"] == "ack"
            and reply["duplicate"] is True
            and reply["seq"] == self.acked[client_id]
        ), reply

    @rule(text=TEXT)
    def agent_sends(self, text: str) -> None:
        reply = self._send("agent", text, f"a{next(_ids)}")
        assert reply["type"] == ("error" if self.closed else "ack"), reply

    @precondition(lambda self: self.visitor is not None)
    @rule()
    def visitor_disconnects(self) -> None:
        assert self.visitor is not None
        self.visitor.close()
        self.visitor = None

    @precondition(lambda self: self.visitor is None)
    @rule()
    def visitor_resumes(self) -> None:
        self.visitor = Socket(self.server.ws_url, self.visitor_view, token=self.token)

    @precondition(lambda self: self.agent is not None)
    @rule()
    def agent_disconnects(self) -> None:
        assert self.agent is not None
        self.agent.close()
        self.agent = None

    @precondition(lambda self: self.agent is None)
    @rule()
    def agent_resumes(self) -> None:
        self.agent = self._agent_socket()

    @precondition(lambda self: not self.closed)
    @rule()
    def transfer(self) -> None:
        target = 1 - self.current
        target_id = self._ok(self.agents[target], "GET", "/api/v1/me")["user"]["id"]
        self._ok(
            self.agents[self.current],
            "POST",
            f"/api/v1/conversations/{self.cid}/transfer",
            json={"agent_id": target_id, "note": "over to you"},
        )
        self._ok(self.agents[target], "POST", f"/api/v1/conversations/{self.cid}/accept")
        if self.agent is not None:
            self.agent.close()
        self.current = target
        self.agent = self._agent_socket()

    @precondition(lambda self: not self.closed)
    @rule()
    def close_chat(self) -> None:
        self._ok(
            self.agents[self.current],
            "POST",
            f"/api/v1/conversations/{self.cid}/close",
            json={"resolution_code": "resolved"},
        )
        self.closed = True

    @invariant()
    def views_are_gapless_and_unique(self) -> None:
        assert self.visitor_view.violations == []
        assert self.agent_view.violations == []
        assert all(
            e["type"] != "note" and e.get("public_seq", None) is None
            for e in self.visitor_view.events.values()
        )

    def teardown(self) -> None:
        try:
            if getattr(self, "visitor", None) is None and hasattr(self, "visitor_view"):
                self.visitor = Socket(self.server.ws_url, self.visitor_view, token=self.token)
            if getattr(self, "agent", None) is None and hasattr(self, "agent_view"):
                self.agent = self._agent_socket()
            if hasattr(self, "visitor_view"):
                self._check_against_database()
        finally:
            for sock in (getattr(self, "visitor", None), getattr(self, "agent", None)):
                if sock is not None:
                    sock.close()
            for client in self.http:
                client.close()

    def _check_against_database(self) -> None:
        staff = self._ok(self.root, "GET", f"/api/v1/conversations/{self.cid}/events")
        public = self.visitor_http.get(f"/api/v1/widget/conversations/{self.cid}/events").json()
        for view, history in ((self.agent_view, staff), (self.visitor_view, public)):
            deadline = time.monotonic() + 10
            while view.last < history["last_seq"] and time.monotonic() < deadline:
                time.sleep(0.01)
            assert view.violations == []
            assert [view.events[s] for s in sorted(view.events)] == history["events"]
        visitor_messages = [
            e
            for e in public["events"]
            if e["type"] == "message" and e["sender"]["kind"] == "visitor"
        ]
        assert sorted(e["client_id"] for e in visitor_messages) == sorted(self.acked), (
            "every ack is stored, once"
        )


def test_chat_state_machine(server: Server) -> None:
    ChatMachine.server = server
    run_state_machine_as_test(
        ChatMachine,
        settings=settings(
            max_examples=6,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


@pytest.fixture(autouse=True)
def _no_async_clients() -> None:
    """This module drives the server with blocking clients; nothing async to close."""
