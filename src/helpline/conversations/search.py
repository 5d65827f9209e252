"""Full-text search over conversations, through the database's own engine.

What is indexed: the text of every message and internal note, as stored, which is after PII
masking, so a card number or an e-mail address is never searchable. What a query is: the words
in it (letters and digits; everything else separates words), all of which must occur in one
message, the last one as a prefix (``"refund ord"`` finds "refund for order 1234"). At most
:data:`MAX_TERMS` words are used; a query with no word finds nothing.

- SQLite: an FTS5 table, ``conversation_search``, over ``conversation_events.body`` (external
  content, keyed by the event's rowid), kept in step by triggers (migration 0005); tokenizer
  ``unicode61`` with diacritics removed, so "cafe" finds "café".
- PostgreSQL: a GIN index on ``to_tsvector('simple', body)`` and a ``to_tsquery('simple', ...)``
  built from the words ('simple': no stemming or stop words, so names and order numbers match as
  typed; case is folded).

Team scope is the caller's: :func:`matching_conversations` returns a subquery of conversation
ids to combine with the staff member's scoped query (conversations/service.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, TextClause, func, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.conversations.models import ConversationEvent

MAX_TERMS = 8
WORD = re.compile(r"[^\W_]+")  # letters and digits; "_" separates, as in both engines
SNIPPET_CHARS = 160
FTS_TABLE = "conversation_search"
PG_INDEX = "ix_conversation_events_fts"


def terms(query: str) -> list[str]:
    """The words of ``query``, folded to lower case, at most :data:`MAX_TERMS`."""
    return [w.lower() for w in WORD.findall(query)][:MAX_TERMS]


def sqlite_match(words: Sequence[str]) -> str:
    """An FTS5 MATCH expression: each word quoted (so no word is read as an operator), the
    last one a prefix."""
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def pg_tsquery(words: Sequence[str]) -> str:
    """A to_tsquery expression: the words ANDed, the last one a prefix. Each word is quoted as a
    lexeme, so nothing in it is read as an operator."""
    lexemes = ["'" + w.replace("'", "''").replace("\\", "\\\\") + "'" for w in words]
    lexemes[-1] += ":*"
    return " & ".join(lexemes)


def _matches(words: Sequence[str], *, sqlite: bool) -> ColumnElement[bool] | TextClause:
    if sqlite:
        hits = text(
            f"conversation_events.rowid IN (SELECT rowid FROM {FTS_TABLE} "  # noqa: S608 - constant
            f"WHERE {FTS_TABLE} MATCH :fts_query)"
        ).bindparams(fts_query=sqlite_match(words))
        return hits
    vector = func.to_tsvector(literal_column("'simple'"), func.coalesce(ConversationEvent.body, ""))
    query = func.to_tsquery(literal_column("'simple'"), pg_tsquery(words))
    return vector.op("@@")(query)


def matching_conversations(words: Sequence[str], *, sqlite: bool) -> Select[Any]:
    """Ids of conversations with a message or note holding every word."""
    return select(ConversationEvent.conversation_id).where(_matches(words, sqlite=sqlite))


async def snippets(
    s: AsyncSession, conversation_ids: Sequence[int], words: Sequence[str], *, sqlite: bool
) -> dict[int, str]:
    """For each conversation, the first matching message's text, cut to about
    :data:`SNIPPET_CHARS` characters around the first word found. Plain text."""
    if not conversation_ids or not words:
        return {}
    rows = await s.execute(
        select(ConversationEvent.conversation_id, ConversationEvent.body)
        .where(
            ConversationEvent.conversation_id.in_(conversation_ids),
            _matches(words, sqlite=sqlite),
        )
        .order_by(ConversationEvent.conversation_id, ConversationEvent.seq)
    )
    found: dict[int, str] = {}
    for conversation_id, body in rows.all():
        if conversation_id not in found and body:
            found[conversation_id] = cut(body, words)
    return found


def cut(body: str, words: Sequence[str]) -> str:
    """``body`` trimmed to about :data:`SNIPPET_CHARS` characters around the first of ``words``
    it contains, with an ellipsis where text was left out."""
    flat = " ".join(body.split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    lower = flat.lower()
    at = min((i for w in words if (i := lower.find(w)) >= 0), default=0)
    start = max(0, min(at - SNIPPET_CHARS // 3, len(flat) - SNIPPET_CHARS))
    piece = flat[start : start + SNIPPET_CHARS]
    return ("…" if start else "") + piece + ("…" if start + SNIPPET_CHARS < len(flat) else "")
