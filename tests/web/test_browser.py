"""The widget and the console in real Chromium, against a real server."""

from __future__ import annotations

import gzip
import re

from playwright.sync_api import Browser, BrowserContext, Route, expect

from helpline.web import STATIC
from tests.servers import Server
from tests.web.helpers import (
    agent_console,
    make_team,
    new_page,
    reply,
    setup_team,
    shot,
    start_chat,
)


def test_one_agent_chats_with_two_visitors_both_ways(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    agent = new_page(browser, contexts, viewport={"width": 1400, "height": 800})
    email = setup_team(web, agent, "twochats")
    agent_console(web, agent, email)
    first = start_chat(
        web,
        new_page(browser, contexts),
        name="Olga",
        topic="twochats",
        message="Where is my parcel?",
    )
    second = start_chat(
        web,
        new_page(browser, contexts),
        name="Pavel",
        topic="twochats",
        message="I need an invoice",
    )

    olga = agent.get_by_role("region", name=re.compile("with Olga"))
    pavel = agent.get_by_role("region", name=re.compile("with Pavel"))
    expect(olga.get_by_text("Where is my parcel?")).to_be_visible()
    expect(pavel.get_by_text("I need an invoice")).to_be_visible()
    olga.get_by_role("button", name="Accept").click()
    pavel.get_by_role("button", name="Accept").click()
    reply(olga, "Your parcel ships today")
    reply(pavel, "Invoice sent to your email")

    # Once in a full CI run the first reply took over the default 5 s to show (not reproduced
    # since, and never lost): allow a slow machine more time before calling it missing.
    expect(first.get_by_text("Your parcel ships today")).to_be_visible(timeout=15_000)
    expect(second.get_by_text("Invoice sent to your email")).to_be_visible(timeout=15_000)
    expect(first.get_by_text("Invoice sent to your email")).to_have_count(0)
    expect(second.get_by_text("Your parcel ships today")).to_have_count(0)
    chat_list = agent.get_by_role("complementary", name="My chats")
    expect(chat_list.get_by_title("Waiting for a reply")).to_have_count(0)
    first.get_by_label("Your message").fill("Great, thank you!")
    first.get_by_label("Your message").press("Enter")
    expect(olga.get_by_text("Great, thank you!")).to_be_visible()
    expect(pavel.get_by_text("Great, thank you!")).to_have_count(0)
    expect(chat_list.get_by_title("Waiting for a reply")).to_have_count(1)
    reply(olga, "You're welcome")
    expect(chat_list.get_by_title("Waiting for a reply")).to_have_count(0)


def test_network_drop_and_reload_lose_and_duplicate_nothing(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    agent = new_page(browser, contexts, viewport={"width": 1280, "height": 800})
    email = setup_team(web, agent, "offline")
    agent_console(web, agent, email)
    visitor = new_page(browser, contexts)
    widget = start_chat(web, visitor, name="Nina", topic="offline", message="hello before the drop")
    pane = agent.get_by_role("region", name=re.compile("with Nina"))
    pane.get_by_role("button", name="Accept").click()

    visitor.context.set_offline(True)
    agent.context.set_offline(True)
    expect(widget.get_by_text("Reconnecting…")).to_be_visible(timeout=15000)
    widget.get_by_label("Your message").fill("sent while offline")
    widget.get_by_label("Your message").press("Enter")
    expect(widget.get_by_text("Sending…")).to_be_visible()
    reply(pane, "agent reply while offline")
    visitor.context.set_offline(False)
    agent.context.set_offline(False)

    expect(pane.get_by_text("sent while offline")).to_have_count(1, timeout=20000)
    expect(widget.get_by_text("agent reply while offline")).to_have_count(1, timeout=20000)
    expect(widget.get_by_text("Sending…")).to_have_count(0)

    visitor.reload()
    widget = visitor.frame_locator("iframe[data-helpline]")
    widget.get_by_role("button", name="Open chat").click()
    expect(widget.get_by_text("agent reply while offline")).to_have_count(1)
    expect(widget.get_by_text("sent while offline")).to_have_count(1)
    widget.get_by_label("Your message").fill("after the reload")
    widget.get_by_label("Your message").press("Enter")
    expect(pane.get_by_text("after the reload")).to_have_count(1)


def test_markup_in_names_topics_and_messages_stays_text(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    agent = new_page(browser, contexts, viewport={"width": 1280, "height": 800})
    email = setup_team(web, agent, "xss")
    agent_console(web, agent, email)
    visitor = new_page(browser, contexts)
    name = '<img src=x onerror="window.__xss=1">'
    message = "<script>window.__xss=2</script><b>bold?</b> javascript:alert(1)"
    widget = start_chat(web, visitor, name=name, topic="xss", message=message)
    pane = agent.get_by_role("region", name=re.compile("Chat"))
    expect(pane.get_by_text(message)).to_be_visible()
    expect(pane.get_by_text(name).first).to_be_visible()
    pane.get_by_role("button", name="Accept").click()
    reply(pane, '<img src=y onerror="window.__xss=3"> see https://example.com/help?a=1&b=<x>')
    expect(widget.get_by_text("<img src=y", exact=False)).to_be_visible()
    link = widget.get_by_role("link", name="https://example.com/help?a=1&b=")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    assert agent.evaluate("window.__xss") is None
    assert visitor.evaluate("window.__xss") is None
    frame = next(f for f in visitor.frames if f.url.endswith("/widget"))
    assert frame.evaluate("window.__xss") is None
    assert (
        frame.evaluate(
            "document.querySelectorAll('script:not([src]), img[src=x], img[src=y], b').length"
        )
        == 0
    )


def test_with_no_one_online_the_widget_promises_an_answer_in_the_chat_not_by_email(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    _, emails = make_team(web, "nobody", ["Nell Later"])
    visitor = new_page(browser, contexts, viewport={"width": 1100, "height": 760})

    def away(route: Route) -> None:
        # Other tests' agents may be online on this shared server: say no one is.
        config = route.fetch().json()
        route.fulfill(json={**config, "available": False})

    visitor.route("**/api/v1/widget/config", away)
    visitor.goto(f"{web.base_url}/demo")
    widget = visitor.frame_locator("iframe[data-helpline]")
    widget.get_by_role("button", name="Open chat").click()
    intro = widget.locator("form.prechat > p")
    expect(intro).to_contain_text("No one is online right now")
    expect(intro).to_contain_text("an agent will answer here in this chat")
    expect(intro).not_to_contain_text("email")
    widget.get_by_label("Name").fill("Lena")
    widget.get_by_label("Email").fill("lena@example.com")
    widget.get_by_label("Topic").select_option("nobody")
    widget.get_by_label("Message").fill("Please call me back about my order")
    widget.get_by_role("button", name="Leave a message").click()
    banner = widget.get_by_role("status").filter(has_text="No one is online right now")
    expect(banner).to_contain_text("an agent will answer here in this chat")
    expect(banner).not_to_contain_text("email")
    shot(visitor, "widget-nobody-online")

    # The chat is kept across page loads, and the agent answers in it once online.
    visitor.reload()
    widget = visitor.frame_locator("iframe[data-helpline]")
    widget.get_by_role("button", name="Open chat").click()
    expect(widget.get_by_text("Please call me back about my order")).to_be_visible()
    agent = new_page(browser, contexts, viewport={"width": 1280, "height": 800})
    # Lena's chat is offered the moment the agent is online: "Waiting for chats" may never show.
    agent_console(web, agent, emails[0], online=False)
    agent.get_by_label("Your status").select_option("online")
    pane = agent.get_by_role("region", name=re.compile("with Lena"))
    pane.get_by_role("button", name="Accept").click()
    reply(pane, "Hi Lena, I am here now")
    expect(widget.get_by_text("Hi Lena, I am here now")).to_be_visible()
    expect(widget.get_by_text("No one is online right now")).to_have_count(0)


def test_phone_layout_is_full_screen(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    phone = new_page(
        browser, contexts, viewport={"width": 390, "height": 780}, is_mobile=True, has_touch=True
    )
    phone.goto(f"{web.base_url}/demo")
    phone.frame_locator("iframe[data-helpline]").get_by_role("button", name="Open chat").click()
    frame = phone.locator("iframe[data-helpline]")
    expect(frame).to_have_css("width", "390px")
    expect(frame).to_have_css("height", "780px")


def test_bundles_stay_small() -> None:
    loader = (STATIC / "loader" / "widget.js").read_bytes()
    assert len(gzip.compress(loader)) < 10 * 1024
    html = (STATIC / "app" / "widget" / "index.html").read_text()
    assets = re.findall(r'(?:src|href)="/static/app/([^"]+)"', html)
    assert assets, html
    widget_bytes = b"".join((STATIC / "app" / a).read_bytes() for a in assets)
    assert len(gzip.compress(widget_bytes)) < 60 * 1024
