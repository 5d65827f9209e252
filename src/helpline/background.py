"""The background jobs this deployment runs (composition, like api.py): the routing tick, the
feed's housekeeping and one job per registered feed consumer. ``helpline serve`` starts them;
``helpline jobs`` reports on them."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select

from helpline.core import feed
from helpline.core.config import Settings
from helpline.core.db import Database
from helpline.core.jobs import FeedJob, Job, Periodic, lease_name
from helpline.core.lease import LeaseRow
from helpline.core.runtime import Runtime
from helpline.routing.router import Router

ROUTING_TICK = "routing.tick"
FEED_TRIM = "feed.trim"
FEED_TRIM_INTERVAL_S = 600.0


def lease_ttl_s(settings: Settings) -> float:
    return max(10.0, 5 * settings.route_interval_s)


def consumers(settings: Settings) -> list[feed.Consumer]:
    """The registered consumers, with the deployment's own (``HELPLINE_CONSUMERS``) loaded."""
    feed.load_plugins(settings.consumers)
    return sorted(feed.CONSUMERS.values(), key=lambda c: c.name)


def jobs(rt: Runtime, router: Router) -> list[Job]:
    keep = timedelta(days=rt.settings.feed_keep_days)

    async def trim() -> None:
        await feed.trim(rt.db, keep=keep)

    return [
        Periodic(ROUTING_TICK, rt.settings.route_interval_s, router.tick),
        Periodic(FEED_TRIM, FEED_TRIM_INTERVAL_S, trim),
        *(FeedJob(c) for c in consumers(rt.settings)),
    ]


@dataclass(frozen=True)
class JobStatus:
    """One job as ``helpline jobs`` shows it."""

    name: str
    kind: str
    holder: str | None  # the node holding its lease now, None when nobody does
    lease_expires_in_s: float | None
    position: int | None = None  # feed jobs: the last event handled
    lag: int | None = None  # feed jobs: events in the feed after it
    attempts: int | None = None  # feed jobs: failures in a row on the current event
    last_error: str | None = None


def job_names(settings: Settings) -> list[tuple[str, str]]:
    """(name, kind) of every job a node of this deployment runs."""
    feed_jobs = [(FeedJob(c).name, "feed") for c in consumers(settings)]
    return [(ROUTING_TICK, "periodic"), (FEED_TRIM, "periodic"), *feed_jobs]


async def status(db: Database, settings: Settings) -> list[JobStatus]:
    at = time.time()
    head = await feed.head(db)
    async with db.read() as s:
        leases = {row.name: row for row in (await s.execute(select(LeaseRow))).scalars()}
        cursors = {row.name: row for row in (await s.execute(select(feed.FeedCursor))).scalars()}
    report = []
    for name, kind in job_names(settings):
        lease = leases.get(lease_name(name))
        held = lease is not None and lease.expires_at > at
        row = JobStatus(
            name=name,
            kind=kind,
            holder=lease.holder if held and lease else None,
            lease_expires_in_s=round(lease.expires_at - at, 1) if held and lease else None,
        )
        if kind == "feed":
            cursor = cursors.get(name.removeprefix("feed:"))
            position = cursor.position if cursor else head
            row = replace(
                row,
                position=position,
                lag=max(0, head - position),
                attempts=cursor.attempts if cursor else 0,
                last_error=(cursor.last_error or None) if cursor else None,
            )
        report.append(row)
    return report
