"""Layout with long chats, long words and small screens: nothing important leaves the screen."""

from __future__ import annotations

import json
import re
import time

from playwright.sync_api import Browser, BrowserContext, FrameLocator, Page, expect

from tests.servers import Server
from tests.web.helpers import (
    PASSWORD,
    PHONE,
    Api,
    agent_console,
    assert_inside,
    box_of,
    make_team,
    new_page,
    reply,
    shot,
    start_chat,
    viewport_box,
    visitor_send,
    visitor_start,
    widget_frame,
)

LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 4
LINK = "https://example.com/orders/track/" + "a1b2c3d4" * 12


def wait_state(api: Api, conversation_id: int, state: str) -> None:
    deadline = time.monotonic() + 15
    while api.call("GET", f"/conversations/{conversation_id}")["state"] != state:
        assert time.monotonic() < deadline, f"chat {conversation_id} never became {state}"
        time.sleep(0.1)


def agent_send(api: Api, conversation_id: int, text: str) -> None:
    frame = {"type": "send", "conversation_id": conversation_id, "text": text}
    api.call("POST", "/rt/frames", frame | {"client_id": f"a{time.monotonic_ns()}"})


def long_chat(web: Server, page: Page, tag: str) -> FrameLocator:
    """A chat of some fifty messages both ways, with long words and links, shown in the widget."""
    _, emails = make_team(web, tag)
    agent = Api(web, emails[0], PASSWORD)
    agent.status("online")
    widget = start_chat(web, page, name="Long Chat", topic=tag, message="First message")
    saved = json.loads(widget_frame(page).evaluate("localStorage.getItem('helpline.visitor')"))
    cid = saved["conversationId"]
    wait_state(agent, cid, "assigned")
    agent.call("POST", f"/conversations/{cid}/accept")
    for i in range(12):
        visitor_send(
            web,
            saved["token"],
            cid,
            [f"Visitor line {i} {LONG_WORD}", f"see {LINK}", f"short {i}"],
        )
        agent_send(api=agent, conversation_id=cid, text=f"Agent line {i} {LONG_WORD} {LINK}")
    visitor_send(web, saved["token"], cid, ["The newest message"])
    expect(widget.get_by_text("The newest message")).to_be_visible()
    return widget


def check_widget_fits(page: Page, widget: FrameLocator, *, full_screen: bool) -> None:
    frame = box_of(page.locator("iframe[data-helpline]"))
    view = viewport_box(page)
    assert_inside(frame, view, "the widget frame")
    for what, target in {
        "header": widget.get_by_role("heading", name="Chat with us"),
        "composer": widget.get_by_label("Your message"),
        "send button": widget.get_by_role("button", name="Send message"),
        "newest message": widget.get_by_text("The newest message"),
    }.items():
        assert_inside(box_of(target), frame, what)
        assert_inside(box_of(target), view, what)
    inner = widget_frame(page)
    assert inner.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert inner.evaluate("document.scrollingElement.scrollTop === 0")
    if full_screen:
        assert frame == view, "the widget must cover the whole phone screen"
        panel = box_of(widget.get_by_role("dialog", name="Chat with support"))
        assert panel == frame, "the panel must fill the frame: no host page showing through"


def test_a_long_chat_keeps_header_composer_and_newest_message_in_view_on_desktop(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts, viewport={"width": 1280, "height": 720})
    widget = long_chat(web, page, "longdesk")
    shot(page, "widget-long-desktop")
    check_widget_fits(page, widget, full_screen=False)
    widget.get_by_label("Your message").fill("still typing here")
    widget.get_by_label("Your message").press("Enter")
    expect(widget.get_by_text("still typing here")).to_be_in_viewport()


def test_a_long_chat_fills_a_phone_screen_and_keeps_everything_in_view(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts, **PHONE)
    widget = long_chat(web, page, "longphone")
    shot(page, "widget-long-phone")
    check_widget_fits(page, widget, full_screen=True)


