"""What a new visitor and an agent read in a chat, in real Chromium: a message over the limit is
kept and refused with a notice (never cut), lines keep the server's order when an ack is late,
codes show as words, topics as people write them, and the favicon is served."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, FrameLocator, Locator, Route, expect

from tests.clients import WIDGET_DEFAULTS
from tests.servers import Server
from tests.web.helpers import (
    PHONE,
    admin,
    agent_console,
    assert_fits_width,
    make_team,
    new_page,
    reply,
    shot,
    start_chat,
    visitor_start,
    widget_frame,
)

LIMIT = 4000


def mine(widget: FrameLocator) -> Locator:
    return widget.locator(".msg.mine")


def test_a_message_over_the_limit_is_kept_and_refused_with_a_notice(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    agent = new_page(browser, contexts, viewport={"width": 1280, "height": 800})
    _, emails = make_team(web, "long-reads")
    agent_console(web, agent, emails[0])
    visitor = new_page(browser, contexts, viewport={"width": 1280, "height": 900})
    widget = start_chat(web, visitor, name="Lou", topic="long-reads", message="Hello")
    box = widget.get_by_label("Your message")
    counter = widget.locator(".counter")

    box.fill("x" * 100)
    expect(counter).to_have_count(0)  # far from the limit: no counter
    box.fill("x" * 3650)
    expect(counter).to_have_text("3,650 of 4,000 characters")

    too_long = ("5000 chars test. " * 300)[:5000]
    box.fill(too_long)
    expect(counter).to_have_text("5,000 of 4,000 characters: 1,000 too many")
    alert = widget.get_by_role("alert")
    expect(alert).to_have_text(
        "Too long to send: the limit is 4,000 characters. Shorten the message, or send it in parts."
    )
    expect(box).to_have_attribute("aria-invalid", "true")
    box.press("Enter")
    widget.get_by_role("button", name="Send message").click()
    visitor.wait_for_timeout(500)
    expect(mine(widget)).to_have_count(1)  # only "Hello": nothing sent, nothing cut
    expect(box).to_have_value(too_long)  # kept to edit
    expect(box).to_be_focused()
    shot(visitor, "widget-long-message-refused")

    # At 768 px and on a phone the notice fits and the composer stays usable.
    sizes = (("768", "Mia", {"viewport": {"width": 768, "height": 1000}}), ("phone", "Pia", PHONE))
    for size, name, kw in sizes:
        page = new_page(browser, contexts, **kw)
        small = start_chat(web, page, name=name, topic="long-reads", message="Hi")
        small.get_by_label("Your message").fill(too_long)
        expect(small.get_by_role("alert")).to_be_visible()
        expect(small.get_by_role("button", name="Send message")).to_be_in_viewport()
        assert_fits_width(page)
        shot(page, f"widget-long-message-{size}")

    fits = too_long[: LIMIT - 1] + "!"  # counted as the server counts: trimmed
    box.fill(fits)
    expect(counter).to_have_text("4,000 of 4,000 characters")
    expect(widget.get_by_role("alert")).to_have_count(0)
    box.press("Enter")
    expect(mine(widget)).to_have_count(2)
    expect(mine(widget).last).not_to_contain_text("Sending")
    expect(box).to_have_value("")
    pane = agent.get_by_role("region", name=re.compile("with Lou$"))
    expect(pane.locator(".msg").last).to_contain_text(fits[-40:])
    sent = pane.locator(".msg .text").last.inner_text()
    assert len(sent) == len(fits), "the whole message arrived, not a cut one"


def test_the_first_message_over_the_limit_is_refused_in_the_form(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    make_team(web, "first-long")
    page = new_page(browser, contexts, **PHONE)
    page.goto(f"{web.base_url}/demo")
    widget = page.frame_locator("iframe[data-helpline]")
    widget.get_by_role("button", name="Open chat").click()
    widget.get_by_label("Name").fill("Fay")
    widget.get_by_label("Email").fill("fay@example.com")
    widget.get_by_label("Topic").select_option("first-long")
    message = widget.locator("form.prechat textarea[name=message]")
    message.fill("y" * (LIMIT + 1))
    expect(widget.locator(".counter")).to_have_text("4,001 of 4,000 characters: 1 too many")
    widget.locator("form.prechat button[type=submit]").click()
    page.wait_for_timeout(300)
    expect(widget.locator("form.prechat")).to_be_visible()  # no chat started
    expect(message).to_have_value("y" * (LIMIT + 1))
    assert_fits_width(page)
    shot(page, "widget-first-message-too-long-phone")


def test_a_late_ack_does_not_put_the_visitors_message_before_the_agents(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    """Over the fallback the ack and the stream are separate requests: hold the visitor's send
    until the agent's reply has arrived, as a slow network may."""
    agent = new_page(browser, contexts, viewport={"width": 1280, "height": 800})
    _, emails = make_team(web, "late-ack")
    agent_console(web, agent, emails[0])
    ctx = browser.new_context(viewport={"width": 768, "height": 900})
    contexts.append(ctx)
    ctx.route_web_socket(re.compile(r"/ws$"), lambda ws: ws.close())  # a proxy without upgrades
    held: list[Route] = []

    def frames(route: Route) -> None:
        if "V01 held" in (route.request.post_data or ""):
            held.append(route)
        else:
            route.continue_()

    ctx.route("**/api/v1/rt/frames", frames)
    visitor = ctx.new_page()
    widget = start_chat(web, visitor, name="Ola", topic="late-ack", message="V00 hello")
    expect(mine(widget)).not_to_contain_text("Sending")  # on the fallback, and acked
    pane = agent.get_by_role("region", name=re.compile("with Ola"))
    pane.get_by_role("button", name="Accept").click()

    box = widget.get_by_label("Your message")
    box.fill("V01 held")
    box.press("Enter")
    expect(mine(widget).last).to_contain_text("Sending")
    reply(pane, "A01 reply")
    expect(widget.get_by_text("A01 reply")).to_be_visible()
    lines = widget.locator(".msg .text")
    expect(lines).to_have_text(["V00 hello", "A01 reply", "V01 held"])  # pending after known
    assert len(held) == 1
    held[0].continue_()
    expect(mine(widget).last).not_to_contain_text("Sending")
    expect(pane.get_by_text("V01 held")).to_be_visible()
    # The server committed V01 after A01: both sides show that order.
    expect(lines).to_have_text(["V00 hello", "A01 reply", "V01 held"])
    expect(pane.locator(".msg .text")).to_have_text(["V00 hello", "A01 reply", "V01 held"])
    visitor.reload()
    reloaded = visitor.frame_locator("iframe[data-helpline]")
    reloaded.get_by_role("button", name="Open chat").click()
    expect(reloaded.locator(".msg .text")).to_have_text(["V00 hello", "A01 reply", "V01 held"])
    shot(visitor, "widget-order-after-late-ack")


