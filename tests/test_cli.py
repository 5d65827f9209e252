"""The helpline command, run as an operator would."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from helpline.cli import LogFormatter


def helpline(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HELPLINE_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    return subprocess.run(
        [sys.executable, "-m", "helpline", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_demo_and_user_create(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert helpline("migrate", db=db).returncode == 0
    demo = helpline("demo", db=db)
    assert demo.returncode == 0, demo.stderr
    lines = [line.split() for line in demo.stdout.splitlines()[1:]]
    assert {line[1] for line in lines} >= {"admin@example.com", "ana@example.com"}
    assert all(len(line[2]) >= 12 for line in lines), "printed passwords"
    again = helpline("demo", db=db)
    assert again.returncode == 0 and again.stdout != demo.stdout, (
        "re-running is safe and rotates passwords"
    )

    made = helpline(
        "user",
        "create",
        "--email",
        "new@example.com",
        "--name",
        "New Agent",
        "--team",
        "Billing",
        db=db,
    )
    assert made.returncode == 0, made.stderr
    assert "Password:" in made.stdout
    dup = helpline("user", "create", "--email", "new@example.com", "--name", "Again", db=db)
    assert dup.returncode == 2 and "already exists" in dup.stderr
    no_team = helpline(
        "user", "create", "--email", "x@example.com", "--name", "X", "--team", "Nope", db=db
    )
    assert no_team.returncode == 2 and "No team named" in no_team.stderr


def test_logged_exceptions_keep_their_stack_but_not_their_messages() -> None:
    card, email = "4111" * 4, "@".join(["secret", "example.com"])  # not in the source lines

    def fail() -> None:
        try:
            raise ValueError(f"card {card}")
        except ValueError as exc:
            raise RuntimeError(f"for visitor {email}") from exc

    try:
        fail()
    except RuntimeError:
        record = logging.LogRecord(
            "helpline", logging.ERROR, __file__, 1, "boom", (), sys.exc_info()
        )
    text = LogFormatter("%(message)s").format(record)
    assert "boom" in text and "in fail" in text
    assert "ValueError (message withheld)" in text and "RuntimeError (message withheld)" in text
    assert card not in text and email not in text
