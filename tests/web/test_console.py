"""The agent console: wrap-up, missed offers, transfer, typing, canned responses, read receipts."""

from __future__ import annotations

import json
import re
import time
from itertools import pairwise
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.servers import Server
from tests.web.helpers import (
    PASSWORD,
    Api,
    admin,
    agent_console,
    make_team,
    new_page,
    reply,
    shot,
    start_chat,
    visitor_send,
    visitor_start,
)

DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def chat_with(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=re.compile(f"with {name}"))


def accepted_chat(web: Server, page: Page, tag: str, visitor: str, **team: Any) -> int:
    """A team, its agent logged into ``page`` and online, and a chat they accepted."""
    _, emails = make_team(web, tag, **team)
    agent_console(web, page, emails[0])
    token, cid = visitor_start(web, name=visitor, topic=tag)
    visitor_send(web, token, cid, [f"Hello, I am {visitor}"])
    chat_with(page, visitor).get_by_role("button", name="Accept").click()
    expect(chat_with(page, visitor).get_by_text(f"#{cid} · {tag} · active")).to_be_visible()
    return cid


def test_wrap_up_needs_a_deliberate_resolution_code(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts, **DESKTOP)
    cid = accepted_chat(web, page, "wrapup", "Wanda")
    pane = chat_with(page, "Wanda")
    reply(pane, "Glad I could help")
    pane.get_by_role("button", name="End", exact=True).click()
    wrapup = pane.locator("form.wrapup")
    expect(wrapup.get_by_label("Resolution").locator("option")).to_have_count(3)
    page.wait_for_timeout(300)
    expect(wrapup.get_by_label("Resolution")).to_have_value("")
    expect(wrapup.get_by_role("button", name="Close chat")).to_be_disabled()
    expect(wrapup.get_by_text("Choose a resolution to close the chat.")).to_be_visible()
    shot(page, "console-wrapup")
    root = admin(web)
    assert root.call("GET", f"/conversations/{cid}")["state"] == "wrap-up"

    wrapup.get_by_label("Resolution").select_option("escalated")
    wrapup.get_by_role("button", name="Close chat").click()
    expect(pane).to_have_count(0)
    closed = root.call("GET", f"/conversations/{cid}")
    assert (closed["state"], closed["resolution_code"]) == ("closed", "escalated")


def test_a_missed_chat_tells_the_agent_and_one_click_brings_them_back(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts, **DESKTOP)
    _, emails = make_team(web, "missed", answer_timeout_s=5)
    agent_console(web, page, emails[0])
    token, cid = visitor_start(web, name="Mona", topic="missed")
    visitor_send(web, token, cid, ["Anyone there?"])
    expect(chat_with(page, "Mona").get_by_role("button", name="Accept")).to_be_visible()

    notice = page.get_by_role("alert").filter(has_text="missed a chat")
    expect(notice).to_be_visible(timeout=15000)
    expect(notice).to_contain_text("Away")
    expect(page.get_by_label("Your status")).to_have_value("away")
    shot(page, "console-missed")
    notice.get_by_role("button", name="Go online").click()
    expect(page.get_by_label("Your status")).to_have_value("online")
    expect(notice).to_have_count(0)
    me = Api(web, emails[0], PASSWORD)
    assert me.call("GET", "/me")["status"] == "online"


