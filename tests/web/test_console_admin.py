"""Admin in the console: a team and two agents with skills made without the API; the server's
error shown by the field it is about; usable with the keyboard, at 768 px and on a phone."""

from __future__ import annotations

import secrets

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.servers import ADMIN_EMAIL, ADMIN_PASSWORD, Server
from tests.web.helpers import (
    PASSWORD,
    PHONE,
    admin,
    assert_fits_width,
    assert_words_whole,
    box_of,
    new_page,
    shot,
    viewport_box,
)


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
    form.get_by_label("Name", exact=True).fill(f"Returns {tag}")
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

    page.get_by_role("button", name="Users", exact=True).click()
    for name in (f"Ada {tag}", f"Bo {tag}"):
        page.get_by_role("button", name="New user").click()
        form = page.get_by_role("form", name="New user")
        form.get_by_label("E-mail").fill(f"{name.split()[0].lower()}.{tag}@example.com")
        form.get_by_label("Name", exact=True).fill(name)
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
    page.get_by_role("button", name="Users", exact=True).click()
    page.get_by_role("button", name="New user").click()
    form = page.get_by_role("form", name="New user")
    form.get_by_label("E-mail").fill(f"weak.{tag}@example.com")
    form.get_by_label("Name", exact=True).fill(f"Weak {tag}")
    form.get_by_label("Password", exact=True).fill("password1")
    form.get_by_label("Skills").fill("no spaces allowed! ")
    form.get_by_role("button", name="Create user").click()
    error = form.locator(".field.bad")
    expect(error).to_have_count(1)
    expect(error.get_by_role("alert")).to_have_text(
        "Use lower-case letters, digits, - and _ only, separated by commas."
    )
    expect(form.get_by_label("Name", exact=True)).to_have_value(f"Weak {tag}")  # the input is kept
    shot(page, "console-admin-error")


