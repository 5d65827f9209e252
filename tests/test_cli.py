"""The helpline command, run as an operator would."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from helpline.cli import LogFormatter
from tests.servers import free_port


def helpline(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HELPLINE_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    return subprocess.run(
        [sys.executable, "-m", "helpline", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_demo_and_user_create(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert helpline("migrate", db=db).returncode == 0
    demo = helpline("demo", db=db)
    assert demo.returncode == 0, demo.stderr
    lines = [line.split() for line in demo.stdout.splitlines()[1:]]
    assert {line[1] for line in lines} >= {"admin@example.com", "ana@example.com"}
    assert all(len(line[2]) >= 12 for line in lines), "printed passwords"
    again = helpline("demo", db=db)
    assert again.returncode == 0 and again.stdout != demo.stdout, (
        "re-running is safe and rotates passwords"
    )

    made = helpline(
        "user",
        "create",
        "--email",
        "new@example.com",
        "--name",
        "New Agent",
        "--team",
        "Billing",
        db=db,
    )
    assert made.returncode == 0, made.stderr
    assert "Password:" in made.stdout
    dup = helpline("user", "create", "--email", "new@example.com", "--name", "Again", db=db)
    assert dup.returncode == 2 and "already exists" in dup.stderr
    no_team = helpline(
        "user", "create", "--email", "x@example.com", "--name", "X", "--team", "Nope", db=db
    )
    assert no_team.returncode == 2 and "No team named" in no_team.stderr


@contextlib.contextmanager
def serving(*options: str, db: Path) -> Iterator[tuple[str, Path]]:
    """``helpline serve`` with ``options`` on a free port; yields its URL and its log."""
    port = free_port()
    log = db.parent / f"serve-{port}.log"
    env = {**os.environ, "HELPLINE_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    cmd = [sys.executable, "-m", "helpline", "serve", "--port", str(port), *options]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                assert proc.poll() is None, log.read_text()
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
            yield url, log
        finally:
            proc.terminate()
            proc.wait(10)


def test_serve_trusts_the_proxies_it_is_told_and_logs_paths_without_queries(
    tmp_path: Path,
) -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    with serving("--forwarded-allow-ips", "127.0.0.1", db=tmp_path / "a.db") as (url, log):
        r = httpx.get(url + "/api/v1/conversations?q=4111111111111111", headers=forwarded)
        assert r.status_code == 401
        with contextlib.suppress(Exception):
            httpx.get(url + "/ws?token=not-for-logs", timeout=2)
    with serving("--no-proxy-headers", db=tmp_path / "b.db") as (url, untrusted):
        httpx.get(url + "/healthz?who=me", headers=forwarded)
    text = log.read_text()
    assert '203.0.113.7:0 - "GET /api/v1/conversations HTTP/1.1" 401' in text, text
    assert "4111111111111111" not in text and "not-for-logs" not in text
    assert "127.0.0.1:" in untrusted.read_text() and "203.0.113.7" not in untrusted.read_text()
    assert "who=me" not in untrusted.read_text()


def test_serve_options() -> None:
    usage = subprocess.run(
        [sys.executable, "-m", "helpline", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for option in (
        "--forwarded-allow-ips",
        "--proxy-headers",
        "--no-proxy-headers",
        "--h11-max-incomplete-event-size",
    ):
        assert option in usage
    assert "(default: 16384)" in usage


def test_logged_exceptions_keep_their_stack_but_not_their_messages() -> None:
    card, email = "4111" * 4, "@".join(["secret", "example.com"])  # not in the source lines

    def fail() -> None:
        try:
            raise ValueError(f"card {card}")
        except ValueError as exc:
            raise RuntimeError(f"for visitor {email}") from exc

    try:
        fail()
    except RuntimeError:
        record = logging.LogRecord(
            "helpline", logging.ERROR, __file__, 1, "boom", (), sys.exc_info()
        )
    text = LogFormatter("%(message)s").format(record)
    assert "boom" in text and "in fail" in text
    assert "ValueError (message withheld)" in text and "RuntimeError (message withheld)" in text
    assert card not in text and email not in text