def test_the_transfer_menu_offers_only_online_agents_with_free_slots(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts, **DESKTOP)
    names = ["Tina Me", "Bob Online", "Carl Away", "Dora Offline", "Eve Full"]
    _, emails = make_team(web, "transfer", names, concurrency_cap=1)
    # Someone in another team only, whom the console could not see through its own teams.
    _, elsewhere = make_team(web, "transferother", ["Olga Other"], concurrency_cap=3)
    cid = accepted_chat_for(web, page, emails[0], "transfer", "Vera")
    others = {name: Api(web, email, PASSWORD) for name, email in zip(names, emails, strict=True)}
    others["Eve Full"].status("online")
    token, second = visitor_start(web, name="Walt", topic="transfer")
    wait_for(lambda: admin(web).call("GET", f"/conversations/{second}")["state"] == "assigned")
    others["Bob Online"].status("online")
    others["Carl Away"].status("away")
    others["Dora Offline"].status("online")
    others["Dora Offline"].status("offline")

    pane = chat_with(page, "Vera")
    menu = pane.locator("button[aria-expanded]", has_text="Transfer")
    menu.click()
    target = pane.get_by_label("Transfer to")
    own = target.locator('optgroup[label="Agents in Team transfer (this chat\'s team)"]')
    other = target.locator('optgroup[label="Agents in Team transferother"]')
    expect(own.locator("option:not([disabled])")).to_have_text(["Bob Online (1 of 1 free)"])
    expect(own.locator("option[disabled]")).to_have_text(["Eve Full (no free slot)"])
    expect(other).to_have_count(0)
    expect(target).to_have_value("")

    # The list is read again whenever the menu opens: Olga, online now, appears.
    olga = Api(web, elsewhere[0], PASSWORD)
    olga.status("online")
    menu.click()
    expect(target).to_have_count(0)
    menu.click()
    expect(other.locator("option")).to_have_text(["Olga Other (3 of 3 free)"])
    expect(other.locator("option[disabled]")).to_have_count(0)
    expect(target.locator("option").first).to_have_text("Choose an agent or a team…")
    expect(target).to_have_value("")
    shot(page, "console-transfer")
    target.select_option(label="Bob Online (1 of 1 free)")
    pane.get_by_label("Handover note").fill("Wants a refund")
    pane.get_by_role("button", name="Transfer", exact=True).last.click()
    expect(pane).to_have_count(0)
    moved = admin(web).call("GET", f"/conversations/{cid}")
    assert moved["agent_id"] == others["Bob Online"].me["user"]["id"]


def accepted_chat_for(web: Server, page: Page, email: str, tag: str, visitor: str) -> int:
    agent_console(web, page, email)
    token, cid = visitor_start(web, name=visitor, topic=tag)
    visitor_send(web, token, cid, [f"Hello, I am {visitor}"])
    chat_with(page, visitor).get_by_role("button", name="Accept").click()
    expect(chat_with(page, visitor).get_by_text(f"#{cid} · {tag} · active")).to_be_visible()
    return cid


