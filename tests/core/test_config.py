"""Settings come from the environment; every documented variable is read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpline.core.config import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def test_tuning_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPLINE_DEFAULT_HANDLE_TIME_S", "42.5")
    monkeypatch.setenv("HELPLINE_REPLAY_LIMIT", "50")
    monkeypatch.setenv("HELPLINE_TYPING_RATE", "3/1")
    monkeypatch.setenv("HELPLINE_RECEIPT_RATE", "4/2")
    settings = Settings.from_env()
    assert settings.default_handle_time_s == 42.5
    assert settings.replay_limit == 50
    assert settings.typing_rate == (3, 1.0) and settings.receipt_rate == (4, 2.0)


def test_every_documented_variable_changes_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """A variable in the operations table that nothing reads is a promise the code breaks."""
    documented = set(re.findall(r"^\| `HELPLINE_([A-Z_]+)` \|", DOCS.read_text(), re.M))
    assert "DEFAULT_HANDLE_TIME_S" in documented
    defaults = Settings.from_env()
    for name in sorted(documented):
        value = "7/7" if name.endswith("_RATE") else "7"
        if name in ("DATABASE_URL", "REDIS_URL", "PUBLIC_URL"):
            value = "sqlite+aiosqlite:///x.db" if name == "DATABASE_URL" else "redis://h:1"
        monkeypatch.setenv(f"HELPLINE_{name}", value)
        assert Settings.from_env() != defaults, f"HELPLINE_{name} is documented but never read"
        monkeypatch.delenv(f"HELPLINE_{name}")
