"""The queue in the console: a waiting chat no one was offered is picked by an agent, lands in
their chats, and the visitor hears them; the same with the keyboard on a phone."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.servers import Server
from tests.web.helpers import (
    PASSWORD,
    PHONE,
    admin,
    agent_console,
    assert_fits_width,
    new_page,
    shot,
    visitor_send,
    visitor_start,
)


def unskilled_agent(web: Server, tag: str) -> str:
    """A team for topic ``tag`` and an agent in it without that skill: routing offers them
    nothing for a while (until skills relax), so chats wait to be picked."""
    root = admin(web)
    team = root.call("POST", "/teams", {"name": f"Team {tag}", "skills": [tag]})
    email = f"picker.{tag}@example.com"
    root.call(
        "POST",
        "/users",
        {"email": email, "name": f"Picker {tag}", "password": PASSWORD, "team_ids": [team["id"]]},
    )
    return email


def waiting_chat(web: Server, tag: str, visitor: str) -> int:
    token, cid = visitor_start(web, name=visitor, topic=tag)
    visitor_send(web, token, cid, [f"Hello, {visitor} here"])
    return cid


def open_queue(page: Page) -> None:
    page.get_by_role("button", name="Queue", exact=True).click()
    expect(page.get_by_role("heading", name="Queue", exact=True)).to_be_visible()


def test_an_agent_picks_a_waiting_chat_from_the_queue(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    tag = f"q{secrets.token_hex(3)}"
    email = unskilled_agent(web, tag)
    page = new_page(browser, contexts, viewport={"width": 768, "height": 900})
    agent_console(web, page, email)
    cids = [waiting_chat(web, tag, f"Visitor {n}") for n in range(12)]
    open_queue(page)
    queue = page.get_by_role("region", name=f"Queue of Team {tag}")
    expect(queue.get_by_text("12 waiting")).to_be_visible()
    expect(queue.get_by_text(re.compile(r"waiting \d+ s")).first).to_be_visible()
    shot(page, "console-queue-768")
    queue.get_by_role("button", name=f"Pick chat #{cids[3]}").click()
    pane = page.get_by_role("region", name=re.compile("with Visitor 3"))
    expect(pane.get_by_text("Hello, Visitor 3 here")).to_be_visible()
    assert admin(web).call("GET", f"/conversations/{cids[3]}")["state"] == "active"
    open_queue(page)
    expect(queue.get_by_text("11 waiting")).to_be_visible()
    expect(queue.get_by_role("button", name=f"Pick chat #{cids[3]}")).to_have_count(0)


def test_picking_works_from_the_keyboard_on_a_phone(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    tag = f"q{secrets.token_hex(3)}"
    email = unskilled_agent(web, tag)
    page = new_page(browser, contexts, **PHONE)
    agent_console(web, page, email)
    cid = waiting_chat(web, tag, "Pat")
    page.goto(page.url.split("#")[0] + "#/queue")
    pick = page.get_by_role("button", name=f"Pick chat #{cid}")
    expect(pick).to_be_visible()
    pick.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Hello, Pat here")).to_be_visible()
    assert_fits_width(page)
    shot(page, "console-queue-phone")
