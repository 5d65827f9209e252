"""Demo data: teams, staff with fresh passwords, canned responses and resolution codes.

Idempotent: re-running creates what is missing and gives the demo staff new passwords, which it
prints (passwords are stored hashed, so they cannot be shown again later).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from helpline.agents import actions as agents
from helpline.agents.auth import new_password_hash
from helpline.agents.models import Team, User
from helpline.agents.schemas import Role, TeamCreate, UserCreate
from helpline.canned.models import CannedResponse
from helpline.conversations.models import ResolutionCode
from helpline.core.db import Database

TEAMS = [
    TeamCreate(name="General", skills=["general", "orders"], languages=["en"], is_default=True),
    TeamCreate(name="Billing", skills=["billing", "refunds"], languages=["en"], concurrency_cap=3),
    TeamCreate(name="Technical", skills=["tech"], languages=["en", "de"], concurrency_cap=2),
]
STAFF: list[tuple[str, str, Role, list[str], list[str]]] = [
    ("admin@example.com", "Avery Admin", "admin", [], ["General", "Billing", "Technical"]),
    (
        "sam@example.com",
        "Sam Supervisor",
        "supervisor",
        ["general", "orders", "billing"],
        ["General", "Billing"],
    ),
    ("ana@example.com", "Ana Agent", "agent", ["general", "orders"], ["General"]),
    (
        "ben@example.com",
        "Ben Agent",
        "agent",
        ["general", "billing", "refunds"],
        ["General", "Billing"],
    ),
    ("chen@example.com", "Chen Agent", "agent", ["tech"], ["Technical"]),
]
CANNED = [
    (
        "hello",
        "Greeting",
        "Hi {{customer.first_name}}, I'm {{agent.first_name}}. How can I help you today?",
    ),
    (
        "wait",
        "One moment",
        "Thanks for your patience, {{customer.first_name}}. I'm checking that for you now.",
    ),
    (
        "order",
        "Order number",
        "Could you share your order number? It starts with ORD and is in your confirmation email.",
    ),
    (
        "bye",
        "Closing",
        "Is there anything else I can help with? Have a great day, {{customer.first_name}}!",
    ),
]
CODES = [
    ("resolved", "Resolved"),
    ("info-provided", "Information provided"),
    ("escalated", "Escalated to another channel"),
    ("no-response", "Customer stopped responding"),
    ("duplicate", "Duplicate of another chat"),
]


@dataclass(frozen=True)
class Credential:
    email: str
    password: str
    role: str


async def load_demo(db: Database) -> list[Credential]:
    credentials: list[Credential] = []
    async with db.write() as s:
        team_ids: dict[str, int] = {}
        for spec in TEAMS:
            team = await s.scalar(select(Team).where(Team.name == spec.name))
            team = team or await agents.create_team(s, spec, actor_id=None)
            team_ids[spec.name] = team.id
        for email, name, role, skills, teams in STAFF:
            password = secrets.token_urlsafe(9)
            hashed = await new_password_hash(password, email=email, name=name)
            user = await s.scalar(select(User).where(User.email == email))
            if user is None:
                data = UserCreate(
                    email=email,
                    name=name,
                    password=password,
                    role=role,
                    skills=skills,
                    languages=["en"],
                    team_ids=[team_ids[t] for t in teams],
                )
                await agents.create_user(s, data, password_hash=hashed, actor_id=None)
            else:
                user.password_hash = hashed
            credentials.append(Credential(email, password, role))
        for shortcut, title, body in CANNED:
            exists = await s.scalar(
                select(CannedResponse.id).where(
                    CannedResponse.shortcut == shortcut, CannedResponse.team_id.is_(None)
                )
            )
            if exists is None:
                s.add(CannedResponse(team_id=None, shortcut=shortcut, title=title, body=body))
        for code, label in CODES:
            if await s.get(ResolutionCode, code) is None:
                s.add(ResolutionCode(code=code, label=label))
    return credentials
