"""Stream names: every id formats to one name and parses back; nothing else parses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpline.core.streams import (
    StreamId,
    StreamKind,
    access_stream,
    conversation_stream,
    inbox_stream,
    stream_conversation_id,
    stream_key,
    team_stream,
    user_stream,
)


@given(st.sampled_from(list(StreamKind)), st.integers(min_value=0, max_value=2**31 - 1))
def test_round_trip(kind: StreamKind, key: int) -> None:
    stream = StreamId(kind, key)
    assert StreamId.parse(str(stream)) == stream
    assert stream_key(str(stream), kind) == key


@given(st.text(max_size=30))
def test_anything_else_is_not_a_stream(name: str) -> None:
    parsed = StreamId.parse(name)
    if parsed is not None:
        assert str(parsed) == name.replace(name.partition(":")[2], str(parsed.key))
        assert name.partition(":")[0] in {k.value for k in StreamKind}


@pytest.mark.parametrize(
    "name",
    [
        "",
        "conversation",
        "conversation:",
        "conversation:-1",
        "conversation:1.5",
        "conversation:x",
        "inbox",
        "team:١٢",
        "nope:1",
        "Conversation:1",
        ":1",
    ],
)
def test_refused(name: str) -> None:
    assert StreamId.parse(name) is None


def test_the_builders_name_today_s_wire_streams() -> None:
    assert conversation_stream(7) == "conversation:7"
    assert inbox_stream(3) == "inbox:3"
    assert team_stream(2) == "team:2"
    assert access_stream(7) == "access:7"
    assert user_stream(3) == "user:3"
    assert stream_conversation_id("conversation:7") == 7
    assert stream_conversation_id("inbox:7") is None
