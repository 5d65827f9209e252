"""Chats longer than the server replays (1000 events): clients read the rest over REST, once.

The server answers a subscribe that is more than 1000 events behind with ``reload``; the
widget and the console subscribe to a chat from 0 on every page load, so a long chat gets
``reload`` at once. They must read the history page by page and resume from the newest event,
not resubscribe from 0 (and get ``reload`` again) forever.

The agent's inbox is not replayed at all: the console reads the open chats over REST and
follows the inbox from where ``/me`` says it stands.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.servers import Server, start_server
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


def record_sent(page: Page) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framesent", lambda payload: frames.append(json.loads(payload))),
    )
    return frames


def reloads(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in frames if f["type"] == "reload"]


def wait_for_state(api: Api, conversation_id: int, state: str) -> None:
    deadline = time.monotonic() + 15
    while api.call("GET", f"/conversations/{conversation_id}")["state"] != state:
        assert time.monotonic() < deadline, f"chat {conversation_id} never became {state}"
        time.sleep(0.1)


SMALL_REPLAY = 40


@pytest.fixture(scope="module")
def small_replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that replays at most SMALL_REPLAY events, so a long inbox is cheap to make."""
    workdir = tmp_path_factory.mktemp("small-replay")
    # start_server migrates with asyncio.run, which cannot run on this thread once Playwright's
    # event loop runs here.
    with ThreadPoolExecutor(1) as pool:
        srv = pool.submit(
            start_server,
            f"sqlite+aiosqlite:///{workdir}/helpline.db",
            workdir,
            {"HELPLINE_REPLAY_LIMIT": str(SMALL_REPLAY)},
        ).result()
    yield srv
    srv.stop()


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


def test_the_console_follows_the_inbox_from_now_and_reads_the_chats_over_rest(
    small_replay: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    web = small_replay
    _, emails = make_team(web, "inbox")
    agent = Api(web, emails[0], PASSWORD)
    agent.status("online")
    token, cid = visitor_start(web, name="Ines", topic="inbox")
    wait_for_state(agent, cid, "assigned")
    agent.call("POST", f"/conversations/{cid}/accept")
    visitor_send(web, token, cid, ["Hello from before the page load"])
    for _ in range(3 * SMALL_REPLAY):  # an inbox far longer than the server replays
        agent.status("away")
    before = agent.call("GET", "/me")["inbox_last_seq"]
    assert before > 3 * SMALL_REPLAY

    page = new_page(browser, contexts, viewport={"width": 1280, "height": 800})
    received = record_frames(page)
    sent = record_sent(page)
    agent_console(web, page, emails[0], online=False)
    pane = page.get_by_role("region", name=re.compile("with Ines"))
    expect(pane.get_by_text("Hello from before the page load")).to_be_visible()
    expect(page.get_by_label("Your status")).to_have_value("away")
    subscribed = [f for f in received if f["type"] == "subscribed" and f["stream"] == "inbox"]
    expect(page.get_by_role("complementary", name="My chats").get_by_role("button")).to_have_count(
        1
    )
    inbox = [f for f in sent if f["type"] == "subscribe" and f["stream"] == "inbox"]
    assert [f["after"] for f in inbox] == [before], inbox
    deadline = time.monotonic() + 10
    while not subscribed:
        assert time.monotonic() < deadline, "the inbox was never subscribed"
        page.wait_for_timeout(100)
        subscribed = [f for f in received if f["type"] == "subscribed" and f["stream"] == "inbox"]
    assert subscribed[0]["replayed"] == 0, subscribed
    assert reloads(received) == []

    # A new chat is offered live, on the inbox followed from `before`.
    page.get_by_label("Your status").select_option("online")
    second_token, second = visitor_start(web, name="Jon", topic="inbox")
    visitor_send(web, second_token, second, ["I am new here"])
    offer = page.get_by_role("region", name=re.compile("with Jon"))
    expect(offer.get_by_role("button", name="Accept")).to_be_visible()
    expect(offer.get_by_text("I am new here")).to_be_visible()
    offered = [
        f["event"]
        for f in received
        if f["type"] == "event"
        and f["stream"] == "inbox"
        and f["event"]["type"] == "conversation.offered"
    ]
    assert [e["conversation"]["conversation_id"] for e in offered] == [second]
    assert all(
        f["event"]["seq"] > before
        for f in received
        if f["type"] == "event" and f["stream"] == "inbox"
    )
    assert reloads(received) == []