def test_admin_works_from_the_keyboard_on_a_phone(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    tag = secrets.token_hex(3)
    page = new_page(browser, contexts, **PHONE)
    admin_console(web, page)
    page.get_by_role("button", name="New team").focus()
    page.keyboard.press("Enter")  # the form opens with the name field focused
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
    page.get_by_role("button", name="Canned responses", exact=True).click()
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


def add_code(page: Page, code: str, label: str) -> None:
    form = page.get_by_role("form", name="New resolution code")
    form.get_by_label("Code").fill(code)
    form.get_by_label("Label").fill(label)
    form.get_by_role("button", name="Add code").click()


def test_resolution_codes_are_compact_rows_saved_with_their_own_button(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    tag = secrets.token_hex(3)
    code = f"goodwill-{tag}"
    for width in (1280, 768):
        page = new_page(browser, contexts, viewport={"width": width, "height": 900})
        admin_console(web, page)
        page.get_by_role("button", name="Resolution codes", exact=True).click()
        if width == 1280:
            add_code(page, code, "Goodwill credit")
        row = page.get_by_role("row", name=code)
        expect(row.get_by_label(f"Label of {code}")).to_have_value("Goodwill credit")
        assert box_of(row)["height"] < 90, f"a {box_of(row)['height']}px row at {width}px"
        check, words = box_of(row.get_by_role("checkbox")), box_of(row.locator("label.check"))
        assert words["x"] <= check["x"] < words["x"] + 4 and check["height"] < 30
        assert words["width"] < 200 and words["height"] < 30, f"the label is squeezed: {words}"
        assert_fits_width(page)
        shot(page, f"console-admin-codes-{width}")

    label = row.get_by_label(f"Label of {code}")
    label.fill("Goodwill credit issued")
    label.blur()
    assert admin(web).call("GET", "/resolution-codes") != [], "the list still loads"
    labels = {c["code"]: c["label"] for c in admin(web).call("GET", "/resolution-codes")}
    assert labels[code] == "Goodwill credit", "leaving the field saves nothing"
    row.get_by_role("checkbox", name="Offered at wrap-up").uncheck()
    row.get_by_role("button", name=f"Save {code}").click()
    expect(row.get_by_role("status")).to_have_text("Saved")
    expect(row).to_contain_text("(retired)")
    listed = {c["code"]: c for c in admin(web).call("GET", "/resolution-codes")}
    assert listed[code] == {"code": code, "label": "Goodwill credit issued", "active": False}
    label.fill("Goodwill")
    expect(row.get_by_role("status")).to_have_text("")  # the confirmation is about the saved text

    add_code(page, code, "Overwrite it")
    form = page.get_by_role("form", name="New resolution code")
    error = form.locator(".field", has=page.get_by_label("Code", exact=True)).get_by_role("alert")
    expect(error).to_have_text("A resolution code with that name already exists.")
    assert (
        admin(web).call("GET", "/resolution-codes")
        and {c["code"]: c["label"] for c in admin(web).call("GET", "/resolution-codes")}[code]
        == "Goodwill credit issued"
    ), "an add never overwrites"
    form.get_by_label("Code", exact=True).press("End")
    form.get_by_label("Code", exact=True).press_sequentially("-2")
    expect(error).to_have_count(0)
    shot(page, "console-admin-codes-after")


def test_a_field_error_is_shown_by_its_field_and_goes_once_it_is_edited(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    tag = secrets.token_hex(3)
    admin(web).call("POST", "/teams", {"name": f"Outdoor Gear {tag}"})
    page = new_page(browser, contexts, viewport={"width": 768, "height": 1000})
    admin_console(web, page)
    page.get_by_role("button", name="New team").click()
    form = page.get_by_role("form", name="New team")
    form.get_by_label("Name", exact=True).fill(f"Outdoor Gear {tag}")
    form.get_by_role("button", name="Create team").click()
    name = form.locator(".field", has=page.get_by_label("Name", exact=True))
    expect(name.get_by_role("alert")).to_have_text("A team with that name already exists.")
    expect(form.get_by_role("alert")).to_have_count(1)
    shot(page, "console-admin-team-duplicate")
    form.get_by_label("Skills (topics it answers)").fill("kayaks")
    expect(name.get_by_role("alert")).to_be_visible()  # another field keeps the error
    form.get_by_label("Name", exact=True).press("End")
    form.get_by_label("Name", exact=True).press_sequentially(" 2")
    expect(form.get_by_role("alert")).to_have_count(0)
    form.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("row", name=f"Outdoor Gear {tag} 2")).to_be_visible()

    page.get_by_role("button", name="Users", exact=True).click()
    page.get_by_role("button", name="New user").click()
    form = page.get_by_role("form", name="New user")
    form.get_by_label("E-mail").fill(ADMIN_EMAIL)
    form.get_by_label("Name", exact=True).fill("Again")
    form.get_by_label("Password", exact=True).fill("correct-horse-battery-staple-9")
    form.get_by_role("button", name="Create user").click()
    email = form.locator(".field", has=page.get_by_label("E-mail"))
    expect(email.get_by_role("alert")).to_have_text("A user with that email already exists.")
    form.get_by_label("E-mail").fill(f"again.{tag}@example.com")
    expect(form.get_by_role("alert")).to_have_count(0)
    form.get_by_role("button", name="Cancel").click()

    page.get_by_role("button", name="Widget", exact=True).click()
    colour = page.get_by_label("Colour", exact=True)
    colour.fill("blue")
    page.get_by_role("button", name="Save widget settings").click()
    expect(page.locator("#w-error-colour")).to_be_visible()
    colour.fill("#2454d6")
    expect(page.locator("#w-error-colour")).to_have_count(0)
    expect(colour).not_to_have_attribute("aria-invalid", "true")


def test_a_new_form_takes_focus_and_gives_it_back(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    tag = secrets.token_hex(3)
    admin(web).call("POST", "/teams", {"name": f"Focus {tag}"})
    page = new_page(browser, contexts, viewport={"width": 1280, "height": 900})
    admin_console(web, page)
    for tab, button, first in [
        ("Teams", "New team", "Name"),
        ("Users", "New user", "E-mail"),
        ("Canned responses", "New canned response", "Shortcut (typed after /)"),
    ]:
        page.get_by_role("button", name=tab, exact=True).click()
        opener = page.get_by_role("button", name=button)
        opener.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_label(first, exact=True)).to_be_focused()
        page.get_by_role("button", name="Cancel").focus()
        page.keyboard.press("Enter")
        expect(opener).to_be_focused()
    page.get_by_role("button", name="Teams", exact=True).click()
    edit = page.get_by_role("button", name=f"Edit team Focus {tag}")
    edit.click()
    form = page.get_by_role("form", name=f"Edit team Focus {tag}")
    expect(form.get_by_label("Name", exact=True)).to_be_focused()
    page.get_by_role("button", name="Cancel").click()
    expect(edit).to_be_focused()


def assert_within_width(page: Page, target: Locator) -> None:
    """``target`` is shown, not clipped left or right (scrolling down may still be needed)."""
    expect(target).to_be_visible()
    box = box_of(target)
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport_box(page)["width"], box


def test_admin_tables_keep_their_actions_and_whole_words_on_a_phone(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    tag = secrets.token_hex(3)
    root = admin(web)
    root.call("POST", "/teams", {"name": f"Outdoor Gear {tag}", "skills": ["camping", "tents"]})
    body = "Thanks for waiting, {{customer.first_name}}. " * 6
    root.call(
        "POST",
        "/canned-responses",
        {"team_id": None, "shortcut": f"wait{tag}", "title": "Thanks for waiting", "body": body},
    )
    email = f"outdoor.gear.{tag}@example.com"
    root.call("POST", "/users", {"email": email, "name": f"Gear {tag}", "password": PASSWORD})
    # Retired, so chats closed in other tests are not offered it.
    code = {"code": f"phone-{tag}", "label": "Phone", "active": False}
    root.call("POST", "/resolution-codes", code)

    page = new_page(browser, contexts, viewport={"width": 768, "height": 1000})
    admin_console(web, page)
    team = page.get_by_role("row", name=f"Outdoor Gear {tag}")
    assert_words_whole(team.get_by_role("cell").nth(0))
    assert_words_whole(team.get_by_role("cell").nth(1))
    page.get_by_role("button", name="Users", exact=True).click()
    assert_words_whole(page.get_by_role("cell", name=ADMIN_EMAIL))
    assert_words_whole(page.get_by_role("cell", name=email))  # breaks before its @ if at all
    page.get_by_role("button", name="Canned responses", exact=True).click()
    text = page.get_by_role("row", name=f"/wait{tag}").locator(".clip")
    assert len(text.inner_text()) > 0 and box_of(text)["width"] > 200
    assert box_of(text)["height"] > 30, "the text gets more than one line"
    shot(page, "console-admin-canned-768")

    page = new_page(browser, contexts, **PHONE)
    admin_console(web, page)
    header = box_of(page.get_by_role("banner"))
    assert header["height"] < 56, f"the top bar is {header['height']}px tall"
    expect(page.get_by_role("heading", name="Helpline")).to_be_in_viewport()
    team = page.get_by_role("row", name=f"Outdoor Gear {tag}")
    skills = team.get_by_role("cell").nth(1)
    expect(skills).to_have_accessible_name("Skills camping, tents")  # with its column's name
    assert skills.evaluate("td => getComputedStyle(td, '::before').content") == '"Skills"'
    assert_within_width(page, team.get_by_role("button", name=f"Edit team Outdoor Gear {tag}"))
    page.get_by_role("button", name="Canned responses", exact=True).click()
    row = page.get_by_role("row", name=f"/wait{tag}")
    edit, delete = (row.get_by_role("button", name=f"{v} /wait{tag}") for v in ("Edit", "Delete"))
    for button in (edit, delete):
        assert_within_width(page, button)
    assert_fits_width(page)
    shot(page, "console-admin-canned-phone")
    edit.click()
    form = page.get_by_role("form", name=f"Edit /wait{tag}")
    expect(form.get_by_label("Title")).to_have_value("Thanks for waiting")
    form.get_by_label("Title").fill("Thanks for your patience")
    form.get_by_role("button", name="Save canned response").click()
    expect(row).to_contain_text("Thanks for your patience")
    page.once("dialog", lambda d: d.accept())
    delete.click()
    expect(row).to_have_count(0)

    page.get_by_role("button", name="Resolution codes", exact=True).click()
    code = page.get_by_role("row", name=f"phone-{tag}")
    assert_within_width(page, code.get_by_role("checkbox", name="Offered at wrap-up"))
    assert_within_width(page, code.get_by_role("button", name=f"Save phone-{tag}"))
    assert_fits_width(page)
    shot(page, "console-admin-codes-phone")
