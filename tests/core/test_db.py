"""The engine: statement parameters never reach an error message or a log, and numbers beyond
the database's integers are a client's mistake, not a crash."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from helpline.core.db import Database, make_engine
from helpline.core.errors import Invalid
from tests.clients import Staff, make_team
from tests.servers import Server

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
        async with db.write_conn() as conn:
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
