"""A feed consumer the cluster test loads into its nodes (``HELPLINE_CONSUMERS``).

Every call is logged to ``$HELPLINE_TEST_FEED_DIR/calls.log``; its effect (a line in
``effects.log``) happens once per event id, however often the event comes: the idempotence a
real consumer keys on :attr:`FeedEvent.id`. Each event takes 0.2 s, so the test can kill the
node in the middle of the stream.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from helpline.core.feed import Consumer, FeedEvent


def _dir() -> Path:
    return Path(os.environ["HELPLINE_TEST_FEED_DIR"])


async def record(event: FeedEvent) -> None:
    with (_dir() / "calls.log").open("a") as calls:
        calls.write(f"{event.id}\n")
    effects = _dir() / "effects.log"
    done = set(effects.read_text().split()) if effects.exists() else set()
    if str(event.id) not in done:
        with effects.open("a") as out:
            out.write(f"{event.id}\n")
    await asyncio.sleep(0.2)


RECORDER = Consumer("test.recorder", record, batch=10)
