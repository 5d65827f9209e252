"""Chats longer than the server replays (1000 events): clients read the rest over REST, once.

The server answers a subscribe that is more than 1000 events behind with ``reload``; the
widget and the console subscribe from 0 on every page load, so a long chat gets ``reload``
at once. They must read the history page by page and resume from the newest event, not
resubscribe from 0 (and get ``reload`` again) forever.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.servers import Server
from tests.web.helpers import (
    PASSWORD,
    Api,
    agent_console,
    make_team,
    new_page,
    visitor_send,
    visitor_start,
)

COUNT = 1105  # more than the replay limit, and six REST pages of 200


def record_frames(page: Page) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda payload: frames.append(json.loads(payload))),
    )
    return frames


def reloads(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in frames if f["type"] == "reload"]


def test_the_widget_reads_a_long_history_over_rest_and_resumes(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    make_team(web, "longwidget")
    token, cid = visitor_start(web, name="Rhea", topic="longwidget")
    visitor_send(web, token, cid, [f"bulk {i}" for i in range(1, COUNT + 1)])
    page = new_page(browser, contexts, viewport={"width": 1280, "height": 800})
    saved = json.dumps({"token": token, "conversationId": cid})
    page.add_init_script(
        f"if (location.pathname === '/widget') localStorage.setItem('helpline.visitor', {saved!r})"
    )
    frames = record_frames(page)
    page.goto(f"{web.base_url}/demo")
    widget = page.frame_locator("iframe[data-helpline]")
    widget.get_by_role("button", name="Open chat").click()
    expect(widget.get_by_text(f"bulk {COUNT}", exact=True)).to_be_visible(timeout=20000)
    expect(widget.locator("li.msg")).to_have_count(COUNT)
    expect(widget.get_by_text("bulk 1", exact=True)).to_have_count(1)
    page.wait_for_timeout(1000)
    assert len(reloads(frames)) == 1, reloads(frames)
    subscribed = [f for f in frames if f["type"] == "subscribed"]
    assert subscribed and subscribed[-1]["last_seq"] >= COUNT, subscribed

    visitor_send(web, token, cid, ["after the catch-up"])
    expect(widget.get_by_text("after the catch-up")).to_be_visible()
    expect(widget.locator("li.msg")).to_have_count(COUNT + 1)
    assert len(reloads(frames)) == 1


def test_the_console_reads_a_long_history_over_rest_and_resumes(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    _, emails = make_team(web, "longconsole")
    agent = Api(web, emails[0], PASSWORD)
    agent.status("online")
    token, cid = visitor_start(web, name="Remo", topic="longconsole")
    deadline = time.monotonic() + 15
    while agent.call("GET", f"/conversations/{cid}")["state"] != "assigned":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    agent.call("POST", f"/conversations/{cid}/accept")
    visitor_send(web, token, cid, [f"bulk {i}" for i in range(1, COUNT + 1)])

    page = new_page(browser, contexts, viewport={"width": 1280, "height": 800})
    frames = record_frames(page)
    agent_console(web, page, emails[0], online=False)
    pane = page.get_by_role("region", name=re.compile("with Remo"))
    expect(pane.get_by_text(f"bulk {COUNT}", exact=True)).to_be_visible(timeout=20000)
    expect(pane.locator("li.msg")).to_have_count(COUNT)
    expect(pane.get_by_text("bulk 1", exact=True)).to_have_count(1)
    page.wait_for_timeout(1000)
    assert len(reloads(frames)) == 1, reloads(frames)

    visitor_send(web, token, cid, ["after the catch-up"])
    expect(pane.get_by_text("after the catch-up")).to_be_visible()
    expect(pane.locator("li.msg")).to_have_count(COUNT + 1)
    assert len(reloads(frames)) == 1
