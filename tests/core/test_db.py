"""The engine: statement parameters never reach an error message or a log, and numbers beyond
the database's integers are a client's mistake, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from helpline.core.db import make_engine
from helpline.core.errors import Invalid

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
            with pytest.raises(Invalid):
                await conn.execute(text("INSERT INTO t VALUES (:n)"), [{"n": 1}, {"n": 2**40}])
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 0
    finally:
        await engine.dispose()