def test_the_phone_pre_chat_form_covers_the_host_page(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts, **PHONE)
    page.goto(f"{web.base_url}/demo")
    widget = page.frame_locator("iframe[data-helpline]")
    widget.get_by_role("button", name="Open chat").click()
    expect(widget.get_by_role("button", name="Start chat")).to_be_visible()
    shot(page, "widget-phone-form")
    frame = box_of(page.locator("iframe[data-helpline]"))
    assert frame == viewport_box(page)
    assert box_of(widget.get_by_role("dialog", name="Chat with support")) == frame
    assert_inside(box_of(widget.get_by_role("button", name="Start chat")), frame, "start button")


def console_with_chats(web: Server, page: Page, tag: str, names: list[str]) -> None:
    _, emails = make_team(
        web, tag, ["Agent Bartholomew-Maximilian Featherstonehaugh"], concurrency_cap=5
    )
    agent_console(web, page, emails[0])
    for name in names:
        token, cid = visitor_start(web, name=name, topic=tag)
        visitor_send(web, token, cid, [f"Hello from {name}: {LONG_WORD} {LINK}"])
    expect(page.get_by_role("complementary", name="My chats").get_by_role("button")).to_have_count(
        len(names)
    )


def check_console_fits(page: Page) -> None:
    view = viewport_box(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for what, target in {
        "status": page.get_by_label("Your status"),
        "log out": page.get_by_role("button", name="Log out"),
        "chat list": page.get_by_role("complementary", name="My chats"),
    }.items():
        assert_inside(box_of(target), view, what)
    pane = page.get_by_role("region", name=re.compile("^Chat ")).locator("visible=true")
    expect(pane).to_have_count(1)
    assert_inside(box_of(pane), view, "the open chat")
    for what, target in {
        "reply box": pane.get_by_label("Reply"),
        "send": pane.get_by_role("button", name="Send"),
        "accept": pane.get_by_role("button", name="Accept"),
        "close": pane.get_by_role("button", name="Hide this chat"),
        "message": pane.get_by_text("Hello from", exact=False),
    }.items():
        assert_inside(box_of(target), view, what)


def check_top_bar(page: Page, *, all_views: bool) -> None:
    """One row with the brand, the views, status and log out; every view shown when
    ``all_views``, else a row of views that scrolls sideways."""
    bar = box_of(page.get_by_role("banner"))
    assert bar["height"] < 56, f"the top bar is {bar['height']}px tall"
    for what, target in {
        "brand": page.get_by_role("heading", name="Helpline"),
        "status": page.get_by_label("Your status"),
        "log out": page.get_by_role("button", name="Log out"),
    }.items():
        assert_inside(box_of(target), bar, what)
    nav = page.get_by_role("navigation", name="Views")
    assert_inside(box_of(nav), bar, "views")
    if all_views:
        for tab in nav.get_by_role("button").all():
            assert_inside(box_of(tab), box_of(nav), f"view {tab.inner_text()}")
    current = nav.locator("[aria-current=page]")
    assert_inside(box_of(current), box_of(nav), "the current view")


NAMES = [
    "Maximiliana Wolfeschlegelsteinhausenbergerdorff",
    "Olga",
    "Pavel Abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
]


def test_the_console_is_usable_at_768_pixels_with_several_chats(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts, viewport={"width": 768, "height": 1024})
    console_with_chats(web, page, "narrow", NAMES)
    shot(page, "console-768")
    check_console_fits(page)
    check_top_bar(page, all_views=True)
    chats = page.get_by_role("complementary", name="My chats")
    chats.get_by_role("button").nth(1).click()
    check_console_fits(page)
    pane = page.get_by_role("region", name=re.compile("^Chat ")).locator("visible=true")
    pane.get_by_role("button", name="Accept").click()
    reply(pane, "Answered on a tablet")
    expect(pane.get_by_text("Answered on a tablet")).to_be_in_viewport()
    shot(page, "console-768-reply")


def test_the_console_is_usable_on_a_phone(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts, **PHONE)
    console_with_chats(web, page, "phonecon", NAMES[:2])
    shot(page, "console-phone")
    check_console_fits(page)
    check_top_bar(page, all_views=False)
    page.get_by_role("button", name="History").click()  # scrolled to when needed
    check_top_bar(page, all_views=False)
    shot(page, "console-phone-history")
