"""History in the console: yesterday's chat found by a word in it, opened read-only; by mouse and
by keyboard alone, at 768 px and on a phone."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import text

from helpline.core.db import Database
from tests.servers import Server
from tests.web.helpers import (
    PHONE,
    agent_console,
    assert_fits_width,
    make_team,
    new_page,
    shot,
    visitor_send,
    visitor_start,
)

LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen" * 2


def finished_yesterday(web: Server, tag: str, visitor: str, texts: list[str]) -> int:
    """A chat the visitor started and left yesterday, holding ``texts``."""
    token, cid = visitor_start(web, name=visitor, topic=tag)
    visitor_send(web, token, cid, texts)
    r = httpx.post(
        f"{web.base_url}/api/v1/rt/frames",
        headers={"Authorization": f"Bearer {token}"},
        json={"type": "end", "conversation_id": cid},
    )
    assert r.status_code == 200, r.text

    async def backdate() -> None:
        db = Database(web.db_url)
        try:
            async with db.write() as s:
                yesterday = datetime.now(UTC) - timedelta(days=1)
                await s.execute(
                    text("UPDATE conversations SET created_at = :at WHERE id = :id"),
                    {"at": yesterday, "id": cid},
                )
        finally:
            await db.close()

    # Playwright's sync API runs an event loop in this thread: use another one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, backdate()).result()
    return cid


def open_history(page: Page) -> None:
    page.get_by_role("button", name="History").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()


def test_an_agent_finds_yesterdays_chat_by_a_word_and_reads_it(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    tag = "history1"
    _, emails = make_team(web, tag)
    cid = finished_yesterday(
        web, tag, "Hermione Granger-Longname", ["My parcel never came", f"Tracking {LONG_WORD}"]
    )
    for n in range(30):  # many rows around it
        finished_yesterday(web, tag, f"Visitor {n}", [f"Question number {n} about invoices"])
    page = new_page(browser, contexts, viewport={"width": 768, "height": 900})
    agent_console(web, page, emails[0], online=False)
    open_history(page)
    page.get_by_label("Words").fill("parcel nev")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("region", name="Results")
    expect(results.get_by_role("status")).to_have_text("1 found")
    hit = results.get_by_role("button", name=re.compile(rf"^#{cid} "))
    expect(hit).to_contain_text("My parcel never came")
    page.get_by_label("From").fill((datetime.now(UTC) - timedelta(days=1)).date().isoformat())
    page.get_by_role("button", name="Search").click()
    expect(results.get_by_role("status")).to_have_text("1 found")
    page.get_by_label("From").fill(datetime.now(UTC).date().isoformat())
    page.get_by_role("button", name="Search").click()
    expect(results.get_by_role("status")).to_have_text("No conversations found.")

    page.get_by_label("From").fill("")
    page.get_by_label("Words").fill("invoices")
    page.get_by_role("button", name="Search").click()
    expect(results.get_by_role("status")).to_have_text("25+ found")
    page.get_by_role("button", name="Show more").click()
    expect(results.get_by_role("status")).to_have_text("30 found")
    shot(page, "console-history-768")

    page.get_by_label("Words").fill("parcel")
    page.get_by_role("button", name="Search").click()
    results.get_by_role("button", name=re.compile(rf"^#{cid} ")).click()
    transcript = page.get_by_role("main", name=f"Conversation #{cid}")
    expect(transcript.get_by_text("My parcel never came")).to_be_visible()
    expect(transcript.get_by_text("Read only")).to_be_visible()
    expect(page.get_by_role("textbox")).to_have_count(0)  # no composer
    assert_fits_width(page)
    shot(page, "console-history-transcript")
    page.get_by_role("button", name="Back to results").click()
    expect(results.get_by_role("button", name=re.compile(rf"^#{cid} "))).to_be_visible()


def test_history_works_from_the_keyboard_on_a_phone(
    web: Server, browser: Browser, contexts: list[BrowserContext]
) -> None:
    tag = "history2"
    _, emails = make_team(web, tag)
    cid = finished_yesterday(web, tag, "Kim", ["The blue kettle leaks"])
    page = new_page(browser, contexts, **PHONE)
    agent_console(web, page, emails[0], online=False)
    page.goto(page.url.split("#")[0] + "#/history")  # the address keeps the screen
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    page.get_by_label("Words").focus()
    page.keyboard.type("kettle")
    page.keyboard.press("Enter")
    hit = page.get_by_role("button", name=re.compile(rf"^#{cid} "))
    expect(hit).to_be_visible()
    hit.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("The blue kettle leaks")).to_be_visible()
    assert_fits_width(page)
    shot(page, "console-history-phone")
