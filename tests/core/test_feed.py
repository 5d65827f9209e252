"""The event feed: committed events only, in commit order, read by consumers from a cursor that
moves only past what they handled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from helpline.core import feed
from helpline.core.config import Settings
from helpline.core.db import Database
from helpline.core.events import Envelope
from helpline.core.jobs import backoff_s, run_consumer
from helpline.core.migrate import upgrade
from helpline.core.runtime import Runtime
from tests.servers import scratch_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def rt(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Runtime]:
    async with scratch_database(request.param, tmp_path) as url:
        await asyncio.to_thread(upgrade, url)
        runtime = Runtime(settings=Settings(database_url=url), db=Database(url), node="test")
        try:
            yield runtime
        finally:
            await runtime.db.close()


def event(n: int, stream: str = "conversation:1") -> Envelope:
    return Envelope(stream=stream, kind="event", seq=n, payload={"type": "message", "n": n})


async def write(rt: Runtime, *envelopes: Envelope) -> None:
    async with rt.db.write() as s:
        s.publish(*envelopes)


async def stored(rt: Runtime) -> list[int]:
    return [e.payload["n"] for e in await feed.read_after(rt.db, 0, limit=1000)]


async def test_committed_events_are_appended_with_their_transaction(rt: Runtime) -> None:
    await write(rt, event(1), Envelope(stream="conversation:1", kind="ephemeral"), event(2))
    async with rt.db.write_conn() as tx:
        tx.publish([event(3)])
    assert await stored(rt) == [1, 2, 3]  # ephemeral frames are not domain events
    first = (await feed.read_after(rt.db, 0, limit=1))[0]
    assert (first.stream, first.type) == ("conversation:1", "message")


async def test_a_rolled_back_write_appends_nothing(rt: Runtime) -> None:
    async def refused() -> None:
        async with rt.db.write() as s:
            s.publish(event(1))
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        await refused()
    assert await stored(rt) == []


async def test_ids_follow_commit_order_when_transactions_overlap(rt: Runtime) -> None:
    """A transaction that appended first and commits last must not end up with the lower id: a
    reader past the later one would skip it. The appender that comes second waits."""
    if rt.db.is_sqlite:
        pytest.skip("SQLite has one writer at a time: nothing can overlap")
    appended, release = asyncio.Event(), asyncio.Event()
    commits: list[str] = []

    async def first() -> None:
        async with rt.db.write() as s:
            s.publish(event(1))
            s.after_commit(lambda: commits.append("first"))
            await s.flush()
            # The append runs at the end of the block; take the lock now to hold the moment open.
            await feed.append(s, [event(10)], postgres=True)
            appended.set()
            await release.wait()

    async def second() -> None:
        async with rt.db.write() as s:
            s.publish(event(2))
            s.after_commit(lambda: commits.append("second"))

    one = asyncio.create_task(first())
    await appended.wait()
    two = asyncio.create_task(second())
    await asyncio.sleep(0.3)  # room for a wrong order to happen; the right one needs none
    release.set()
    await asyncio.gather(one, two)
    assert commits == ["first", "second"]
    ids = {e.payload["n"]: e.id for e in await feed.read_after(rt.db, 0, limit=10)}
    assert ids[10] < ids[1] < ids[2]


async def test_a_consumer_handles_each_event_once_in_order_and_keeps_its_place(
    rt: Runtime,
) -> None:
    await write(rt, event(0))  # before the consumer existed: not its business
    seen: list[int] = []

    async def handle(e: feed.FeedEvent) -> None:
        seen.append(e.payload["n"])

    consumer = feed.Consumer("test.order", handle, batch=2)
    assert await run_consumer(rt, consumer) == 0
    await write(rt, event(1), event(2))
    await write(rt, event(3))
    while await run_consumer(rt, consumer):
        pass
    assert seen == [1, 2, 3]
    await write(rt, event(4))
    assert await run_consumer(rt, consumer) == 1
    assert seen == [1, 2, 3, 4]


async def test_a_failing_handler_keeps_the_cursor_before_the_failed_event(rt: Runtime) -> None:
    seen: list[int] = []
    broken = {2}

    async def handle(e: feed.FeedEvent) -> None:
        if e.payload["n"] in broken:
            raise ValueError("customer@example.com refused")  # a message that must not be kept
        seen.append(e.payload["n"])

    consumer = feed.Consumer("test.retry", handle)
    await run_consumer(rt, consumer)
    await write(rt, event(1), event(2), event(3))
    with pytest.raises(ValueError, match="refused"):
        await run_consumer(rt, consumer)
    assert await feed.failed(rt.db, "test.retry", error=ValueError("customer@example.com")) == 1
    async with rt.db.read() as s:
        cursor = await s.get(feed.FeedCursor, "test.retry")
    assert cursor is not None and cursor.last_error == "ValueError"
    broken.clear()
    assert await run_consumer(rt, consumer) == 2
    assert seen == [1, 2, 3]  # 1 was not handled twice; 2 and 3 once each
    async with rt.db.read() as s:
        cursor = await s.get(feed.FeedCursor, "test.retry")
    assert cursor is not None and (cursor.attempts, cursor.last_error) == (0, "")


async def test_trim_keeps_what_a_consumer_has_not_passed(rt: Runtime) -> None:
    async def handle(_e: feed.FeedEvent) -> None:
        return None

    consumer = feed.Consumer("test.trim", handle, batch=1)
    await run_consumer(rt, consumer)
    await write(rt, event(1), event(2))
    await run_consumer(rt, consumer)  # passed event 1 only
    async with rt.db.write() as s:
        old = (await s.execute(select(feed.FeedRow.created_at))).scalars().first()
        assert old is not None
        await s.execute(update(feed.FeedRow).values(created_at=old - timedelta(days=30)))
    assert await feed.trim(rt.db, keep=timedelta(days=7)) == 1
    assert await stored(rt) == [2]


def test_backoff_grows_to_a_cap() -> None:
    delays = [backoff_s(n) for n in range(1, 12)]
    assert 0.8 <= delays[0] <= 1.0
    assert all(d <= 60.0 for d in delays)
    assert delays[-1] >= 48.0


def test_consumer_names_are_checked() -> None:
    async def handle(_e: feed.FeedEvent) -> None:
        return None

    for bad in ("", "Upper", "x" * 31, "with space", "../x"):
        with pytest.raises(ValueError, match="bad feed consumer name"):
            feed.register(feed.Consumer(bad, handle))
    one = feed.register(feed.Consumer("test.unique", handle))
    try:
        with pytest.raises(ValueError, match="already registered"):
            feed.register(feed.Consumer("test.unique", handle))
    finally:
        del feed.CONSUMERS[one.name]
