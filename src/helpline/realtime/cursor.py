"""The per-connection cursor rule, as a pure function.

A connection's cursor on a stream is the sequence number of the last event it was sent. Every
live event that arrives for it is either dropped (already sent, or the stream is not followed),
sent (it is the next one), or sent after the events in between are read from the database (one
or more were late or lost: another node, a broker hiccup). Applied to any order of arrivals,
with duplicates and gaps, the rule sends each event once, in order, with nothing missing
(``tests/realtime/test_cursor.py`` checks it on random arrivals).
"""

from __future__ import annotations

from enum import Enum


class Step(Enum):
    DROP = "drop"
    SEND = "send"
    CATCH_UP = "catch_up"  # read (cursor, seq) from the database, send those, then this one


def decide(cursor: int | None, seq: int) -> Step:
    """What to do with event ``seq`` on a stream whose cursor is ``cursor`` (None: the
    connection does not follow the stream, or not yet)."""
    if cursor is None or seq <= cursor:
        return Step.DROP
    if seq == cursor + 1:
        return Step.SEND
    return Step.CATCH_UP
