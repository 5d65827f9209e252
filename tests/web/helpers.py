"""Helpers shared by the browser tests: set-up through the API, pages, layout and axe checks."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, BrowserContext, Frame, FrameLocator, Locator, Page, expect
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.servers import ADMIN_EMAIL, ADMIN_PASSWORD, Server

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
PASSWORD = "a-long-password"
AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path("/tmp/shots")
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}


OPEN: list[httpx.Client] = []


def close_apis() -> None:
    while OPEN:
        OPEN.pop().close()


class Api:
    """A staff member's REST session (cookie and CSRF token), for setting tests up."""

    def __init__(self, web: Server, email: str, password: str) -> None:
        self.http = httpx.Client(base_url=web.base_url + "/api/v1", timeout=10)
        OPEN.append(self.http)
        r = self.http.post("/auth/login", json={"email": email, "password": password})
        r.raise_for_status()
        self.me = r.json()
        self.http.headers["X-CSRF-Token"] = self.me["csrf_token"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        r = self.http.request(method, path, json=body)
        r.raise_for_status()
        return None if r.status_code == 204 else r.json()

    def status(self, status: str) -> None:
        self.call("PUT", "/me/status", {"status": status})


def admin(web: Server) -> Api:
    return Api(web, ADMIN_EMAIL, ADMIN_PASSWORD)


def make_team(
    web: Server, tag: str, agents: list[str] | None = None, **fields: Any
) -> tuple[int, list[str]]:
    """A team handling topic ``tag`` and its agents (by name); returns the team id and emails."""
    root = admin(web)
    team = root.call("POST", "/teams", {"name": f"Team {tag}", "skills": [tag], **fields})
    emails = []
    for name in agents or [f"Agent {tag}"]:
        email = f"{name.lower().replace(' ', '.')}.{tag}@example.com"
        root.call(
            "POST",
            "/users",
            {
                "email": email,
                "name": name,
                "password": PASSWORD,
                "team_ids": [team["id"]],
                "skills": [tag],
            },
        )
        emails.append(email)
    return team["id"], emails


def setup_team(web: Server, page: Page, tag: str) -> str:
    """A team handling topic ``tag`` and one agent in it; returns the agent's email."""
    return make_team(web, tag)[1][0]


def new_page(browser: Browser, contexts: list[BrowserContext], **kw: Any) -> Page:
    ctx = browser.new_context(**kw)
    contexts.append(ctx)
    return ctx.new_page()


def agent_console(web: Server, page: Page, email: str, *, online: bool = True) -> Page:
    page.goto(f"{web.base_url}/console")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if online:
        page.get_by_label("Your status").select_option("online")
        expect(page.get_by_text("Waiting for chats…")).to_be_visible()
    return page


def open_widget(web: Server, page: Page) -> FrameLocator:
    page.goto(f"{web.base_url}/demo")
    widget = page.frame_locator("iframe[data-helpline]")
    widget.get_by_role("button", name="Open chat").click()
    return widget


def start_chat(web: Server, page: Page, *, name: str, topic: str, message: str) -> FrameLocator:
    widget = open_widget(web, page)
    widget.get_by_label("Name").fill(name)
    widget.get_by_label("Email").fill("visitor@example.com")
    widget.get_by_label("Topic").select_option(topic)
    widget.get_by_label("How can we help? (optional)").fill(message)
    widget.get_by_role("button", name="Start chat").click()
    # exact: other tests' topics ("History1", "Switching") contain a short message like "Hi"
    expect(widget.get_by_text(message, exact=True)).to_be_visible()
    return widget


def widget_frame(page: Page) -> Frame:
    return next(f for f in page.frames if f.url.endswith("/widget"))


def reply(pane: Page | Locator, text: str) -> None:
    box = pane.get_by_label("Reply")
    box.fill(text)
    box.press("Enter")


def visitor_start(web: Server, *, name: str, topic: str) -> tuple[str, int]:
    """A chat started over REST, as the widget does; returns the visitor token and chat id."""
    r = httpx.post(
        f"{web.base_url}/api/v1/widget/conversations",
        json={"name": name, "email": "v@example.com", "topic": topic},
    )
    r.raise_for_status()
    return r.json()["visitor_token"], r.json()["conversation"]["id"]


def visitor_send(web: Server, token: str, conversation_id: int, texts: list[str]) -> None:
    """Send messages as the visitor over one WebSocket and wait for every ack."""
    with connect(web.ws_url, origin=Origin(web.base_url), max_size=2**22) as ws:
        ws.send(json.dumps({"type": "hello", "v": 1, "token": token}))
        assert json.loads(ws.recv(10))["type"] == "welcome"
        batch = secrets.token_hex(4)
        for i, text in enumerate(texts):
            client_id = f"{batch}-{i}"
            frame = {"type": "send", "conversation_id": conversation_id, "client_id": client_id}
            ws.send(json.dumps(frame | {"text": text}))
        acks = 0
        while acks < len(texts):
            frame = json.loads(ws.recv(30))
            assert frame["type"] != "error", frame
            acks += frame["type"] == "ack"


def box_of(target: Locator) -> dict[str, float]:
    box = target.bounding_box()
    assert box is not None, f"{target} is not rendered"
    return box  # type: ignore[return-value]


def assert_inside(inner: dict[str, float], outer: dict[str, float], what: str) -> None:
    """``inner`` lies within ``outer`` (half a pixel of rounding allowed)."""
    ok = (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )
    assert ok, f"{what} {inner} is not inside {outer}"


def viewport_box(page: Page) -> dict[str, float]:
    size = page.viewport_size
    assert size is not None
    return {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}


def axe_violations(
    frame: Page | Frame, impacts: tuple[str, ...] = ("moderate", "serious", "critical")
) -> list[dict[str, Any]]:
    """Run axe-core in ``frame`` (its context needs ``bypass_csp=True``); its findings."""
    if not frame.evaluate("typeof window.axe !== 'undefined'"):
        frame.add_script_tag(path=str(AXE))
    result = frame.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => "
        "({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.html)})))"
    )
    return [v for v in result if v["impact"] in impacts]


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def assert_fits_width(page: Page) -> None:
    """Nothing on the page (a long word, a wide table) makes it scroll sideways."""
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"the page is {width}px wide in a {viewport}px window"


def assert_words_whole(target: Locator) -> None:
    """No word of ``target``'s text is split over two lines (a word that fits is never broken)."""
    broken = target.evaluate(
        """el => {
          const out = [];
          const nodes = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
          for (let node = nodes.nextNode(); node; node = nodes.nextNode()) {
            for (const m of node.data.matchAll(/\\S+/g)) {
              const r = document.createRange();
              r.setStart(node, m.index);
              r.setEnd(node, m.index + m[0].length);
              const tops = new Set([...r.getClientRects()].map(b => Math.round(b.top)));
              if (tops.size > 1) out.push(m[0]);
            }
          }
          return out;
        }"""
    )
    assert broken == [], f"words split over lines: {broken}"
