"""The ``helpline`` command: serve, migrate, jobs, demo, user create."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import logging.config
import secrets
import sys
import traceback
from dataclasses import asdict
from types import TracebackType
from typing import Any

from helpline import background
from helpline.core.config import Settings
from helpline.core.db import Database
from helpline.core.errors import HelplineError
from helpline.core.migrate import upgrade
from helpline.core.permissions import Role

# The request line and headers together; a larger request head gets 400 before any parsing.
MAX_REQUEST_HEAD_BYTES = 16 * 1024


class LogFormatter(logging.Formatter):
    """Exceptions by type and stack only, for each exception in the chain: their messages may
    quote request data (a database driver names the value it refused)."""

    def formatException(
        self,
        ei: tuple[type[BaseException], BaseException, TracebackType | None]
        | tuple[None, None, None],
    ) -> str:
        return "".join(_stack(ei[1], set())).rstrip("\n") if ei[1] is not None else ""


def _stack(exc: BaseException, seen: set[int]) -> list[str]:
    seen.add(id(exc))
    lines: list[str] = []
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if cause is not None and id(cause) not in seen:
        lines += [*_stack(cause, seen), "\nwhich led to:\n\n"]
    lines += ["Traceback (most recent call last):\n", *traceback.format_tb(exc.__traceback__)]
    kind = type(exc)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    lines.append(f"{name} (message withheld)\n")
    for inner in exc.exceptions if isinstance(exc, BaseExceptionGroup) else ():
        if id(inner) not in seen:
            lines += ["\nin the group:\n", *_stack(inner, seen)]
    return lines


class NoQueryStrings(logging.Filter):
    """Paths in log lines lose their query strings: staff searches (``?q=``) may hold card
    numbers or e-mail addresses. uvicorn passes each request's path as an argument (the access
    log, WebSocket handshakes)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                arg.split("?", 1)[0] if isinstance(arg, str) and arg.startswith("/") else arg
                for arg in record.args
            )
        return True


# Helpline's and uvicorn's records alike: one format, one handler, its filter and formatter.
LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"()": LogFormatter, "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "filters": {"no_query_strings": {"()": NoQueryStrings}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_query_strings"],
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["stderr"], "level": "INFO"},
}


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    if not args.no_migrate:
        upgrade(settings.database_url)
    uvicorn.run(
        "helpline.api:create_asgi",
        factory=True,
        host=args.host,
        port=args.port,
        # h11, not httptools: httptools has no limit on the size of a request's headers.
        http="h11",
        h11_max_incomplete_event_size=args.h11_max_incomplete_event_size,
        ws_max_size=1024 * 1024,
        ws_per_message_deflate=False,
        # Helpline's own heartbeats and idle timeout keep connections alive and find dead ones;
        # uvicorn's protocol-level pings would double that traffic on every idle socket.
        ws_ping_interval=None,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=args.forwarded_allow_ips,
        log_config=LOG_CONFIG,
        log_level=args.log_level,
        access_log=args.access_log,
    )


async def _demo(settings: Settings) -> None:
    from helpline.demo import load_demo

    db = Database(settings.database_url)
    try:
        credentials = await load_demo(db)
    finally:
        await db.close()
    print("Demo staff (passwords are new on every run):")
    for c in credentials:
        print(f"  {c.role:<10} {c.email:<24} {c.password}")


async def _user_create(args: argparse.Namespace, settings: Settings) -> None:
    from sqlalchemy import select

    from helpline.agents.actions import create_user
    from helpline.agents.auth import new_password_hash
    from helpline.agents.models import Team
    from helpline.agents.schemas import UserCreate

    password = args.password or secrets.token_urlsafe(12)
    password_hash = await new_password_hash(password, email=args.email, name=args.name)
    db = Database(settings.database_url)
    try:
        async with db.write() as s:
            team_ids = []
            for name in args.team or []:
                team_id = await s.scalar(select(Team.id).where(Team.name == name))
                if team_id is None:
                    raise HelplineError(f"No team named {name!r}.")
                team_ids.append(team_id)
            data = UserCreate(
                email=args.email,
                name=args.name,
                password=password,
                role=args.role,
                team_ids=team_ids,
            )
            user = await create_user(s, data, password_hash=password_hash, actor_id=None)
    finally:
        await db.close()
    print(f"Created {args.role} {user.email} (id {user.id})")
    if not args.password:
        print(f"Password: {password}")


async def _jobs(settings: Settings, *, as_json: bool) -> None:
    db = Database(settings.database_url)
    try:
        report = await background.status(db, settings)
    finally:
        await db.close()
    if as_json:
        print(json.dumps([asdict(job) for job in report], indent=2))
        return
    print(f"{'JOB':<28} {'KIND':<9} {'NODE':<32} {'LEASE':>7} {'POSITION':>9} {'LAG':>6}  ERROR")
    for job in report:
        lease = f"{job.lease_expires_in_s:.0f}s" if job.lease_expires_in_s is not None else "-"
        error = f"{job.last_error} x{job.attempts}" if job.last_error else ""
        print(
            f"{job.name:<28} {job.kind:<9} {job.holder or '(nobody)':<32} {lease:>7} "
            f"{_dash(job.position):>9} {_dash(job.lag):>6}  {error}"
        )


def _schema() -> None:
    from helpline.schema import json_schema

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def _dash(value: int | None) -> str:
    return "-" if value is None else str(value)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="helpline", description="Self-hosted live chat for support teams."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate the database and serve HTTP + WebSocket")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-migrate", action="store_true", help="skip migrations on start")
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="log each request (paths only, without query strings)",
    )
    serve.add_argument(
        "--proxy-headers",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="take the client address and scheme from X-Forwarded-For and X-Forwarded-Proto "
        "when the connection comes from --forwarded-allow-ips",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        metavar="ADDRESSES",
        help="comma-separated proxy addresses or networks to trust, or '*' "
        "(default: $FORWARDED_ALLOW_IPS, else 127.0.0.1)",
    )
    serve.add_argument(
        "--h11-max-incomplete-event-size",
        type=int,
        default=MAX_REQUEST_HEAD_BYTES,
        metavar="BYTES",
        help="the largest request line and headers accepted (default: %(default)s)",
    )
    sub.add_parser("migrate", help="bring the database schema up to date")
    jobs = sub.add_parser("jobs", help="list background jobs, the node running each, feed lag")
    jobs.add_argument("--json", action="store_true", help="print JSON instead of a table")
    sub.add_parser("demo", help="load demo teams, staff (printing passwords), canned responses")
    sub.add_parser(
        "schema", help="print the JSON Schema of the real-time frames and events (no database)"
    )
    user = sub.add_parser("user", help="manage users").add_subparsers(
        dest="user_command", required=True
    )
    create = user.add_parser("create", help="create a user; prints a generated password")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=[str(r) for r in Role], default="agent")
    create.add_argument("--team", action="append", help="team name (repeatable)")
    create.add_argument("--password", help="set this password instead of generating one")

    args = parser.parse_args(argv)
    if args.command == "schema":
        _schema()
        return
    logging.config.dictConfig(LOG_CONFIG)
    settings = Settings.from_env()
    try:
        if args.command == "serve":
            _serve(args, settings)
        elif args.command == "migrate":
            upgrade(settings.database_url)
            print("Database is up to date.")
        elif args.command == "jobs":
            asyncio.run(_jobs(settings, as_json=args.json))
        elif args.command == "demo":
            upgrade(settings.database_url)
            asyncio.run(_demo(settings))
        elif args.command == "user":
            asyncio.run(_user_create(args, settings))
    except HelplineError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        sys.exit(2)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
