"""The sans-I/O protocol core: frame parsing and resume planning."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpline.conversations.send import check_text
from helpline.core.errors import HelplineError
from helpline.realtime import protocol as p


def parse(frame: object) -> p.ClientFrame:
    return p.parse(json.dumps(frame), max_bytes=16384)


def test_each_frame_type_parses() -> None:
    assert isinstance(parse({"type": "hello", "v": 1, "token": "t"}), p.Hello)
    assert parse({"type": "subscribe", "stream": "conversation:12", "after": 3}).after == 3  # type: ignore[union-attr]
    assert isinstance(parse({"type": "subscribe", "stream": "inbox", "after": 0}), p.Subscribe)
    assert isinstance(
        parse({"type": "send", "conversation_id": 1, "client_id": "a-1:b.c_d", "text": "x"}), p.Send
    )
    assert isinstance(
        parse({"type": "note", "conversation_id": 1, "client_id": "n", "text": "x"}), p.Note
    )
    assert isinstance(parse({"type": "typing", "conversation_id": 1, "active": False}), p.Typing)
    assert isinstance(parse({"type": "read", "conversation_id": 1, "seq": 0}), p.Read)
    assert isinstance(parse({"type": "end", "conversation_id": 1}), p.End)
    assert parse({"type": "ping", "ref": "r1"}).ref == "r1"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "bad_json"),
        ("{", "bad_json"),
        (b"\xff\xfe", "bad_json"),
        ("null", "bad_frame"),
        ('"send"', "bad_frame"),
        ("{}", "unknown_type"),
        ('{"type": 5}', "unknown_type"),
        ('{"type": "SEND"}', "unknown_type"),
        ('{"type": "send"}', "invalid_frame"),
        (
            '{"type": "send", "conversation_id": "1", "client_id": "a", "text": "x"}',
            "invalid_frame",
        ),
        ('{"type": "send", "conversation_id": 0, "client_id": "a", "text": "x"}', "invalid_frame"),
        ('{"type": "send", "conversation_id": 1, "client_id": "", "text": "x"}', "invalid_frame"),
        (
            '{"type": "send", "conversation_id": 1, "client_id": "a", "text": "x", "extra": 1}',
            "invalid_frame",
        ),
        ('{"type": "subscribe", "stream": "conversation:abc", "after": 0}', "invalid_frame"),
        ('{"type": "subscribe", "stream": "inbox:7", "after": 0}', "invalid_frame"),
        ('{"type": "subscribe", "stream": "inbox", "after": -1}', "invalid_frame"),
        ('{"type": "typing", "conversation_id": 1, "active": "yes"}', "invalid_frame"),
        (
            '{"type": "send", "conversation_id": 2147483648, "client_id": "a", "text": "x"}',
            "invalid_frame",
        ),
        ('{"type": "end", "conversation_id": 100000000000000000000}', "invalid_frame"),
        ('{"type": "read", "conversation_id": 1, "seq": 2147483648}', "invalid_frame"),
        ('{"type": "subscribe", "stream": "inbox", "after": 2147483648}', "invalid_frame"),
        ('{"type": "subscribe", "stream": "conversation:2147483648", "after": 0}', "invalid_frame"),
        (
            '{"type": "subscribe", "stream": "conversation:99999999999", "after": 0}',
            "invalid_frame",
        ),
        (
            '{"type": "send", "conversation_id": 1, "client_id": "a", "text": "a\\u0000b"}',
            "bad_text",
        ),
        ('{"type": "send", "conversation_id": 1, "client_id": "a", "text": "\\ud800"}', "bad_text"),
        ('{"type": "send", "conversation_id": 1, "client_id": "a", "text": "\\b"}', "bad_text"),
        ('{"type": "ping", "ref": "\\u001b[2J"}', "bad_text"),
        ('{"type": "ping", "\\u0000": 1}', "bad_text"),
        ('{"type": "ping", "x": ' + "[" * 33 + "]" * 33 + "}", "bad_json"),
        ('{"type": "ping", "x": ' + "[" * 5000 + "]" * 5000 + "}", "bad_json"),
        ("[" * 5000 + "]" * 5000, "bad_json"),
        (b'{"type": "ping", "ref": "\xed\xa0\x80"}', "bad_json"),
    ],
)
def test_bad_frames_have_stable_codes(raw: str | bytes, code: str) -> None:
    with pytest.raises(p.FrameError) as raised:
        p.parse(raw, max_bytes=16384)
    assert raised.value.code == code and raised.value.message


def test_the_largest_ids_and_tab_and_line_breaks_parse() -> None:
    big = p.MAX_ID
    assert parse({"type": "send", "conversation_id": big, "client_id": "a", "text": "a\tb\r\n"})
    assert parse({"type": "read", "conversation_id": big, "seq": big})
    assert parse({"type": "subscribe", "stream": f"conversation:{big}", "after": big})
    assert parse({"type": "ping", "ref": "é ✓"}).ref == "é ✓"


def test_bad_text_names_the_field_and_never_echoes_it() -> None:
    frame = {"type": "note", "conversation_id": 1, "client_id": "n", "text": "x\x00", "ref": "r1"}
    with pytest.raises(p.FrameError) as raised:
        parse(frame)
    error = p.error_frame(raised.value)
    assert error["details"] == {"fields": ["text"]} and error["ref"] == "r1"
    with pytest.raises(p.FrameError) as raised:
        parse({"type": "ping", "ref": "r\x07"})
    assert "ref" not in p.error_frame(raised.value), "a ref with a control character is dropped"


def test_empty_text_is_left_to_check_text() -> None:
    """ "" and "  " both reach ``check_text`` and are both ``empty_message``."""
    for text in ("", "  "):
        frame = parse({"type": "send", "conversation_id": 1, "client_id": "a", "text": text})
        assert isinstance(frame, p.Send)
        with pytest.raises(HelplineError) as raised:
            check_text(frame.text, max_chars=10)
        assert raised.value.code == "empty_message"


@given(st.text(st.characters(exclude_categories=()), max_size=50))  # surrogates too
def test_text_is_refused_exactly_when_it_holds_a_bad_character(text: str) -> None:
    bad = any((ord(c) < 32 and c not in "\t\n\r") or 0xD800 <= ord(c) <= 0xDFFF for c in text)
    frame = {"type": "send", "conversation_id": 1, "client_id": "a", "text": f"x{text}"}
    assert _outcome(json.dumps(frame).encode()) == ("bad_text" if bad else "parsed")


def test_size_limit_counts_bytes_not_characters() -> None:
    frame = json.dumps({"type": "send", "conversation_id": 1, "client_id": "a", "text": "é" * 100})
    with pytest.raises(p.FrameError) as raised:
        p.parse(frame, max_bytes=150)
    assert raised.value.code == "frame_too_large"


def test_error_frames_echo_the_ref() -> None:
    with pytest.raises(p.FrameError) as raised:
        p.parse('{"type": "send", "ref": "r9"}', max_bytes=1000)
    frame = p.error_frame(raised.value)
    assert frame["ref"] == "r9" and frame["code"] == "invalid_frame" and frame["details"]["fields"]


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash_the_parser(raw: bytes) -> None:
    assert _outcome(raw) in {
        "parsed",
        "bad_json",
        "bad_frame",
        "unknown_type",
        "bad_text",
        "invalid_frame",
    }


def _outcome(raw: bytes) -> str:
    try:
        p.parse(raw, max_bytes=16384)
    except p.FrameError as exc:
        return exc.code
    return "parsed"


@given(st.integers(0, 3000), st.integers(0, 3000), st.integers(1, 1000))
def test_resume_plan(after: int, last: int, limit: int) -> None:
    plan = p.plan_resume(after=after, last=last, limit=limit)
    if after > last:
        assert plan == p.Reload("cursor_ahead")
    elif last - after > limit:
        assert plan == p.Reload("too_far_behind")
    else:
        assert plan == p.Replay(after, last)


def test_check_text() -> None:
    assert check_text("  hi  ", max_chars=10) == "hi"
    with pytest.raises(Exception, match="empty"):
        check_text(" \n ", max_chars=10)
    with pytest.raises(Exception, match="limit"):
        check_text("x" * 11, max_chars=10)
