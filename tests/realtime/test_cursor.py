"""The per-connection cursor rule (realtime/cursor.py): exhaustively on small cases, and on
random arrival orders against a model of the database."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from helpline.realtime.cursor import Step, decide


def test_not_followed_drops_everything() -> None:
    for seq in range(0, 5):
        assert decide(None, seq) is Step.DROP


def test_every_cursor_and_seq_pair() -> None:
    for cursor in range(0, 6):
        for seq in range(0, 10):
            step = decide(cursor, seq)
            if seq <= cursor:
                assert step is Step.DROP
            elif seq == cursor + 1:
                assert step is Step.SEND
            else:
                assert step is Step.CATCH_UP


def deliver(cursor: int, arrivals: list[int]) -> list[int]:
    """What one connection sends, by the hub's use of the rule: a catch-up reads the events
    between the cursor and the arrival from the database (which holds every committed one)."""
    sent: list[int] = []
    for seq in arrivals:
        step = decide(cursor, seq)
        if step is Step.CATCH_UP:
            sent.extend(range(cursor + 1, seq))  # read from the database
        if step is not Step.DROP:
            sent.append(seq)
            cursor = seq
    return sent


@given(
    start=st.integers(min_value=0, max_value=20),
    arrivals=st.lists(st.integers(min_value=1, max_value=40), max_size=60),
)
def test_any_arrival_order_sends_each_event_once_in_order(start: int, arrivals: list[int]) -> None:
    sent = deliver(start, arrivals)
    newest = max([start, *arrivals])
    assert sent == list(range(start + 1, newest + 1))


@given(
    total=st.integers(min_value=1, max_value=30),
    data=st.data(),
)
def test_a_lossy_duplicating_broker_loses_nothing(total: int, data: st.DataObject) -> None:
    """The broker delivers the events in commit order but may lose or repeat any; whatever
    arrives last, the client has everything up to it, once."""
    arrivals: list[int] = []
    for seq in range(1, total + 1):
        copies = data.draw(st.integers(min_value=0, max_value=2), label=f"copies of {seq}")
        arrivals.extend([seq] * copies)
    sent = deliver(0, arrivals)
    assert sent == list(range(1, (max(arrivals) if arrivals else 0) + 1))
    assert len(sent) == len(set(sent))
