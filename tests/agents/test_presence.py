"""Presence: staff with a live connection stay online; staff whose connections all went silent
are set offline by the routing tick's sweep, and hear why."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator

import pytest

from tests.clients import Staff, admin, make_staff, make_team
from tests.servers import Server, start_server

SWEEP = {"HELPLINE_PRESENCE_TIMEOUT_S": "1.5", "HELPLINE_HEARTBEAT_S": "0.3"}


@pytest.fixture(scope="module")
def quick_sweep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("presence")
    with contextlib.ExitStack() as stack:
        srv = start_server(f"sqlite+aiosqlite:///{workdir}/p.db", workdir, SWEEP)
        stack.callback(srv.stop)
        yield srv


async def status(staff: Staff) -> str:
    me = await staff.ok("GET", "/api/v1/me")
    return str(me["status"])


async def test_connected_staff_stay_online_and_silent_ones_go_offline(
    quick_sweep: Server,
) -> None:
    root = await admin(quick_sweep)
    team = await make_team(root)
    connected = await make_staff(root, team_ids=[team["id"]])
    gone = await make_staff(root, team_ids=[team["id"]])
    ws = await connected.ws()  # heartbeats keep its presence fresh
    await ws.subscribe("inbox")
    deadline = time.monotonic() + 20
    while await status(gone) != "offline":
        assert time.monotonic() < deadline, "the silent agent was never set offline"
        await asyncio.sleep(0.2)
    await asyncio.sleep(2 * float(SWEEP["HELPLINE_PRESENCE_TIMEOUT_S"]))
    assert await status(connected) == "online"
