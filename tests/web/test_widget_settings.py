"""Widget settings: an admin changes the widget in the console and a newly loaded widget shows
it (colour, greeting as text, corner, pre-chat fields); the screen works with the keyboard, at
768 px and on a phone, and the server's error shows by its field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.clients import WIDGET_DEFAULTS
from tests.servers import ADMIN_EMAIL, ADMIN_PASSWORD, Server
from tests.web.helpers import (
    PHONE,
    admin,
    assert_fits_width,
    axe_violations,
    new_page,
    shot,
    widget_frame,
)

GREETING = "Hola! <b>Ask us</b> anything, we answer in minutes"


@pytest.fixture
def restore(web: Server) -> Iterator[None]:
    """One server serves every browser test: leave the widget as the others expect it."""
    yield
    admin(web).call("PUT", "/widget-settings", WIDGET_DEFAULTS)


def widget_tab(web: Server, page: Page) -> None:
    page.goto(f"{web.base_url}/console")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Admin").click()
    page.get_by_role("button", name="Widget", exact=True).click()
    expect(page.get_by_label("Greeting (the widget's title)")).not_to_have_value("")


def rgb(page: Page, selector: str, prop: str) -> str:
    return str(page.locator(selector).evaluate(f"e => getComputedStyle(e).{prop}"))


@pytest.mark.usefixtures("restore")
def test_an_admin_restyles_the_widget_and_a_new_widget_shows_it(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts, viewport={"width": 768, "height": 1000}, bypass_csp=True)
    widget_tab(web, page)
    form = page.get_by_role("form", name="Widget settings")

    form.get_by_label("Colour", exact=True).fill("blue")
    form.get_by_role("button", name="Save widget settings").click()
    colour_field = form.locator(".field.bad")
    expect(colour_field).to_have_count(1)
    expect(colour_field.get_by_role("alert")).to_have_text(
        "Enter a colour as # and six hex digits, such as #2454d6."
    )
    expect(colour_field.get_by_label("Colour", exact=True)).to_have_value("blue")  # kept

    form.get_by_label("Colour", exact=True).fill("#FFCC00")
    form.get_by_label("Greeting (the widget's title)").fill(GREETING)
    form.get_by_label("Position").select_option("left")
    form.get_by_label("Name field").select_option("hidden")
    form.get_by_label("Topics offered (empty: the teams' skills)").fill("Orders, returns")
    preview = page.get_by_test_id("widget-preview")
    expect(preview.locator(".mock-bar")).to_have_text(GREETING)  # text, not markup
    assert (
        rgb(page, "[data-testid=widget-preview] .mock-bar", "backgroundColor") == "rgb(255, 204, 0)"
    )
    assert rgb(page, "[data-testid=widget-preview] .mock-bar", "color") == "rgb(29, 36, 51)"
    form.get_by_role("button", name="Save widget settings").click()
    expect(form.get_by_role("status")).to_contain_text("Saved.")
    expect(form.get_by_role("alert")).to_have_count(0)
    assert axe_violations(page) == [], "widget settings"
    assert_fits_width(page)
    shot(page, "console-admin-widget-768")

    stored = admin(web).call("GET", "/widget-settings")
    assert stored["colour"] == "#ffcc00" and stored["position"] == "left"
    assert stored["greeting"] == GREETING and stored["topics"] == ["orders", "returns"]
    assert stored["prechat_fields"] == {"name": "hidden", "email": "optional"}

    # A fresh page with the widget, as a visitor loads it: nothing redeployed.
    site = new_page(browser, contexts, viewport={"width": 768, "height": 900})
    site.goto(f"{web.base_url}/demo")
    frame = site.locator("iframe[data-helpline]")
    widget = site.frame_locator("iframe[data-helpline]")
    launcher = widget.get_by_role("button", name="Open chat")
    expect(launcher).to_be_visible()
    inner = widget_frame(site)
    style = "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]"
    assert inner.locator(".launcher").evaluate(style) == ["rgb(255, 204, 0)", "rgb(29, 36, 51)"]
    box = frame.bounding_box()
    assert box is not None and box["x"] == 0, f"the closed widget is not on the left: {box}"
    launcher.click()
    header = widget.get_by_role("heading", level=1)
    expect(header).to_have_text(GREETING)
    expect(header.locator("b")).to_have_count(0)
    assert inner.locator("header").evaluate(style) == ["rgb(255, 204, 0)", "rgb(29, 36, 51)"]
    start = widget.locator("form.prechat button[type=submit]")
    assert start.evaluate(style) == ["rgb(255, 204, 0)", "rgb(29, 36, 51)"]
    expect(widget.get_by_label("Name")).to_have_count(0)
    expect(widget.get_by_label("Email")).to_be_visible()
    # Optional, unless no agent is online (other tests' agents may be): then it is asked for.
    away = start.inner_text() == "Leave a message"
    assert widget.get_by_label("Email").evaluate("e => e.required") is away
    topics = widget.get_by_label("Topic").locator("option")
    expect(topics).to_have_text(["Something else", "Orders", "Returns"])
    box = frame.bounding_box()
    assert box is not None and box["x"] == 0, f"the open widget is not on the left: {box}"
    panel = widget.locator(".panel").bounding_box()
    assert panel is not None and panel["x"] < 20
    shot(site, "widget-settings-768")

    phone = new_page(browser, contexts, **PHONE)
    phone.goto(f"{web.base_url}/demo")
    small = phone.frame_locator("iframe[data-helpline]")
    small.get_by_role("button", name="Open chat").click()
    expect(small.get_by_role("heading", level=1)).to_have_text(GREETING)
    expect(small.get_by_label("Name")).to_have_count(0)
    shot(phone, "widget-settings-phone")


@pytest.mark.usefixtures("restore")
def test_widget_settings_work_from_the_keyboard_on_a_phone(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts, **PHONE)
    widget_tab(web, page)
    page.get_by_label("Greeting (the widget's title)").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Questions? Ask away")
    page.keyboard.press("Tab")  # position
    page.keyboard.press("Tab")  # name field
    page.keyboard.press("Tab")  # email field
    page.keyboard.press("ArrowDown")  # optional -> not asked
    expect(page.get_by_label("Email field")).to_have_value("hidden")
    page.keyboard.press("Tab")  # topics
    page.keyboard.press("Enter")  # submits the form
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    stored = admin(web).call("GET", "/widget-settings")
    assert stored["greeting"] == "Questions? Ask away"
    assert stored["prechat_fields"]["email"] == "hidden"
    assert_fits_width(page)
    shot(page, "console-admin-widget-phone")
