"""Token-bucket rate limiting: a pure bucket plus a small keyed, bounded store.

The store lives in the node's memory; each node limits what reaches it. Buckets are forgotten
once full again, so memory stays proportional to the clients currently being limited.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from helpline.core.errors import RateLimited


@dataclass
class Bucket:
    tokens: float
    updated: float


def take(bucket: Bucket, *, burst: int, per_s: float, now: float) -> bool:
    """Refill ``bucket`` at ``burst / per_s`` tokens a second up to ``burst``, then take one."""
    rate = burst / per_s
    bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.updated) * rate)
    bucket.updated = now
    if bucket.tokens >= 1.0:
        bucket.tokens -= 1.0
        return True
    return False


class Limiter:
    def __init__(self, burst: int, per_s: float, *, max_keys: int = 100_000) -> None:
        self.burst = burst
        self.per_s = per_s
        self.max_keys = max_keys
        self._buckets: dict[str, Bucket] = {}

    def allow(self, key: str, *, now: float | None = None) -> bool:
        at = time.monotonic() if now is None else now
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._forget_full(at)
            bucket = self._buckets[key] = Bucket(float(self.burst), at)
        return take(bucket, burst=self.burst, per_s=self.per_s, now=at)

    def check(self, key: str, what: str) -> None:
        """Raise :class:`RateLimited` when ``key`` is over its budget; its
        ``details.retry_after_s`` says when the next try will be allowed."""
        if not self.allow(key):
            raise RateLimited(
                f"Too many {what}; please wait a moment and try again.",
                retry_after_s=self.retry_after(key),
            )

    def retry_after(self, key: str, *, now: float | None = None) -> int:
        """Whole seconds until ``key`` has a token again (at least 1)."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return 1
        at = time.monotonic() if now is None else now
        rate = self.burst / self.per_s
        tokens = bucket.tokens + (at - bucket.updated) * rate
        return max(1, math.ceil(round((1.0 - tokens) / rate, 6)))

    def _forget_full(self, now: float) -> None:
        rate = self.burst / self.per_s
        full = [
            k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * rate >= self.burst
        ]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self.max_keys:
            self._buckets.clear()