def wait_for(check: object, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_the_visitor_sees_the_agent_typing(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts, **DESKTOP)
    _, emails = make_team(web, "typing", ["Tom Typist"])
    agent_console(web, page, emails[0])
    widget = start_chat(
        web, new_page(browser, contexts), name="Tara", topic="typing", message="Hi there"
    )
    pane = chat_with(page, "Tara")
    pane.get_by_role("button", name="Accept").click()
    box = pane.get_by_label("Reply")
    box.press_sequentially("Let me check that", delay=20)
    expect(widget.get_by_text("Tom Typist is typing…")).to_be_visible()
    box.press("Enter")
    expect(widget.get_by_text("Let me check that")).to_be_visible()
    expect(widget.get_by_text("is typing…")).to_have_count(0)

    box.press_sequentially("One more", delay=20)
    expect(widget.get_by_text("Tom Typist is typing…")).to_be_visible()
    expect(widget.get_by_text("is typing…")).to_have_count(0, timeout=10000)

    pane.get_by_label("Internal note").check()
    pane.get_by_role("textbox", name="Internal note").press_sequentially("secret", delay=20)
    page.wait_for_timeout(500)
    expect(widget.get_by_text("is typing…")).to_have_count(0)


def test_canned_responses_expand_and_work_from_the_keyboard(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts, **DESKTOP)
    team_id, emails = make_team(web, "canned")
    root = admin(web)
    for shortcut, title, body in [
        ("bye", "Goodbye", "Thanks for chatting, {{customer.first_name}}! Bye."),
        ("byebye", "Long goodbye", "It was a pleasure. Goodbye!"),
        ("billing", "Billing", "Billing questions go to billing@example.com."),
    ]:
        root.call(
            "POST",
            "/canned-responses",
            {"team_id": team_id, "shortcut": shortcut, "title": title, "body": body},
        )
    agent_console(web, page, emails[0])
    token, cid = visitor_start(web, name="Vic Visitor", topic="canned")
    visitor_send(web, token, cid, ["Hello, I am Vic"])
    pane = chat_with(page, "Vic Visitor")
    pane.get_by_role("button", name="Accept").click()
    box = pane.get_by_label("Reply")

    box.fill("/bye")
    box.press("Enter")
    expect(box).to_have_value("Thanks for chatting, Vic! Bye.")
    expect(pane.locator(".msg").filter(has_text="/bye")).to_have_count(0)
    box.press("Enter")
    expect(pane.locator(".msg").filter(has_text="Thanks for chatting, Vic! Bye.")).to_have_count(1)
    expect(box).to_have_value("")

    box.press_sequentially("/b", delay=20)
    picker = pane.get_by_role("listbox", name="Canned responses")
    expect(picker.get_by_role("option")).to_have_count(3)
    shot(page, "console-canned")
    selected = picker.locator("[role=option][aria-selected=true]")
    expect(selected).to_have_count(1)
    first = selected.inner_text()
    expect(box).to_have_attribute("aria-activedescendant", selected.get_attribute("id") or "")
    box.press("ArrowDown")
    expect(selected).not_to_have_text(first)
    second = selected.inner_text()
    expect(box).to_have_attribute("aria-activedescendant", selected.get_attribute("id") or "")
    box.press("Tab")
    expect(picker).to_have_count(0)
    expected = {
        "/bye Goodbye": "Thanks for chatting, Vic! Bye.",
        "/byebye Long goodbye": "It was a pleasure. Goodbye!",
        "/billing Billing": "Billing questions go to billing@example.com.",
    }
    expect(box).to_have_value(expected[second.strip()])
    expect(box).to_be_focused()

    box.fill("")
    box.press_sequentially("/bi", delay=20)
    expect(picker.get_by_role("option")).to_have_count(1)
    box.press("Escape")
    expect(picker).to_have_count(0)
    expect(box).to_have_value("/bi")


def test_the_agent_sees_how_far_the_visitor_has_read(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts, **DESKTOP)
    _, emails = make_team(web, "seen", ["Sam Seen"])
    agent_console(web, page, emails[0])
    visitor = new_page(browser, contexts)
    reads: list[tuple[float, dict[str, Any]]] = []

    def sent(payload: str | bytes) -> None:
        frame = json.loads(payload)
        if frame["type"] == "read":
            reads.append((time.monotonic(), frame))

    visitor.on("websocket", lambda ws: ws.on("framesent", sent))
    widget = start_chat(web, visitor, name="Rita", topic="seen", message="Can you see this?")
    pane = chat_with(page, "Rita")
    pane.get_by_role("button", name="Accept").click()
    seen = pane.locator("li.seen")
    expect(seen).to_have_count(0)

    reply(pane, "First answer")
    expect(widget.get_by_text("First answer")).to_be_visible()
    expect(seen).to_have_count(1)
    expect(pane.locator("li.msg.mine + li.seen")).to_have_text("Seen")
    expect(pane.locator("li.msg:has(+ li.seen)")).to_contain_text("First answer")

    # Minimized, the widget reads nothing; opened again, it reads the new message.
    widget.get_by_role("button", name="Minimize chat").click()
    reply(pane, "Second answer")
    expect(widget.get_by_role("button", name="Open chat, 1 unread messages")).to_be_visible()
    page.wait_for_timeout(1500)
    expect(pane.locator("li.msg:has(+ li.seen)")).to_contain_text("First answer")
    widget.get_by_role("button", name=re.compile("Open chat")).click()
    expect(pane.locator("li.msg:has(+ li.seen)")).to_contain_text("Second answer")
    expect(seen).to_have_count(1)
    shot(page, "console-seen")

    # Receipts only move forward, at most one a second; the server has the newest.
    seqs = [f["seq"] for _, f in reads]
    assert len(seqs) >= 2 and seqs == sorted(set(seqs)), reads
    assert all(b[0] - a[0] >= 0.9 for a, b in pairwise(reads)), reads
    cid = reads[-1][1]["conversation_id"]
    root = admin(web)
    assert root.call("GET", f"/conversations/{cid}")["visitor_read_seq"] == seqs[-1]

    # After a reload the console knows it from the REST conversation.
    page.reload()
    pane = chat_with(page, "Rita")
    expect(pane.locator("li.msg:has(+ li.seen)")).to_contain_text("Second answer")