@pytest.fixture
def restore(web: Server) -> Iterator[None]:
    yield
    admin(web).call("PUT", "/widget-settings", WIDGET_DEFAULTS)


@pytest.mark.usefixtures("restore")
def test_topics_read_as_words_and_the_focus_ring_shows_on_a_yellow_widget(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    make_team(web, "sea-kayaks")
    settings = {**WIDGET_DEFAULTS, "colour": "#f5c518", "topics": ["sea-kayaks", "white_water"]}
    admin(web).call("PUT", "/widget-settings", settings)
    page = new_page(browser, contexts, viewport={"width": 768, "height": 900})
    page.goto(f"{web.base_url}/demo")
    widget = page.frame_locator("iframe[data-helpline]")
    launcher = widget.get_by_role("button", name="Open chat")
    expect(launcher).to_be_visible()
    expect(launcher.locator("svg")).to_have_count(1)  # an icon, not an emoji
    assert launcher.inner_text().strip() == ""
    inner = widget_frame(page)
    for _ in range(5):  # past the page's own link, into the widget
        page.keyboard.press("Tab")
        if inner.evaluate(
            "document.hasFocus() && document.activeElement?.className === 'launcher'"
        ):
            break
    expect(launcher).to_be_focused()
    ring = inner.locator(".launcher").evaluate(
        "e => [getComputedStyle(e).outlineColor, getComputedStyle(e).outlineStyle]"
    )
    assert ring == ["rgb(29, 36, 51)", "solid"], ring  # dark on yellow, not amber
    shot(page, "widget-launcher-focus-yellow")

    page.keyboard.press("Enter")
    topics = widget.get_by_label("Topic").locator("option")
    expect(topics).to_have_text(["Something else", "Sea kayaks", "White water"])
    values = topics.evaluate_all("options => options.map(o => o.value)")
    assert values == ["", "sea-kayaks", "white_water"]  # the tags are what is sent
    shot(page, "widget-topics-768")


def wait_for_event(web: Server, cid: int, kind: str) -> None:
    root = admin(web)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page = root.call("GET", f"/conversations/{cid}/events?after=0")
        if any(e["type"] == kind for e in page["events"]):
            return
        time.sleep(0.3)
    raise AssertionError(f"no {kind} event in chat {cid}")


def test_staff_read_reasons_and_resolutions_in_words(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    root = admin(web)
    root.call(
        "PUT",
        "/resolution-codes/first_contact",
        {"code": "first_contact", "label": "Solved on first contact"},
    )
    _, emails = make_team(web, "worded", ["Olive Outdoor"], answer_timeout_s=5)
    page = new_page(browser, contexts, viewport={"width": 768, "height": 1000})
    agent_console(web, page, emails[0])
    # Not answered: offered, then back in the queue after the timeout.
    token, missed = visitor_start(web, name="Vito", topic="worded")
    pane = page.get_by_role("region", name=re.compile("with Vito$"))
    expect(pane.get_by_text("Offered to Olive Outdoor, the least busy agent")).to_be_visible()
    expect(pane).not_to_contain_text("least_load")
    shot(page, "console-offer-in-words")
    wait_for_event(web, missed, "requeued")
    httpx.post(
        f"{web.base_url}/api/v1/rt/frames",
        headers={"Authorization": f"Bearer {token}"},
        json={"type": "end", "conversation_id": missed},
    ).raise_for_status()

    # Answered and closed with a code whose label differs from the code.
    page.get_by_label("Your status").select_option("online")
    _, answered = visitor_start(web, name="Vera", topic="worded")
    pane = page.get_by_role("region", name=re.compile("with Vera$"))
    pane.get_by_role("button", name="Accept").click()
    reply(pane, "Every tent has a two-year warranty")
    pane.get_by_role("button", name="End", exact=True).click()
    pane.get_by_label("Resolution").select_option(label="Solved on first contact")
    pane.get_by_role("button", name="Close chat").click()
    expect(pane).to_have_count(0)

    page.get_by_role("button", name="History").click()
    page.get_by_label("Customer").fill("Vera")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("region", name="Results")
    hit = results.get_by_role("button", name=re.compile(rf"^#{answered} "))
    expect(hit).to_contain_text("Solved on first contact")
    hit.click()
    transcript = page.get_by_role("main", name=f"Conversation #{answered}")
    heading_note = transcript.get_by_text("Read only · Resolution: Solved on first contact")
    expect(heading_note).to_be_visible()
    joined = transcript.locator("li.agent_joined")
    expect(joined.locator(".who")).to_have_text("Olive Outdoor")
    expect(joined.locator(".what")).to_have_text("joined the chat")  # the name once
    expect(transcript.locator("li.closed .what")).to_have_text("closed: Solved on first contact")
    expect(transcript).not_to_contain_text("resolved:")
    assert_fits_width(page)
    shot(page, "console-history-in-words-768")

    page.get_by_role("button", name="Back to results").click()
    page.get_by_label("Customer").fill("Vito")
    page.get_by_role("button", name="Search").click()
    results.get_by_role("button", name=re.compile(rf"^#{missed} ")).click()
    missed_log = page.get_by_role("main", name=f"Conversation #{missed}")
    expect(missed_log.locator("li.requeued .what")).to_have_text(
        "went back to the queue: not answered in time by Olive Outdoor"
    )
    expect(missed_log.locator("li.assigned .what")).to_have_text(
        "offered to Olive Outdoor, the least busy agent"
    )
    for code in ("no_answer", "least_load"):
        expect(missed_log).not_to_contain_text(code)


def test_the_favicon_is_served_under_the_pages_policy(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    for path in ("/console", "/demo"):
        page.goto(f"{web.base_url}{path}")
        page.wait_for_load_state("networkidle")
    assert missing == []
    r = page.request.get(f"{web.base_url}/favicon.ico")
    assert r.status == 200
    assert r.headers["content-type"] == "image/vnd.microsoft.icon"
    assert r.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "default-src 'self'" in r.headers["content-security-policy"]


def contrast(a: str, b: str) -> float:
    """WCAG contrast of two computed colours, ``rgb(r, g, b)``."""

    def luminance(rgb: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_rating_form_contrasts_before_and_after_a_choice(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    _, emails = make_team(web, "rated")
    console = agent_console(web, new_page(browser, contexts), emails[0])
    page = new_page(browser, contexts, **PHONE)
    widget = start_chat(web, page, name="Rae", topic="rated", message="Thanks, all good")
    # Only a chat that reached an agent is rated; one ended while still queued is abandoned.
    pane = console.get_by_role("region", name=re.compile("with Rae"))
    pane.get_by_role("button", name="Accept").click()
    expect(widget.get_by_text("joined the chat")).to_be_visible()
    widget.get_by_role("button", name="End chat").click()
    rating = widget.locator("form.rating")
    send = rating.get_by_role("button", name="Send rating")
    expect(send).to_be_disabled()
    white = "rgb(255, 255, 255)"
    stroke = "e => getComputedStyle(e).stroke"
    for star in rating.locator(".star").all():
        assert contrast(star.evaluate(stroke), white) >= 3, "an empty star is too pale"
    edge = send.evaluate("e => getComputedStyle(e).boxShadow")
    assert contrast(edge, white) >= 3, f"the disabled button's edge is too pale: {edge}"
    assert contrast(send.evaluate("e => getComputedStyle(e).color"), white) >= 4.5
    shot(page, "widget-rating-phone")

    rating.locator(".stars label").nth(3).click()
    expect(send).to_be_enabled()
    for star in rating.locator("label.on .star").all():
        assert contrast(star.evaluate(stroke), white) >= 3, "a chosen star is too pale"
    expect(rating.locator("label.on")).to_have_count(4)
    shot(page, "widget-rating-chosen-phone")
    send.click()
    expect(widget.get_by_text("Thank you for chatting with us.")).to_be_visible()
