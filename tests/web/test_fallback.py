"""The widget and the console behind a proxy that refuses WebSocket upgrades: both fall back to
the event stream + POST transport, chat both ways, and return to WebSockets once they work."""

from __future__ import annotations

import asyncio
import dataclasses
import random
import re
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, FrameLocator, Locator, expect

from tests.servers import Server
from tests.web.helpers import agent_console, make_team, new_page, reply, shot, start_chat

# While on the event stream the clients try a WebSocket again after this long (doubling, up to
# eight times as long); in production a minute.
RETRY_MS = 500


class Proxy:
    """Forwards HTTP to a server byte for byte, one request per connection, so a streamed
    response passes as it is written; answers WebSocket upgrades with 403 until
    ``allow_upgrades`` is set. Runs its own event loop in a thread (Playwright's sync API owns
    the test's)."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.allow_upgrades = False
        self.refused = 0  # upgrades answered with 403
        self.jitter_s = 0.0  # hold each plain request up to this long, as a slow network may
        self.open = {"websocket": 0, "stream": 0, "other": 0}  # connections open now, by kind
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.tasks: set[asyncio.Task[None]] = set()

    @property
    def websockets(self) -> int:
        return self.open["websocket"]

    @property
    def streams(self) -> int:
        return self.open["stream"]

    def start(self) -> str:
        self.thread.start()
        opened = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self.loop
        )
        self.server = opened.result(10)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    def stop(self) -> None:
        async def shutdown() -> None:
            self.server.close()
            for task in list(self.tasks):
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            await self._forward(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self.tasks.discard(task)
            writer.close()

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        fields = [line.partition(":") for line in lines[1:] if line]
        headers = {name.strip().lower(): value.strip().lower() for name, _, value in fields}
        upgrade = headers.get("upgrade") == "websocket"
        if upgrade and not self.allow_upgrades:
            self.refused += 1
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            return
        if not upgrade:  # the server closes after the response: its end needs no parsing here
            await asyncio.sleep(random.uniform(0, self.jitter_s))
            kept = [
                line for line in lines[1:] if line and not line.lower().startswith("connection")
            ]
            lines = [lines[0], *kept, "Connection: close", "", ""]
        kind = (
            "websocket" if upgrade else "stream" if " /api/v1/rt/stream " in lines[0] else "other"
        )
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        self.open[kind] += 1
        try:
            up_writer.write("\r\n".join(lines).encode("latin-1"))
            pipes = {
                asyncio.create_task(_pipe(reader, up_writer)),
                asyncio.create_task(_pipe(up_reader, writer)),
            }
            try:
                await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for pipe in pipes:
                    pipe.cancel()
                await asyncio.gather(*pipes, return_exceptions=True)
        finally:
            self.open[kind] -= 1
            up_writer.close()


async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
    while data := await src.read(65536):
        dst.write(data)
        await dst.drain()


@pytest.fixture
def proxy(web: Server) -> Iterator[tuple[Proxy, Server]]:
    """The proxy, and the server as seen through it."""
    proxy = Proxy(int(web.base_url.rsplit(":", 1)[1]))
    behind = dataclasses.replace(web, base_url=proxy.start())
    yield proxy, behind
    proxy.stop()


def wait_until(check: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


def message_texts(messages: Locator, expected: list[str]) -> list[str]:
    """Which of ``expected`` the message bubbles show, in the order shown, repeats included."""
    return [text for bubble in messages.all_inner_texts() for text in expected if text in bubble]


def chat_both_ways(widget: FrameLocator, pane: Locator, texts: list[str], round_: str) -> None:
    """The visitor and the agent take turns; each message must arrive before the next is sent."""
    for i in range(3):
        said = f"{round_} visitor {i}."
        texts.append(said)
        widget.get_by_label("Your message").fill(said)
        widget.get_by_label("Your message").press("Enter")
        expect(pane.get_by_text(said)).to_have_count(1)
        answer = f"{round_} agent {i}."
        texts.append(answer)
        reply(pane, answer)
        expect(widget.get_by_text(answer)).to_have_count(1)


def assert_each_once_in_order(widget: FrameLocator, pane: Locator, texts: list[str]) -> None:
    # Give a late duplicate (a replay, a resent message) time to show.
    time.sleep(1)
    assert message_texts(widget.locator("li.msg"), texts) == texts
    assert message_texts(pane.locator("li.msg"), texts) == texts
    expect(widget.get_by_text("Sending…")).to_have_count(0)


def test_clients_fall_back_when_upgrades_are_refused_and_return_when_they_work(
    web: Server, browser: Browser, contexts: list[BrowserContext], proxy: tuple[Proxy, Server]
) -> None:
    gate, behind = proxy
    _, emails = make_team(web, "fallback", ["Fay Fallback"])
    agent = new_page(browser, contexts, viewport={"width": 768, "height": 800})
    visitor = new_page(browser, contexts)
    for page in (agent, visitor):
        page.context.add_init_script(f"window.HELPLINE_WS_RETRY_MS = {RETRY_MS}")

    agent_console(behind, agent, emails[0])
    widget = start_chat(behind, visitor, name="Wes", topic="fallback", message="Hello via HTTP.")
    pane = agent.get_by_role("region", name=re.compile("with Wes"))
    pane.get_by_role("button", name="Accept").click()
    expect(agent.get_by_text("HTTP", exact=True)).to_be_visible()
    wait_until(lambda: gate.streams == 2, "each client has one event stream open")
    assert gate.websockets == 0
    assert gate.refused >= 4, "each client tried WebSockets first"
    shot(agent, "fallback-console-768")

    texts = ["Hello via HTTP."]
    chat_both_ways(widget, pane, texts, "Blocked:")
    assert_each_once_in_order(widget, pane, texts)
    assert gate.websockets == 0

    gate.allow_upgrades = True
    wait_until(lambda: gate.websockets == 2 and gate.streams == 0, "both clients use WebSockets")
    expect(agent.get_by_text("HTTP", exact=True)).to_have_count(0)
    chat_both_ways(widget, pane, texts, "Upgraded:")
    assert_each_once_in_order(widget, pane, texts)
    assert gate.streams == 0


def test_quick_messages_keep_their_order_on_the_fallback_and_while_switching_back(
    web: Server, browser: Browser, contexts: list[BrowserContext], proxy: tuple[Proxy, Server]
) -> None:
    gate, behind = proxy
    _, emails = make_team(web, "switching", ["Sam Switch"])
    agent = new_page(browser, contexts, viewport={"width": 1280, "height": 800})
    visitor = new_page(browser, contexts)
    for page in (agent, visitor):
        page.context.add_init_script(f"window.HELPLINE_WS_RETRY_MS = {RETRY_MS}")
    agent_console(behind, agent, emails[0])
    widget = start_chat(behind, visitor, name="Vic", topic="switching", message="First.")
    pane = agent.get_by_role("region", name=re.compile("with Vic"))
    pane.get_by_role("button", name="Accept").click()
    expect(agent.get_by_text("HTTP", exact=True)).to_be_visible()

    # Each side sends faster than the (slow) posts are answered, first on the fallback, then
    # while the clients move to WebSockets. With this jitter, posts sent side by side would
    # reach the server out of order; the client posts one at a time.
    texts = ["First."]
    gate.jitter_s = 1.0
    for phase in ("blocked", "switching"):
        gate.allow_upgrades = phase == "switching"
        for i in range(5):
            said, answer = f"Visitor {phase} {i}.", f"Agent {phase} {i}."
            texts += [said, answer]
            widget.get_by_label("Your message").fill(said)
            widget.get_by_label("Your message").press("Enter")
            reply(pane, answer)
            agent.wait_for_timeout(50)
    wait_until(lambda: gate.websockets == 2 and gate.streams == 0, "both clients use WebSockets")
    for text in texts:
        expect(pane.get_by_text(text)).to_have_count(1)
        expect(widget.get_by_text(text)).to_have_count(1)
    expect(widget.get_by_text("Sending…")).to_have_count(0)
    # Each sender's messages arrive in the order they were sent.
    for side in (widget.locator("li.msg"), pane.locator("li.msg")):
        shown = message_texts(side, texts)
        for who in ("Visitor", "Agent"):
            assert [t for t in shown if t.startswith(who)] == [
                t for t in texts if t.startswith(who)
            ]
