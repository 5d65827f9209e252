"""Admin in the console: a team and two agents with skills made without the API; the server's
error shown by the field it is about; usable with the keyboard, at 768 px and on a phone."""

from __future__ import annotations

import secrets

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.servers import ADMIN_EMAIL, ADMIN_PASSWORD, Server
from tests.web.helpers import PHONE, admin, assert_fits_width, new_page, shot


def admin_console(web: Server, page: Page) -> None:
    page.goto(f"{web.base_url}/console")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Admin").click()
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()


def test_an_admin_sets_up_a_team_and_its_agents_in_the_console(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    tag = secrets.token_hex(3)
    page = new_page(browser, contexts, viewport={"width": 768, "height": 1000})
    admin_console(web, page)

    page.get_by_role("button", name="New team").click()
    form = page.get_by_role("form", name="New team")
    form.get_by_label("Name").fill(f"Returns {tag}")
    form.get_by_label("Skills (topics it answers)").fill("Returns, Refunds")
    form.get_by_label("Languages").fill("en es")
    form.get_by_label("Chats per agent").fill("3")
    form.get_by_role("button", name="Create team").click()
    row = page.get_by_role("row", name=f"Returns {tag}")
    expect(row).to_contain_text("returns, refunds")
    expect(row).to_contain_text("3")
    expect(row).to_contain_text("default")  # skills dropped after the server's default wait

    page.get_by_role("button", name=f"Edit team Returns {tag}").click()
    form = page.get_by_role("form", name=f"Edit team Returns {tag}")
    form.get_by_label("Drop skills after (seconds)").fill("30")
    shot(page, "console-admin-team-form-768")
    form.get_by_role("button", name="Save team").click()
    expect(row).to_contain_text("30 s")
    teams = {t["name"]: t for t in admin(web).call("GET", "/teams")}
    assert teams[f"Returns {tag}"]["relax_skills_after_s"] == 30

    page.get_by_role("button", name="Users").click()
    for name in (f"Ada {tag}", f"Bo {tag}"):
        page.get_by_role("button", name="New user").click()
        form = page.get_by_role("form", name="New user")
        form.get_by_label("E-mail").fill(f"{name.split()[0].lower()}.{tag}@example.com")
        form.get_by_label("Name").fill(name)
        form.get_by_label("Password", exact=True).fill("correct-horse-battery-staple-9")
        form.get_by_label("Skills").fill("returns")
        form.get_by_label(f"Returns {tag}").check()
        form.get_by_role("button", name="Create user").click()
        expect(page.get_by_role("row", name=name)).to_contain_text(f"Returns {tag}")

    made = {u["name"]: u for u in admin(web).call("GET", "/users")}
    for name in (f"Ada {tag}", f"Bo {tag}"):
        assert made[name]["skills"] == ["returns"] and made[name]["role"] == "agent"
    shot(page, "console-admin-users-768")


def test_the_servers_error_shows_by_its_field_and_keeps_the_input(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    tag = secrets.token_hex(3)
    page = new_page(browser, contexts, viewport={"width": 768, "height": 1000})
    admin_console(web, page)
    page.get_by_role("button", name="Users").click()
    page.get_by_role("button", name="New user").click()
    form = page.get_by_role("form", name="New user")
    form.get_by_label("E-mail").fill(f"weak.{tag}@example.com")
    form.get_by_label("Name").fill(f"Weak {tag}")
    form.get_by_label("Password", exact=True).fill("password1")
    form.get_by_label("Skills").fill("no spaces allowed! ")
    form.get_by_role("button", name="Create user").click()
    error = form.locator(".field.bad")
    expect(error).to_have_count(1)
    expect(error.get_by_role("alert")).to_have_text(
        "Use lower-case letters, digits, - and _ only, separated by commas."
    )
    expect(form.get_by_label("Name")).to_have_value(f"Weak {tag}")  # the input is kept
    shot(page, "console-admin-error")


def test_admin_works_from_the_keyboard_on_a_phone(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    tag = secrets.token_hex(3)
    page = new_page(browser, contexts, **PHONE)
    admin_console(web, page)
    page.get_by_role("button", name="New team").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the name field
    page.keyboard.type(f"Night shift {tag} with a very long name indeed")
    page.keyboard.press("Enter")  # submits the form
    expect(page.get_by_role("row", name=f"Night shift {tag}")).to_be_visible()
    assert_fits_width(page)
    shot(page, "console-admin-phone")


def test_canned_responses_and_resolution_codes_are_managed_in_the_console(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    tag = secrets.token_hex(3)
    page = new_page(browser, contexts, viewport={"width": 768, "height": 1000})
    admin_console(web, page)
    page.get_by_role("button", name="Canned responses").click()
    page.get_by_role("button", name="New canned response").click()
    form = page.get_by_role("form", name="New canned response")
    form.get_by_label("Shortcut (typed after /)").fill(f"thanks{tag}")
    form.get_by_label("Title").fill("Thanks")
    form.get_by_label("Text").fill("<b>Thanks</b> {{customer.first_name}}, {{customer.nick}}!")
    expect(form.locator(".bubble")).to_have_text("<b>Thanks</b> Ada, !")  # text, not markup
    expect(form.get_by_role("alert")).to_contain_text("Not a variable: customer.nick")
    form.get_by_role("button", name="Create canned response").click()
    expect(page.get_by_role("row", name=f"/thanks{tag}")).to_be_visible()
    shot(page, "console-admin-canned")

    page.get_by_role("button", name="New canned response").click()
    form = page.get_by_role("form", name="New canned response")
    form.get_by_label("Shortcut (typed after /)").fill(f"thanks{tag}")
    form.get_by_label("Title").fill("Again")
    form.get_by_label("Text").fill("Twice")
    form.get_by_role("button", name="Create canned response").click()
    expect(
        form.locator(".field", has=page.get_by_label("Shortcut (typed after /)"))
    ).to_contain_text("That shortcut is already used.")
    form.get_by_role("button", name="Cancel").click()

    page.get_by_role("button", name="Resolution codes").click()
    codes = page.get_by_role("form", name="New resolution code")
    codes.get_by_label("Code").fill(f"goodwill-{tag}")
    codes.get_by_label("Label").fill("Goodwill credit")
    codes.get_by_role("button", name="Add code").click()
    row = page.get_by_role("row", name=f"goodwill-{tag}")
    expect(row).to_be_visible()
    row.get_by_role("checkbox").uncheck()
    expect(row).to_contain_text("retired")
    listed = {c["code"]: c for c in admin(web).call("GET", "/resolution-codes")}
    assert listed[f"goodwill-{tag}"]["active"] is False
