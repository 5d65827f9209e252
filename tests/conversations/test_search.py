"""Full-text search through the database's engine: words, prefixes, case and accents, team scope,
notes, filters, snippets, and queries that hold nothing searchable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from helpline.conversations.search import SNIPPET_CHARS, cut, pg_tsquery, sqlite_match, terms
from tests.clients import Staff, Visitor, make_staff, make_team, send
from tests.servers import Server


async def said(server: Server, team_id: int, text: str, **start: object) -> Visitor:
    chat = await Visitor.start(server, team_id=team_id, **start)  # type: ignore[arg-type]
    ws = await chat.ws()
    reply = await ws.request(send(chat.conversation_id, "c1", text))
    assert reply["type"] == "ack", reply
    return chat


async def ids(staff: Staff, **params: object) -> list[int]:
    found = await staff.ok("GET", "/api/v1/conversations", params=params)
    return [c["id"] for c in found]


async def test_words_prefixes_case_and_scope(server: Server, root: Staff) -> None:
    mine, theirs = await make_team(root), await make_team(root)
    agent = await make_staff(root, team_ids=[mine["id"]], online=False)
    word = f"zebrafish{datetime.now(UTC).strftime('%H%M%S%f')}"
    refund = await said(server, mine["id"], f"I want a REFUND for {word} order 44817")
    other = await said(server, mine["id"], f"{word} arrived broken")
    hidden = await said(server, theirs["id"], f"Refund {word} please")

    assert set(await ids(agent, q=word)) == {refund.conversation_id, other.conversation_id}
    assert await ids(agent, q=f"refund {word}") == [refund.conversation_id]  # all words
    assert await ids(agent, q=f"{word} refu") == [refund.conversation_id]  # last word: prefix
    assert await ids(agent, q=f"{word.upper()} 44817") == [refund.conversation_id]
    assert hidden.conversation_id not in await ids(agent, q=word)  # another team's chat
    assert hidden.conversation_id in await ids(root, q=word)  # an admin sees every team
    assert await ids(agent, q=f"{word} nothingmatchesthis") == []


async def test_notes_are_searchable_by_staff_and_snippets_are_text(
    server: Server, root: Staff
) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    chat = await Visitor.start(server, team_id=team["id"])
    aws = await agent.ws()
    marker = f"calibrate{datetime.now(UTC).strftime('%H%M%S%f')}"
    long_text = "x" * 300 + f" <b>{marker}</b> " + "y" * 300
    reply = await aws.request(
        {
            "type": "note",
            "conversation_id": chat.conversation_id,
            "client_id": "n1",
            "text": long_text,
        }
    )
    assert reply["type"] == "ack", reply
    found = await agent.ok("GET", "/api/v1/conversations", params={"q": marker})
    assert [c["id"] for c in found] == [chat.conversation_id]
    snippet = found[0]["snippet"]
    assert marker in snippet and "<b>" in snippet  # stored text, returned as text, never markup
    assert len(snippet) <= SNIPPET_CHARS + 2 and snippet.startswith("…") and snippet.endswith("…")
    listed = await agent.ok("GET", "/api/v1/conversations", params={"team_id": team["id"]})
    assert listed[0]["snippet"] is None  # no search, no snippet


async def test_filters_combine_and_bad_ones_are_refused(server: Server, root: Staff) -> None:
    team = await make_team(root)
    word = f"quokka{datetime.now(UTC).strftime('%H%M%S%f')}"
    named = await said(server, team["id"], f"{word} one", name="Rosalind Franklin-Search")
    await said(server, team["id"], f"{word} two", name="Someone Else")
    assert await ids(root, q=word, customer="franklin-search") == [named.conversation_id]
    today = datetime.now(UTC).date()
    tomorrow = today + timedelta(days=1)
    assert named.conversation_id in await ids(root, q=word, since=today.isoformat())
    assert await ids(root, q=word, until=today.isoformat()) == []
    assert await ids(root, q=word, since=tomorrow.isoformat()) == []
    assert await ids(root, q=word, resolution_code="nonexistent-code") == []
    for params in (
        {"since": "yesterday"},
        {"until": "2026-11-23T10:00:00"},  # a time needs its zone
        {"q": "x" * 201},
        {"limit": 0},
    ):
        r = await root.call("GET", "/api/v1/conversations", params=params)
        assert r.status_code == 422 and r.json()["code"] == "invalid", params


async def test_queries_without_words_find_nothing_and_never_fail(
    server: Server, root: Staff
) -> None:
    for q in ('"', "*", "_%", "'; DROP TABLE conversations; --", "NEAR(", "a AND", ":*", "\\"):
        r = await root.call("GET", "/api/v1/conversations", params={"q": q})
        assert r.status_code == 200, (q, r.text)
    assert await ids(root, q="*") == []


def test_terms_are_words_only() -> None:
    assert terms("Refund, ORDER_123!  café") == ["refund", "order", "123", "café"]
    assert terms("*:() ' \" _") == []
    assert len(terms(" ".join(f"w{i}" for i in range(20)))) == 8


@given(st.lists(st.from_regex(r"[a-z0-9'\"]{1,10}", fullmatch=True), min_size=1, max_size=5))
def test_query_expressions_quote_every_word(words: list[str]) -> None:
    fts = sqlite_match(words)
    assert fts.endswith("*") and fts.count('"') % 2 == 0
    ts = pg_tsquery(words)
    assert ts.endswith(":*") and ts.count(" & ") == len(words) - 1


def test_cut_keeps_the_first_word_in_view() -> None:
    body = "a" * 500 + " needle " + "b" * 500
    piece = cut(body, ["needle"])
    assert "needle" in piece and piece.startswith("…") and piece.endswith("…")
    assert cut("short text", ["x"]) == "short text"
