"""full-text search over message text (conversations/search.py)

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    # External content: the text stays in conversation_events; the index refers to its rowid.
    "CREATE VIRTUAL TABLE conversation_search USING fts5(body, content='conversation_events', "
    "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER conversation_search_insert AFTER INSERT ON conversation_events "
    "WHEN new.body IS NOT NULL BEGIN "
    "INSERT INTO conversation_search(rowid, body) VALUES (new.rowid, new.body); END",
    "CREATE TRIGGER conversation_search_delete AFTER DELETE ON conversation_events "
    "WHEN old.body IS NOT NULL BEGIN "
    "INSERT INTO conversation_search(conversation_search, rowid, body) "
    "VALUES ('delete', old.rowid, old.body); END",
    "CREATE TRIGGER conversation_search_update AFTER UPDATE OF body ON conversation_events BEGIN "
    "INSERT INTO conversation_search(conversation_search, rowid, body) "
    "SELECT 'delete', old.rowid, old.body WHERE old.body IS NOT NULL; "
    "INSERT INTO conversation_search(rowid, body) "
    "SELECT new.rowid, new.body WHERE new.body IS NOT NULL; END",
    "INSERT INTO conversation_search(rowid, body) "
    "SELECT rowid, body FROM conversation_events WHERE body IS NOT NULL",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS conversation_search_update",
    "DROP TRIGGER IF EXISTS conversation_search_delete",
    "DROP TRIGGER IF EXISTS conversation_search_insert",
    "DROP TABLE IF EXISTS conversation_search",
]
PG_UP = [
    "CREATE INDEX ix_conversation_events_fts ON conversation_events "
    "USING gin (to_tsvector('simple', coalesce(body, '')))",
]
PG_DOWN = ["DROP INDEX IF EXISTS ix_conversation_events_fts"]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UP if sqlite else PG_UP:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWN if sqlite else PG_DOWN:
        op.execute(statement)
