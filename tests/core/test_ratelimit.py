"""The token bucket."""

from __future__ import annotations

import pytest

from helpline.core.errors import RateLimited
from helpline.core.ratelimit import Limiter


def test_burst_then_refill() -> None:
    limiter = Limiter(3, 3.0)
    assert [limiter.allow("k", now=0) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("k", now=0.5) is False
    assert limiter.allow("k", now=1.0) is True
    assert limiter.allow("other", now=1.0) is True


def test_check_raises_with_a_stable_code() -> None:
    limiter = Limiter(1, 60)
    limiter.check("k", "things")
    with pytest.raises(RateLimited) as raised:
        limiter.check("k", "things")
    assert raised.value.code == "rate_limited" and raised.value.status == 429


def test_memory_stays_bounded() -> None:
    limiter = Limiter(1, 1.0, max_keys=10)
    for i in range(100):
        limiter.allow(f"k{i}", now=float(i))
    assert len(limiter._buckets) <= 10


def test_a_refusal_says_when_to_retry() -> None:
    limiter = Limiter(2, 60.0)  # one token every 30 s
    assert limiter.allow("k", now=0.0) and limiter.allow("k", now=0.0)
    assert not limiter.allow("k", now=0.0)
    assert limiter.retry_after("k", now=0.0) == 30
    assert limiter.retry_after("k", now=20.0) == 10
    assert limiter.retry_after("unknown") == 1
    live = Limiter(1, 60.0)
    live.check("k", "tries")
    with pytest.raises(RateLimited) as refused:
        live.check("k", "tries")
    assert refused.value.details["retry_after_s"] == 60
