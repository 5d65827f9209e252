"""Stream names: every id formats to one name and parses back; nothing else parses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpline.core.streams import (
    StreamId,
    StreamKind,
    StreamSources,
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


class _Source:
    """The smallest stream source: only ``kind`` matters to the registry."""

    def __init__(self, kind: StreamKind) -> None:
        self.kind = kind


def test_the_registry_finds_a_stream_s_source_and_key() -> None:
    conversations, inboxes = _Source(StreamKind.CONVERSATION), _Source(StreamKind.INBOX)
    sources = StreamSources([conversations, inboxes])  # type: ignore[list-item]
    assert sources.get("conversation:7") == (conversations, 7)
    assert sources.get("inbox:3") == (inboxes, 3)
    assert StreamKind.INBOX in sources and StreamKind.TEAM not in sources


def test_streams_nobody_replays_have_no_source() -> None:
    sources = StreamSources([_Source(StreamKind.CONVERSATION)])  # type: ignore[list-item]
    for name in ("team:1", "inbox:1", "inbox", "conversation:x", "", "conversation:"):
        assert sources.get(name) is None


def test_one_source_per_kind() -> None:
    sources = StreamSources([_Source(StreamKind.CONVERSATION)])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="already registered"):
        sources.register(_Source(StreamKind.CONVERSATION))  # type: ignore[arg-type]
