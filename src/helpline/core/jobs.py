"""Background jobs: periodic ones and feed consumers, each run by one node at a time.

Every job holds its own database lease (``job:<name>``, :mod:`helpline.core.lease`), so the
nodes share the work and a dead node's jobs move to another once its leases expire. A lease is
renewed every third of its time to live; between renewals the node keeps working on the last
answer, which is why every job must stay safe when two nodes briefly overlap (conditional
updates; idempotent consumers).

- :class:`Periodic` runs ``run()`` every ``interval_s`` while the lease is held.
- :class:`FeedJob` feeds a :class:`~helpline.core.feed.Consumer` the events after its cursor,
  in order, and moves the cursor only past events whose handler returned. A failing handler is
  retried from the event that failed, after an exponential backoff (capped at
  :data:`MAX_BACKOFF_S`), with the failure counted on its cursor; other jobs and the chat path
  never wait for it.

``helpline jobs`` shows each job's lease holder and, for consumers, the lag behind the feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from helpline.core import feed
from helpline.core.lease import Lease
from helpline.core.runtime import Runtime

log = logging.getLogger("helpline.jobs")
MAX_BACKOFF_S = 60.0
IDLE_POLL_S = 1.0


@dataclass(frozen=True)
class Periodic:
    name: str
    interval_s: float
    run: Callable[[], Awaitable[None]]

    @property
    def kind(self) -> str:
        return "periodic"


@dataclass(frozen=True)
class FeedJob:
    consumer: feed.Consumer

    @property
    def name(self) -> str:
        return f"feed:{self.consumer.name}"

    @property
    def kind(self) -> str:
        return "feed"


Job = Periodic | FeedJob


def lease_name(job_name: str) -> str:
    return f"job:{job_name}"


def backoff_s(attempts: int) -> float:
    """Seconds to wait after ``attempts`` failures in a row: 1, 2, 4 ... capped, with jitter
    so that a consumer failing on every node does not retry in lockstep."""
    base: float = min(MAX_BACKOFF_S, 2.0 ** max(0, attempts - 1))
    return base * random.uniform(0.8, 1.0)


class Jobs:
    """Runs ``jobs`` on this node for as long as it holds each one's lease."""

    def __init__(self, rt: Runtime, jobs: Sequence[Job], *, lease_ttl_s: float = 10.0) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be unique: {names}")
        self.rt = rt
        self.jobs = list(jobs)
        self.ttl_s = lease_ttl_s
        self.leases = {
            job.name: Lease(rt.db, lease_name(job.name), holder=rt.node, ttl_s=lease_ttl_s)
            for job in jobs
        }
        self._renewed: dict[str, float] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def held(self, name: str) -> bool:
        """True while this node holds the job's lease."""
        return self.leases[name].held

    def start(self) -> None:
        for job in self.jobs:
            run = self._periodic(job) if isinstance(job, Periodic) else self._feed(job)
            self._tasks.append(asyncio.create_task(run, name=f"helpline-job-{job.name}"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        for lease in self.leases.values():
            with contextlib.suppress(Exception):
                await lease.release()

    async def _hold(self, name: str) -> bool:
        """Whether to work now: renews the lease when a third of its life has passed."""
        lease = self.leases[name]
        if time.monotonic() - self._renewed.get(name, float("-inf")) < self.ttl_s / 3:
            return lease.held
        try:
            held = await lease.hold()
        except Exception:
            log.warning("job %s: cannot reach the database for its lease", name)
            return False
        if held:
            self._renewed[name] = time.monotonic()
        else:
            self._renewed.pop(name, None)
        return held

    async def _periodic(self, job: Periodic) -> None:
        while True:
            started = time.monotonic()
            if await self._hold(job.name):
                try:
                    await job.run()
                except Exception:
                    log.exception(
                        "job %s failed; it runs again in %.1f s", job.name, job.interval_s
                    )
            await asyncio.sleep(max(0.0, job.interval_s - (time.monotonic() - started)))

    async def _feed(self, job: FeedJob) -> None:
        while True:
            if not await self._hold(job.name):
                await asyncio.sleep(min(IDLE_POLL_S, self.ttl_s / 3))
                continue
            self.rt.feed_appended.clear()  # before reading, so no wake-up falls in between
            try:
                handled = await run_consumer(self.rt, job.consumer)
            except Exception as exc:
                attempts = await _count_failure(self.rt, job.consumer.name, exc)
                delay = backoff_s(attempts)
                log.warning(
                    "feed consumer %s failed (%s, attempt %d); retrying in %.1f s",
                    job.consumer.name,
                    type(exc).__name__,
                    attempts,
                    delay,
                )
                await asyncio.sleep(delay)
                continue
            if handled == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.rt.feed_appended.wait(), timeout=IDLE_POLL_S)


async def run_consumer(rt: Runtime, consumer: feed.Consumer) -> int:
    """Hand the consumer one batch of events after its cursor; return how many it handled.

    The cursor moves past each event only once its handler returned; on an exception it is
    left after the last event that succeeded and the exception propagates.
    """
    position = (await feed.cursor(rt.db, consumer.name)).position
    events = await feed.read_after(rt.db, position, limit=consumer.batch)
    done = position
    try:
        for event in events:
            await consumer.handle(event)
            done = event.id
    finally:
        if done > position:
            await feed.advance(rt.db, consumer.name, position=done)
    return len(events)


async def _count_failure(rt: Runtime, name: str, exc: BaseException) -> int:
    try:
        return await feed.failed(rt.db, name, error=exc)
    except Exception:
        return 1
