"""Take the README's screenshots against a running `make run` server.

    python scripts/screenshots.py --email ana@example.com --password ...

Logs an agent into the console, starts a chat from /demo, exchanges a few messages, and saves
docs/screenshots/{widget,console,widget-phone}.png.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        agent = browser.new_context(viewport={"width": 1280, "height": 760}).new_page()
        agent.goto(f"{args.base}/console")
        agent.get_by_label("Email").fill(args.email)
        agent.get_by_label("Password").fill(args.password)
        agent.get_by_role("button", name="Log in").click()
        agent.get_by_label("Your status").select_option("online")

        visitor = browser.new_context(viewport={"width": 1100, "height": 760}).new_page()
        visitor.goto(f"{args.base}/demo")
        widget = visitor.frame_locator("iframe[data-helpline]")
        widget.get_by_role("button", name="Open chat").click()
        widget.get_by_label("Name").fill("Maria Garcia")
        widget.get_by_label("Email").fill("maria@example.com")
        widget.get_by_label("How can we help? (optional)").fill(
            "Hi! My order ORD-1182 has not arrived yet."
        )
        widget.get_by_role("button", name="Start chat").click()
        widget.get_by_text("ORD-1182").wait_for()

        agent.get_by_role("button", name="Accept").click()
        reply = agent.get_by_label("Reply")
        reply.fill(
            "Hi Maria, I'm Ana. Let me check ORD-1182 for you: https://example.com/track/1182"
        )
        reply.press("Enter")
        agent.get_by_label("Internal note").check()
        agent.get_by_role("textbox", name="Internal note").fill(
            "Carrier shows a delay at the depot."
        )
        agent.get_by_role("button", name="Add note").click()
        widget.get_by_text("Let me check").wait_for()
        widget.get_by_label("Your message").fill("Thanks! It was a birthday present.")
        widget.get_by_label("Your message").press("Enter")
        agent.get_by_text("birthday present").wait_for()
        agent.get_by_role("button", name="Customer").click()
        agent.get_by_text("Past conversations").wait_for()
        visitor.screenshot(path=OUT / "widget.png")
        agent.screenshot(path=OUT / "console.png")

        # On a phone the open widget covers the whole screen; show it mid-chat.
        phone = browser.new_context(
            viewport={"width": 390, "height": 780}, is_mobile=True, has_touch=True
        ).new_page()
        phone.goto(f"{args.base}/demo")
        small = phone.frame_locator("iframe[data-helpline]")
        small.get_by_role("button", name="Open chat").click()
        small.get_by_label("Name").fill("Tom Berg")
        small.get_by_label("Email").fill("tom@example.com")
        small.get_by_label("How can we help? (optional)").fill(
            "Can I swap the tent I bought for the bigger one?"
        )
        small.get_by_role("button", name="Start chat").click()
        pane = agent.get_by_role("region", name=re.compile("with Tom Berg"))
        pane.get_by_role("button", name="Accept").click()
        pane.get_by_label("Reply").fill(
            "Of course! Bring it to any store within 30 days, or see https://example.com/returns"
        )
        pane.get_by_label("Reply").press("Enter")
        small.get_by_text("Bring it to any store").wait_for()
        phone.screenshot(path=OUT / "widget-phone.png")
        browser.close()
    print(f"saved to {OUT}")


if __name__ == "__main__":
    main()
