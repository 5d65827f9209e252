"""Jobs: each runs on one node at a time, moves when that node stops, and feed jobs wake on
new events; ``helpline jobs`` reports holders and lag."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from helpline import background
from helpline.core import feed
from helpline.core.config import Settings
from helpline.core.db import Database
from helpline.core.events import Envelope
from helpline.core.jobs import FeedJob, Jobs, Periodic
from helpline.core.migrate import upgrade
from helpline.core.runtime import Runtime


@pytest.fixture
async def url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/jobs.db"
    await asyncio.to_thread(upgrade, url)
    return url


async def eventually(check: Callable[[], bool], *, within_s: float = 20.0) -> None:
    deadline = time.monotonic() + within_s
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


@pytest.fixture
async def nodes(url: str) -> AsyncIterator[list[Runtime]]:
    runtimes = [
        Runtime(settings=Settings(database_url=url), db=Database(url), node=f"node-{n}")
        for n in (1, 2)
    ]
    yield runtimes
    for rt in runtimes:
        await rt.db.close()


async def test_a_periodic_job_runs_on_one_node_and_moves_when_it_stops(
    nodes: list[Runtime],
) -> None:
    runs: list[str] = []

    def job_for(rt: Runtime) -> Periodic:
        async def run() -> None:
            runs.append(rt.node)

        return Periodic("test.tick", 0.05, run)

    jobs = [Jobs(rt, [job_for(rt)], lease_ttl_s=0.6) for rt in nodes]
    for j in jobs:
        j.start()
    try:
        await eventually(lambda: len(runs) >= 10)
        first = runs[0]
        assert set(runs) == {first}  # never both
        holder = next(j for j in jobs if j.held("test.tick"))
        other = next(j for j in jobs if j is not holder)
        assert not other.held("test.tick")
        await holder.stop()  # releases the lease: the other node need not wait for the expiry
        runs.clear()
        await eventually(lambda: len(runs) >= 3)
        assert set(runs) == {other.rt.node}
    finally:
        for j in jobs:
            await j.stop()


async def test_a_feed_job_wakes_on_new_events_and_retries_a_failure(
    nodes: list[Runtime],
) -> None:
    rt = nodes[0]
    seen: list[int] = []
    failures = [1]  # the first attempt at event 2 fails

    async def handle(e: feed.FeedEvent) -> None:
        if e.payload["n"] == 2 and failures:
            failures.pop()
            raise RuntimeError("temporary")
        seen.append(e.payload["n"])

    jobs = Jobs(rt, [FeedJob(feed.Consumer("test.wake", handle))], lease_ttl_s=3)
    jobs.start()
    try:
        await eventually(lambda: jobs.held("feed:test.wake"))
        await asyncio.sleep(0.2)  # let it create its cursor at the head
        for n in (1, 2, 3):
            async with rt.db.write() as s:
                s.publish(
                    Envelope(stream="conversation:1", kind="event", payload={"type": "m", "n": n})
                )
        await eventually(lambda: seen == [1, 2, 3])
    finally:
        await jobs.stop()


def test_job_names_must_be_unique(nodes: list[Runtime]) -> None:
    async def run() -> None:
        return None

    with pytest.raises(ValueError, match="unique"):
        Jobs(nodes[0], [Periodic("same", 1, run), Periodic("same", 2, run)])


async def test_the_jobs_command_lists_holders_and_lag(url: str, nodes: list[Runtime]) -> None:
    rt = nodes[0]

    async def handle(_e: feed.FeedEvent) -> None:
        await asyncio.Event().wait()  # stuck: its lag grows

    consumer = feed.register(feed.Consumer("test.lag", handle))
    try:

        async def tick() -> None:
            return None

        jobs = Jobs(
            rt,
            [Periodic(background.ROUTING_TICK, 0.1, tick), FeedJob(consumer)],
            lease_ttl_s=30,
        )
        await feed.cursor(rt.db, "test.lag")  # starts at the head
        for n in range(3):
            async with rt.db.write() as s:
                s.publish(Envelope(stream="inbox:1", kind="event", payload={"type": "s", "n": n}))
        jobs.start()
        await eventually(lambda: jobs.held(background.ROUTING_TICK))
        env = {
            **os.environ,
            "HELPLINE_DATABASE_URL": url,
            "HELPLINE_CONSUMERS": "tests.core.test_jobs:LAG_CONSUMER",
        }
        out = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "helpline", "jobs", "--json"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        report = {job["name"]: job for job in json.loads(out.stdout)}
        assert report[background.ROUTING_TICK]["holder"] == "node-1"
        assert report[background.FEED_TRIM]["holder"] is None
        lag = report["feed:test.lag"]
        assert lag["kind"] == "feed" and lag["lag"] == 3 and lag["holder"] == "node-1"
        table = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "helpline", "jobs"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert "feed:test.lag" in table.stdout and "(nobody)" in table.stdout
        await jobs.stop()
    finally:
        del feed.CONSUMERS["test.lag"]


async def _stuck(_e: feed.FeedEvent) -> None:
    await asyncio.Event().wait()


# What the command loads through HELPLINE_CONSUMERS (the name matches the one registered above).
LAG_CONSUMER = feed.Consumer("test.lag", _stuck)
