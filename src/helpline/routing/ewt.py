"""Estimated wait time (EWT): a pure function, documented in docs/routing.md.

With ``free`` open slots among online agents, the first ``free`` chats in line are assigned at
once. Behind them, slots open at a rate of ``capacity / aht_s`` per second (each of ``capacity``
slots turns over once per average handle time), so the chat at 1-based ``position`` waits about

    (position - free) * aht_s / capacity        seconds.

No online capacity means no honest estimate: the function returns None and the widget offers to
leave a message instead of showing a number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MIN_EWT_S = 5
RECENT_HANDLE_TIMES = 50


def estimate_wait(*, position: int, free: int, capacity: int, aht_s: float) -> int | None:
    if position < 1:
        raise ValueError("position is 1-based")
    if capacity <= 0:
        return None
    ahead = position - max(free, 0)
    if ahead <= 0:
        return MIN_EWT_S
    return max(MIN_EWT_S, math.ceil(ahead * aht_s / capacity))


def average_handle_time(recent_s: Sequence[float], *, default_s: float) -> float:
    """Mean of the most recent handle times; ``default_s`` until there is any history."""
    sample = [s for s in recent_s[:RECENT_HANDLE_TIMES] if s > 0]
    return sum(sample) / len(sample) if sample else default_s


def round_for_humans(seconds: int) -> int:
    """Round to what a person would say: 5 s steps under a minute, then whole minutes."""
    if seconds < 60:
        return max(MIN_EWT_S, 5 * math.ceil(seconds / 5))
    return 60 * math.ceil(seconds / 60)
