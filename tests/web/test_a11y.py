"""Accessibility: axe-core finds nothing serious, and everything works from the keyboard alone.

axe-core (web/node_modules/axe-core) is injected into the pages; their CSP forbids inline
scripts, so these pages run with ``bypass_csp``.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Browser, BrowserContext, Frame, Page, expect

from tests.servers import ADMIN_EMAIL, ADMIN_PASSWORD, Server
from tests.web.helpers import (
    PASSWORD,
    Api,
    admin,
    agent_console,
    axe_violations,
    make_team,
    new_page,
    open_widget,
    start_chat,
    visitor_send,
    visitor_start,
    widget_frame,
)

DESKTOP = {"viewport": {"width": 1280, "height": 800}, "bypass_csp": True}


def wait_for_state(api: Api, conversation_id: int, state: str) -> None:
    deadline = time.monotonic() + 15
    while api.call("GET", f"/conversations/{conversation_id}")["state"] != state:
        assert time.monotonic() < deadline, f"chat {conversation_id} never became {state}"
        time.sleep(0.1)


def tab_to(page: Page, where: Page | Frame, check: str, limit: int = 40) -> None:
    """Press Tab until ``check`` (a JS expression about ``document.activeElement``) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if where.evaluate(f"(el => Boolean({check}))(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {check}")


def named(name: str) -> str:
    return (
        f"el && (el.getAttribute('aria-label') === {name!r} || el.textContent.trim() === {name!r})"
    )


