"""The web protocol client's unit tests (web/tests/*.test.ts), run with node's test runner."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"


def test_protocol_client_unit_tests_pass() -> None:
    npm = shutil.which("npm")
    if npm is None or not (WEB / "node_modules" / ".bin" / "esbuild").exists():
        pytest.fail("node and web/node_modules are needed: run `make web` (make test does)")
    run = subprocess.run(
        [npm, "test", "--silent"], cwd=WEB, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "# fail 0" in run.stdout, run.stdout
