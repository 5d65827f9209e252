"""Database leases: at most one node at a time runs a named background job.

A lease is a row (name, holder, expiry). :meth:`Lease.hold` takes a free or expired lease, or
renews one this node already holds, with a single conditional UPDATE, so two nodes racing for it
cannot both win. A holder that dies simply stops renewing; another node takes over once the
lease expires. Expiry uses each node's wall clock, so nodes must keep their clocks in sync (NTP)
to well within the lease's time to live.

Leases make background jobs cheap, not correct: every job is made of conditional updates that
stay safe if, for a moment around an expiry, two nodes run it.
"""

from __future__ import annotations

import time

from sqlalchemy import Float, String, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from helpline.core.db import Base, Database


class LeaseRow(Base):
    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[float] = mapped_column(Float)


class Lease:
    def __init__(self, db: Database, name: str, *, holder: str, ttl_s: float) -> None:
        self.db = db
        self.name = name
        self.holder = holder
        self.ttl_s = ttl_s
        self.held = False

    async def hold(self, *, at: float | None = None) -> bool:
        """Take or renew the lease; True while this node holds it. ``held`` keeps its last
        answer until the database gives a new one; a database error clears it and propagates."""
        now = time.time() if at is None else at
        try:
            won = await self._take(now)
        except BaseException:
            self.held = False
            raise
        self.held = won
        return won

    async def _take(self, now: float) -> bool:
        async with self.db.write() as s:
            taken = await s.execute(
                update(LeaseRow)
                .where(
                    LeaseRow.name == self.name,
                    (LeaseRow.holder == self.holder) | (LeaseRow.expires_at < now),
                )
                .values(holder=self.holder, expires_at=now + self.ttl_s)
            )
            won: bool = taken.rowcount == 1  # type: ignore[attr-defined]
            if (
                not won
                and await s.scalar(select(LeaseRow.name).where(LeaseRow.name == self.name)) is None
            ):
                try:
                    async with s.begin_nested():
                        await s.execute(
                            insert(LeaseRow).values(
                                name=self.name, holder=self.holder, expires_at=now + self.ttl_s
                            )
                        )
                    won = True
                except IntegrityError:  # another node created it first
                    won = False
        return won

    async def release(self) -> None:
        """Give the lease up now (on shutdown), so another node need not wait for the expiry."""
        if not self.held:
            return
        self.held = False
        async with self.db.write() as s:
            await s.execute(
                update(LeaseRow)
                .where(LeaseRow.name == self.name, LeaseRow.holder == self.holder)
                .values(expires_at=0.0)
            )