def test_the_widget_has_no_axe_violations(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    _, emails = make_team(web, "axewidget")
    agent = Api(web, emails[0], PASSWORD)
    agent.status("online")
    page = new_page(browser, contexts, **DESKTOP)
    widget = open_widget(web, page)
    expect(widget.get_by_role("button", name="Start chat")).to_be_visible()
    assert axe_violations(widget_frame(page)) == [], "pre-chat form"

    start_chat(web, page, name="Axel", topic="axewidget", message="Is this accessible?")
    cid = int(
        widget_frame(page).evaluate("JSON.parse(localStorage['helpline.visitor'])")[
            "conversationId"
        ]
    )
    wait_for_state(agent, cid, "assigned")
    agent.call("POST", f"/conversations/{cid}/accept")
    agent.call(
        "POST",
        "/rt/frames",
        {
            "type": "send",
            "conversation_id": cid,
            "client_id": "axe-1",
            "text": "It should be: https://example.com/a11y",
        },
    )
    expect(widget.get_by_text("It should be")).to_be_visible()
    assert axe_violations(widget_frame(page)) == [], "chat"

    widget.get_by_role("button", name="End chat").click()
    expect(widget.get_by_role("group", name="How did we do?")).to_be_visible()
    assert axe_violations(widget_frame(page)) == [], "rating"


def test_the_console_has_no_axe_violations(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    team_id, emails = make_team(web, "axeconsole")
    admin(web).call(
        "POST",
        "/canned-responses",
        {"team_id": team_id, "shortcut": "hello", "title": "Hello", "body": "Hello there!"},
    )
    page = new_page(browser, contexts, **DESKTOP)
    page.goto(f"{web.base_url}/console")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert axe_violations(page) == [], "login"

    agent_console(web, page, emails[0])
    assert axe_violations(page) == [], "no chats"
    token, cid = visitor_start(web, name="Ada", topic="axeconsole")
    visitor_send(web, token, cid, ["Hello from Ada"])
    pane = page.get_by_role("region", name=re.compile("with Ada"))
    expect(pane.get_by_text("Hello from Ada")).to_be_visible()
    assert axe_violations(page) == [], "offered chat"
    pane.get_by_role("button", name="Accept").click()
    pane.get_by_label("Reply").press_sequentially("/he", delay=20)
    expect(pane.get_by_role("listbox")).to_be_visible()
    assert axe_violations(page) == [], "canned picker"
    pane.get_by_label("Reply").press("Escape")
    pane.get_by_role("button", name="Transfer").click()
    pane.get_by_role("button", name="Customer").click()
    expect(pane.get_by_text("Past conversations")).to_be_visible()
    assert axe_violations(page) == [], "transfer and customer panels"
    pane.get_by_role("button", name="End", exact=True).click()
    expect(pane.get_by_label("Resolution")).to_be_visible()
    assert axe_violations(page) == [], "wrap-up"


def test_a_visitor_can_chat_with_the_keyboard_only(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    make_team(web, "keywidget")
    page = new_page(browser, contexts, viewport={"width": 1280, "height": 800})
    page.goto(f"{web.base_url}/demo")
    page.frame_locator("iframe[data-helpline]").get_by_role("button", name="Open chat").wait_for()
    frame = widget_frame(page)
    tab_to(page, frame, named("Open chat"))
    page.keyboard.press("Enter")
    widget = page.frame_locator("iframe[data-helpline]")
    expect(widget.get_by_label("Name")).to_be_focused()
    page.keyboard.type("Kim Keys")
    page.keyboard.press("Tab")
    page.keyboard.type("kim@example.com")
    tab_to(page, frame, "el && el.tagName === 'TEXTAREA'")
    page.keyboard.type("Typed without a mouse")
    tab_to(page, frame, named("Start chat"))
    page.keyboard.press("Enter")
    expect(widget.get_by_text("Typed without a mouse")).to_be_visible()
    expect(widget.get_by_label("Your message")).to_be_focused()
    page.keyboard.type("And sent with Enter")
    page.keyboard.press("Enter")
    expect(widget.get_by_text("And sent with Enter")).to_be_visible()
    expect(widget.get_by_text("Sending…")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(widget.get_by_role("button", name="Open chat")).to_be_focused()


def test_an_agent_can_work_a_chat_with_the_keyboard_only(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    team_id, emails = make_team(web, "keyconsole")
    root = admin(web)
    root.call(
        "POST",
        "/canned-responses",
        {"team_id": team_id, "shortcut": "thanks", "title": "Thanks", "body": "Thank you, Kai!"},
    )
    page = new_page(browser, contexts, viewport={"width": 1280, "height": 800})
    page.goto(f"{web.base_url}/console")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    tab_to(page, page, "el && el.name === 'email'")
    page.keyboard.type(emails[0])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    status = page.get_by_label("Your status")
    expect(status).to_be_visible()
    tab_to(page, page, "el && el.getAttribute('aria-label') === 'Your status'")
    while status.input_value() != "online":
        page.keyboard.press("ArrowUp")
    expect(page.get_by_text("Waiting for chats…")).to_be_visible()

    token, cid = visitor_start(web, name="Kai", topic="keyconsole")
    visitor_send(web, token, cid, ["Hello from Kai"])
    pane = page.get_by_role("region", name=re.compile("with Kai"))
    expect(pane.get_by_role("button", name="Accept")).to_be_visible()
    tab_to(page, page, named("Accept"))
    page.keyboard.press("Enter")
    reply_box = pane.get_by_label("Reply")
    expect(reply_box).to_be_focused()
    page.keyboard.type("/th")
    expect(pane.get_by_role("option")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(reply_box).to_have_value("Thank you, Kai!")
    page.keyboard.press("Enter")
    expect(pane.locator(".msg").filter(has_text="Thank you, Kai!")).to_have_count(1)

    tab_to(page, page, named("End"))
    page.keyboard.press("Enter")
    code = pane.get_by_label("Resolution")
    expect(code).to_be_focused()
    expect(code.locator("option")).to_have_count(3)
    page.keyboard.press("ArrowDown")
    expect(code).not_to_have_value("")
    chosen = code.input_value()
    tab_to(page, page, named("Close chat"))
    page.keyboard.press("Enter")
    expect(pane).to_have_count(0)
    closed = root.call("GET", f"/conversations/{cid}")
    assert (closed["state"], closed["resolution_code"]) == ("closed", chosen)


def test_history_and_admin_have_no_axe_violations(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts, **DESKTOP)
    page.goto(f"{web.base_url}/console")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="History").click()
    page.get_by_label("Words").fill("anything")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("region", name="Results")).to_be_visible()
    assert axe_violations(page) == [], "history"
    page.get_by_role("button", name="Admin").click()
    page.get_by_role("button", name="New team").click()
    expect(page.get_by_role("form", name="New team").get_by_label("Name")).to_be_focused()
    assert axe_violations(page) == [], "admin teams"
    page.get_by_role("button", name="Users", exact=True).click()
    page.get_by_role("button", name="New user").click()
    form = page.get_by_role("form", name="New user")
    form.get_by_label("E-mail").fill("axe.user@example.com")
    form.get_by_label("Name").fill("Axe User")
    form.get_by_label("Password", exact=True).fill("correct-horse-battery-staple-9")
    form.get_by_label("Skills").fill("Not valid!")
    page.get_by_role("button", name="Create user").click()
    expect(page.locator(".field.bad")).to_have_count(1)
    assert axe_violations(page) == [], "admin users with an error"
    page.get_by_role("button", name="Resolution codes", exact=True).click()
    page.get_by_role("button", name="Save resolved").click()
    expect(page.get_by_role("row", name="resolved").get_by_role("status")).to_have_text("Saved")
    assert axe_violations(page) == [], "admin resolution codes"
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Users", exact=True).click()
    expect(page.get_by_role("button", name="Edit user Root Admin")).to_be_visible()
    assert axe_violations(page) == [], "admin users as cards on a phone"
