"""Browser tests use Playwright's sync API, which runs its own event loop: no async fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _close_clients() -> None:
    """Overrides the suite-wide async cleanup; these tests open no async clients."""
