"""Real Helpline servers for tests: a subprocess on a free port over a fresh database.

PostgreSQL tests use ``HELPLINE_TEST_DATABASE_URL`` (a database the tests may create others
next to); with ``HELPLINE_REQUIRE_SERVICES=1`` (CI) a missing server is a failure, not a skip.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import httpx
import pytest

from helpline.core.db import Database
from helpline.core.migrate import upgrade

T = TypeVar("T")

ADMIN_EMAIL = "root-admin@example.com"
ADMIN_PASSWORD = "correct-horse-battery"
REQUIRE_SERVICES = os.environ.get("HELPLINE_REQUIRE_SERVICES") == "1"
FAST = {
    "HELPLINE_ROUTE_INTERVAL_S": "0.2",
    "HELPLINE_CONVERSATION_RATE": "100000/1",
    "HELPLINE_VISITOR_MESSAGE_RATE": "100000/1",
    "HELPLINE_LOGIN_RATE": "100000/1",
    "HELPLINE_IDENTITY_SECRET": "test-identity-secret",
    # Every frame a test server sends is validated against the protocol models first.
    "HELPLINE_CHECK_FRAMES": "1",
}
IDENTITY_SECRET = "test-identity-secret"
FRAME_MISMATCH = "does not match the protocol models"  # realtime/frames.py logs it


@dataclass
class Server:
    base_url: str
    db_url: str
    proc: subprocess.Popen[bytes]
    log: Path
    log_file: BinaryIO

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/ws"

    def stop(self) -> None:
        try:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        finally:
            self.log_file.close()
        check_frames_log(self.log)


def check_frames_log(log: Path) -> None:
    """Fail when the server refused to send a frame that did not match the protocol models
    (``HELPLINE_CHECK_FRAMES``): the test that caused it may have looked elsewhere."""
    if not log.exists():
        return
    mismatches = [line for line in log.read_text().splitlines() if FRAME_MISMATCH in line]
    assert not mismatches, f"the server built frames its models refuse: {mismatches[:5]}"


def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn`` in a thread of its own. Session fixtures that start servers may first be
    needed while Playwright's sync API has an event loop running on this thread, where
    ``asyncio.run`` (and Alembic's async migration, which uses it) is refused."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def seed(db_url: str) -> None:
    """An admin with a known password, and resolution codes; everything else tests make."""
    from helpline.agents.actions import create_user
    from helpline.agents.auth import hash_password
    from helpline.agents.schemas import UserCreate
    from helpline.conversations.models import ResolutionCode

    password_hash = await hash_password(ADMIN_PASSWORD)
    db = Database(db_url)
    try:
        async with db.write() as s:
            data = UserCreate(
                email=ADMIN_EMAIL, name="Root Admin", password=ADMIN_PASSWORD, role="admin"
            )
            await create_user(s, data, password_hash=password_hash, actor_id=None)
            for code in ("resolved", "escalated"):
                s.add(ResolutionCode(code=code, label=code.title()))
            s.add(ResolutionCode(code="retired", label="Retired", active=False))
    finally:
        await db.close()


def start_server(db_url: str, workdir: Path, env_extra: dict[str, str] | None = None) -> Server:
    off_loop(upgrade, db_url)
    off_loop(asyncio.run, seed(db_url))
    port = free_port()
    env = {**os.environ, **FAST, **(env_extra or {}), "HELPLINE_DATABASE_URL": db_url}
    log = workdir / f"server-{port}.log"
    cmd = [sys.executable, "-m", "helpline", "serve", "--port", str(port), "--no-migrate"]
    cmd += ["--log-level", "warning", "--no-access-log"]
    log_file = log.open("wb")
    try:
        proc = subprocess.Popen(
            cmd, env=env, stdout=log_file, stderr=subprocess.STDOUT, cwd=workdir
        )
    except BaseException:
        log_file.close()
        raise
    server = Server(f"http://127.0.0.1:{port}", db_url, proc, log, log_file)
    try:
        wait_ready(server, timeout=60)
    except BaseException:
        server.stop()  # whatever went wrong: no process or log file outlives the attempt
        raise
    return server


def wait_ready(server: Server, timeout: float) -> None:
    """Until ``/readyz`` answers 200. Starting is slow on a loaded machine, hence the margin."""
    deadline = time.monotonic() + timeout
    while True:
        if server.proc.poll() is not None:
            raise RuntimeError(f"server exited:\n{server.log.read_text()}")
        try:
            if httpx.get(server.base_url + "/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"server did not become ready:\n{server.log.read_text()}")
        time.sleep(0.1)


def postgres_admin_url() -> str | None:
    url = os.environ.get("HELPLINE_TEST_DATABASE_URL", "")
    if not url:
        if REQUIRE_SERVICES:
            pytest.fail("HELPLINE_TEST_DATABASE_URL is required in CI")
        pytest.skip(
            "PostgreSQL tests need HELPLINE_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1/test)"
        )
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _pg(admin_url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_pg_database(admin_url: str) -> str:
    """Create an empty database next to ``admin_url``'s and return its SQLAlchemy URL."""
    name = f"helpline_test_{secrets.token_hex(4)}"
    try:
        off_loop(asyncio.run, _pg(admin_url, f'CREATE DATABASE "{name}"'))
    except OSError as exc:
        if REQUIRE_SERVICES:
            pytest.fail(f"PostgreSQL is not reachable: {exc}")
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    base = admin_url.rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


def drop_pg_database(admin_url: str, db_url: str) -> None:
    name = db_url.rsplit("/", 1)[1]
    off_loop(asyncio.run, _pg(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.asynccontextmanager
async def scratch_database(kind: str, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database of ``kind`` ("sqlite" or "postgresql") for one test, dropped
    afterwards; a test that asks for PostgreSQL where none is configured is skipped."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/scratch.db"
        return
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip("no PostgreSQL configured")
    url = await asyncio.to_thread(create_pg_database, admin_url)
    try:
        yield url
    finally:
        await asyncio.to_thread(drop_pg_database, admin_url, url)
