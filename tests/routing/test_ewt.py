"""The estimated wait time formula (docs/routing.md)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpline.routing.ewt import MIN_EWT_S, average_handle_time, estimate_wait, round_for_humans


def test_examples() -> None:
    assert estimate_wait(position=1, free=1, capacity=4, aht_s=300) == MIN_EWT_S
    assert estimate_wait(position=1, free=0, capacity=4, aht_s=300) == 75
    assert estimate_wait(position=3, free=1, capacity=2, aht_s=120) == 120
    assert estimate_wait(position=1, free=0, capacity=0, aht_s=300) is None
    with pytest.raises(ValueError, match="1-based"):
        estimate_wait(position=0, free=0, capacity=1, aht_s=1)


@given(st.integers(1, 500), st.integers(0, 50), st.integers(1, 100), st.floats(1, 3600))
def test_never_below_minimum_and_monotone_in_position(
    position: int, free: int, capacity: int, aht: float
) -> None:
    here = estimate_wait(position=position, free=free, capacity=capacity, aht_s=aht)
    behind = estimate_wait(position=position + 1, free=free, capacity=capacity, aht_s=aht)
    assert here is not None and behind is not None
    assert MIN_EWT_S <= here <= behind
    more_capacity = estimate_wait(position=position, free=free, capacity=capacity + 1, aht_s=aht)
    assert more_capacity is not None and more_capacity <= here


def test_average_handle_time_uses_recent_history_or_default() -> None:
    assert average_handle_time([], default_s=300) == 300
    assert average_handle_time([100, 200, 0, -5], default_s=300) == 150
    assert average_handle_time([60.0] * 60 + [6000.0], default_s=1) == 60


@pytest.mark.parametrize(
    ("raw", "said"),
    [(1, 5), (5, 5), (6, 10), (41, 45), (59, 60), (61, 120), (119, 120), (121, 180)],
)
def test_round_for_humans(raw: int, said: int) -> None:
    assert round_for_humans(raw) == said
