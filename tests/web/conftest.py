"""Browser tests use Playwright's sync API, which runs its own event loop: no async fixtures.

One server and one Chromium serve every browser test; each test makes its own team (and so its
own agents and chats), so tests cannot see each other's chats.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from helpline.web import STATIC
from tests.servers import Server, start_server
from tests.web.helpers import ARGS, CHROMIUM, close_apis


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    """Overrides the suite-wide async cleanup; these tests open only sync REST clients."""
    yield
    close_apis()


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not (STATIC / "app" / "widget" / "index.html").is_file():
        pytest.fail("web assets are not built: run `make web` (make test does)")
    workdir = tmp_path_factory.mktemp("web")
    srv = start_server(f"sqlite+aiosqlite:///{workdir}/helpline.db", workdir)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs it from Debian packages")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for ctx in made:
        ctx.close()
