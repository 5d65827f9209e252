"""The engine: statement parameters never reach an error message or a log, and numbers beyond
the database's integers are a client's mistake, not a crash."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from helpline.core.db import Database, make_engine
from helpline.core.errors import Invalid
from helpline.core.events import Envelope
from tests.clients import Staff, make_team
from tests.servers import Server, scratch_database

SECRET_NAME = "Boom Secret-Name-7f3a"
SECRET_EMAIL = "boom-7f3a@secret.example.com"


async def test_errors_do_not_quote_statement_parameters(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    try:
        async with engine.begin() as conn:
            with pytest.raises(DBAPIError) as raised:
                await conn.execute(
                    text("INSERT INTO missing VALUES (:email)"), {"email": SECRET_EMAIL}
                )
        assert "INSERT INTO missing" in str(raised.value)
        assert SECRET_EMAIL not in str(raised.value)
    finally:
        await engine.dispose()


async def test_integers_beyond_32_bits_are_refused_before_the_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    try:
        async with engine.connect() as conn:
            for n in (2**31 - 1, -(2**31)):
                assert (await conn.execute(text("SELECT :n"), {"n": n})).scalar() == n
            for n in (2**31, -(2**31) - 1, 10**20):
                with pytest.raises(Invalid) as raised:
                    await conn.execute(text("SELECT :n"), {"n": n})
                assert raised.value.code == "out_of_range" and str(n) not in raised.value.message
            await conn.execute(text("CREATE TABLE t (n INTEGER)"))
            # Batches (executemany) are the group-commit writer's, with server-made values bounded
            # at the edge; the hot path skips the check.
            await conn.execute(text("INSERT INTO t VALUES (:n)"), [{"n": 1}, {"n": 2}])
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 2
    finally:
        await engine.dispose()


async def _refuse_visitors_named_boom(db_url: str) -> None:
    """Make the database itself fail a statement: an error no check foresaw, i.e. a 500."""
    db = Database(db_url)
    try:
        async with db.write_conn() as tx:
            conn = tx.conn
            if db.is_sqlite:
                await conn.exec_driver_sql(
                    "CREATE TRIGGER IF NOT EXISTS boom BEFORE INSERT ON visitors "
                    "WHEN NEW.name LIKE 'Boom %' BEGIN SELECT RAISE(ABORT, 'boom'); END"
                )
            else:  # PostgreSQL quotes the refused values in its message
                await conn.exec_driver_sql(
                    "CREATE OR REPLACE FUNCTION boom() RETURNS trigger AS $$ BEGIN "
                    "IF NEW.name LIKE 'Boom %' THEN "
                    "RAISE EXCEPTION 'boom: % %', NEW.name, NEW.email; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
                await conn.exec_driver_sql(
                    "CREATE OR REPLACE TRIGGER boom BEFORE INSERT ON visitors "
                    "FOR EACH ROW EXECUTE FUNCTION boom()"
                )
    finally:
        await db.close()


async def test_a_failing_statement_is_a_500_that_logs_no_request_data(
    server: Server, root: Staff
) -> None:
    await _refuse_visitors_named_boom(server.db_url)
    team = await make_team(root)
    offset = server.log.stat().st_size
    body = {"team_id": team["id"], "name": SECRET_NAME, "email": SECRET_EMAIL}
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        r = await http.post("/api/v1/widget/conversations", json=body)
        assert r.status_code == 500
        assert r.json() == {
            "code": "internal",
            "message": "Something went wrong on our side. Please retry.",
        }
        for header in ("x-content-type-options", "referrer-policy", "content-security-policy"):
            assert header in r.headers, header
        assert r.headers["cache-control"] == "no-store"
        again = await http.get("/healthz")
        assert again.status_code == 200
        assert again.extensions["network_stream"] is r.extensions["network_stream"], (
            "the keep-alive connection survived the 500"
        )
    log = server.log.read_bytes()[offset:].decode(errors="replace")
    assert "unhandled error in POST /api/v1/widget/conversations" in log
    assert log.count("Traceback") >= 1 and "(message withheld)" in log
    assert "Exception in ASGI application" not in log, "logged once, by Helpline"
    for secret in (SECRET_NAME, SECRET_EMAIL, "Secret-Name", "secret.example"):
        assert secret not in log, log
    assert json.dumps(body) not in log


# The write discipline: what a transaction queues goes out after its commit, never after a
# rollback. Plain SQL against a scratch table keeps this about the database, not the domains.


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with scratch_database(request.param, tmp_path) as url:
        database = Database(url)
        async with database.write() as s:
            await s.execute(text("CREATE TABLE notes (body VARCHAR(40))"))
        try:
            yield database
        finally:
            await database.close()


def _note(body: str) -> Envelope:
    return Envelope(stream="conversation:1", kind="event", seq=1, payload={"body": body})


class Published:
    def __init__(self, db: Database) -> None:
        self.seen: list[str] = []
        self.db = db
        db.publisher = self.publish

    async def publish(self, envelopes: list[Envelope]) -> None:
        # The change must already be visible to another connection when its event goes out.
        async with self.db.read_conn() as conn:
            stored = (await conn.execute(text("SELECT body FROM notes"))).scalars().all()
        self.seen += [
            f"{e.payload['body']}:{'stored' if e.payload['body'] in stored else 'missing'}"
            for e in envelopes
        ]


async def test_envelopes_and_callbacks_run_after_the_commit_in_order(db: Database) -> None:
    published = Published(db)
    calls: list[str] = []

    async def later() -> None:
        calls.append(f"async after {published.seen}")

    async with db.write() as s:
        await s.execute(text("INSERT INTO notes VALUES ('a')"))
        s.publish(_note("a"))
        s.after_commit(lambda: calls.append("sync"))
        s.after_commit(later)
        s.publish([_note("a")])
        assert published.seen == [] and calls == []  # nothing before the commit
    assert published.seen == ["a:stored", "a:stored"]
    assert calls == ["sync", "async after ['a:stored', 'a:stored']"]


async def test_nothing_runs_after_a_rollback(db: Database) -> None:
    published = Published(db)
    calls: list[str] = []

    async def refused_write() -> None:
        async with db.write() as s:
            await s.execute(text("INSERT INTO notes VALUES ('b')"))
            s.publish(_note("b"))
            s.after_commit(lambda: calls.append("ran"))
            raise Invalid("refused")

    with pytest.raises(Invalid):
        await refused_write()
    async with db.read_conn() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM notes"))).scalar() == 0
    assert published.seen == [] and calls == []


async def test_a_failing_callback_neither_stops_the_others_nor_fails_the_write(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    Published(db)
    calls: list[str] = []

    def broken() -> None:
        raise RuntimeError("broken callback")

    async with db.write_conn() as tx:
        await tx.conn.execute(text("INSERT INTO notes VALUES ('c')"))
        tx.after_commit(broken)
        tx.after_commit(lambda: calls.append("still ran"))
    assert calls == ["still ran"]
    assert "after-commit callback failed" in caplog.text
    async with db.read_conn() as conn:
        assert (await conn.execute(text("SELECT body FROM notes"))).scalars().all() == ["c"]


async def test_publishing_without_a_broker_is_logged_not_raised(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async with db.write() as s:
        await s.execute(text("INSERT INTO notes VALUES ('d')"))
        s.publish(_note("d"))
    assert "publishing 1 committed envelopes failed" in caplog.text
