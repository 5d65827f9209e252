"""The ``helpline`` command: serve, migrate, demo, user create."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import sys

from helpline.core.config import Settings
from helpline.core.db import Database
from helpline.core.errors import HelplineError
from helpline.core.migrate import upgrade


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    if not args.no_migrate:
        upgrade(settings.database_url)
    uvicorn.run(
        "helpline.api:create_asgi",
        factory=True,
        host=args.host,
        port=args.port,
        ws_max_size=1024 * 1024,
        ws_per_message_deflate=False,
        # Helpline's own heartbeats and idle timeout keep connections alive and find dead ones;
        # uvicorn's protocol-level pings would double that traffic on every idle socket.
        ws_ping_interval=None,
        proxy_headers=True,
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
    serve.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=True)
    sub.add_parser("migrate", help="bring the database schema up to date")
    sub.add_parser("demo", help="load demo teams, staff (printing passwords), canned responses")
    user = sub.add_parser("user", help="manage users").add_subparsers(
        dest="user_command", required=True
    )
    create = user.add_parser("create", help="create a user; prints a generated password")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=["admin", "supervisor", "agent", "qa"], default="agent")
    create.add_argument("--team", action="append", help="team name (repeatable)")
    create.add_argument("--password", help="set this password instead of generating one")

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings.from_env()
    try:
        if args.command == "serve":
            _serve(args, settings)
        elif args.command == "migrate":
            upgrade(settings.database_url)
            print("Database is up to date.")
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
