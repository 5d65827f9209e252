"""Seed a bench database directly: agents with login sessions, visitors with live chats.

Going through the API would make the large scenarios (10,000 visitors) spend their time in
setup; the rows written here are the ones the API would write (a chat already accepted by its
agent, with its "started" event), so the server under test sees an ordinary busy deployment.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import insert, select

from helpline.agents.auth import hash_password
from helpline.agents.models import AgentPresence, AuthSession, Team, TeamMember, User
from helpline.conversations.models import Conversation, ConversationEvent
from helpline.core import tokens
from helpline.core.clock import now
from helpline.core.db import Database
from helpline.customers.models import Visitor


@dataclass
class Seeded:
    agent_cookies: dict[int, str] = field(default_factory=dict)  # user id -> session cookie
    chats: list[tuple[int, str, int]] = field(default_factory=list)  # (conversation, token, agent)


async def seed(db_url: str, *, agents: int, chats: int) -> Seeded:
    db = Database(db_url)
    out = Seeded()
    at = now()
    password = await hash_password(secrets.token_urlsafe(12))
    try:
        async with db.write() as s:
            team = Team(name=f"bench-{secrets.token_hex(3)}", concurrency_cap=10_000)
            s.add(team)
            await s.flush()
            tag = secrets.token_hex(3)
            await s.execute(
                insert(User),
                [
                    {
                        "email": f"a{i}-{tag}@bench.example",
                        "name": f"Agent {i}",
                        "password_hash": password,
                        "role": "agent",
                    }
                    for i in range(agents)
                ],
            )
            ids = list(
                (await s.execute(select(User.id).where(User.email.like(f"%-{tag}@bench.example"))))
                .scalars()
                .all()
            )
            await s.execute(insert(TeamMember), [{"team_id": team.id, "user_id": i} for i in ids])
            await s.execute(
                insert(AgentPresence),
                [{"user_id": i, "status": "online", "last_seen_at": at} for i in ids],
            )
            sessions = []
            for user_id in ids:
                token = tokens.new_token()
                out.agent_cookies[user_id] = f"helpline_session={token}"
                sessions.append(
                    {
                        "token_digest": tokens.digest(token),
                        "user_id": user_id,
                        "csrf_token": tokens.new_token(),
                        "expires_at": at + timedelta(days=1),
                    }
                )
            await s.execute(insert(AuthSession), sessions)
            visitor_tokens = [tokens.new_token() for _ in range(chats)]
            await s.execute(
                insert(Visitor),
                [
                    {"token_digest": tokens.digest(t), "name": f"Visitor {n}"}
                    for n, t in enumerate(visitor_tokens)
                ],
            )
            digests = {tokens.digest(t): t for t in visitor_tokens}
            rows = (
                await s.execute(
                    select(Visitor.id, Visitor.token_digest).where(
                        Visitor.token_digest.in_(list(digests))
                    )
                )
            ).all()
            by_visitor = {vid: digests[d] for vid, d in rows}
            visitor_ids = sorted(by_visitor)
            await s.execute(
                insert(Conversation),
                [
                    {
                        "visitor_id": vid,
                        "team_id": team.id,
                        "agent_id": ids[n % len(ids)],
                        "state": "active",
                        "last_seq": 1,
                        "last_public_seq": 1,
                        "assigned_at": at,
                        "first_response_at": at,
                    }
                    for n, vid in enumerate(visitor_ids)
                ],
            )
            convs = (
                await s.execute(
                    select(Conversation.id, Conversation.visitor_id, Conversation.agent_id).where(
                        Conversation.team_id == team.id
                    )
                )
            ).all()
            await s.execute(
                insert(ConversationEvent),
                [
                    {
                        "conversation_id": cid,
                        "seq": 1,
                        "public_seq": 1,
                        "type": "started",
                        "sender": f"visitor:{vid}",
                        "data": {"topic": ""},
                        "created_at": at,
                    }
                    for cid, vid, _ in convs
                ],
            )
            out.chats = [(cid, by_visitor[vid], int(agent)) for cid, vid, agent in convs]
    finally:
        await db.close()
    return out


def seed_sync(db_url: str, *, agents: int, chats: int) -> Seeded:
    return asyncio.run(seed(db_url, agents=agents, chats=chats))
