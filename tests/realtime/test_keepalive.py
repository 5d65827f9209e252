"""Heartbeats and the idle timeout, on a server with short intervals."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clients import WS, Staff, Visitor, admin, make_team
from tests.servers import Server, start_server


@pytest.fixture(scope="module")
def quick_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir: Path = tmp_path_factory.mktemp("keepalive")
    srv = start_server(
        f"sqlite+aiosqlite:///{workdir}/helpline.db",
        workdir,
        {"HELPLINE_HEARTBEAT_S": "0.8", "HELPLINE_IDLE_TIMEOUT_S": "3"},
    )
    yield srv
    srv.stop()


async def visitor_socket(server: Server) -> WS:
    root: Staff = await admin(server)
    team = await make_team(root)
    chat = await Visitor.start(server, team_id=team["id"])
    return await chat.ws()


async def test_a_quiet_connection_gets_heartbeats(quick_server: Server) -> None:
    ws = await visitor_socket(quick_server)
    start = len(ws.frames)
    await asyncio.sleep(2.5)
    beats = [f for f in ws.frames[start:] if f["type"] == "heartbeat"]
    assert 1 <= len(beats) <= 4, ws.frames[start:]


async def test_a_client_that_talks_is_heard_and_kept(quick_server: Server) -> None:
    ws = await visitor_socket(quick_server)
    for _ in range(5):  # 5 s of pings, each well inside the 3 s idle timeout
        await ws.request({"type": "ping"})
        await asyncio.sleep(1.0)
    assert not ws.closed.is_set()


async def test_a_silent_client_is_closed_after_the_idle_timeout(quick_server: Server) -> None:
    ws = await visitor_socket(quick_server)
    started = time.monotonic()
    await asyncio.wait_for(ws.closed.wait(), 10)
    assert 2.0 <= time.monotonic() - started <= 6.0
    assert ws.ws.close_code == 1000 and ws.ws.close_reason == "idle timeout"


async def test_a_bare_ping_gets_a_pong_and_a_ping_with_ref_gets_its_ref(
    quick_server: Server,
) -> None:
    ws = await visitor_socket(quick_server)
    await ws.send('{"type":"ping"}')
    await ws.wait(lambda f: f == {"type": "pong"})
    reply = await ws.request({"type": "ping"})
    assert reply["type"] == "pong" and reply["ref"].startswith("ref")
