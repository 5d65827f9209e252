"""The routing loop: routing passes, queue positions, offer timeouts and the presence sweep.

Requests (``request``) are coalesced per team and served by the node that got them. The
periodic :meth:`Router.tick` catches everything else (skill relaxation after a wait, offers
that time out, agents whose connection vanished, queue positions); it is the ``routing.tick``
job (core/jobs.py), so one node at a time runs it, and another takes over if that node dies.
Every step is a database transaction built from conditional updates, so the moment two nodes
overlap, or a requested pass meets a tick on another node, is still safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from helpline.agents.models import AgentPresence, Team
from helpline.conversations.models import Conversation
from helpline.core.clock import aware, now
from helpline.core.events import Envelope
from helpline.core.runtime import Runtime
from helpline.core.streams import conversation_stream, team_stream
from helpline.routing import ewt, hours, service
from helpline.routing.actions import do_offer, requeue_in_tx, set_status_in_tx
from helpline.routing.selection import ChatNeeds
from helpline.routing.selection import select as select_agent

log = logging.getLogger("helpline.routing")
QUEUE_PUBLISH_MIN_INTERVAL_S = 1.0


class Router:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._pending: set[int] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_queue_publish: dict[int, float] = {}
        self._ticked: set[int] = set()
        rt.request_routing = self.request

    def request(self, team_id: int) -> None:
        self._pending.add(team_id)
        self._wake.set()

    async def tick(self) -> None:
        """The periodic pass (one node at a time): expire offers, sweep presence, and route
        every team with a queue, publishing its queue summary at most once a second."""
        await self.expire_offers()
        await self.sweep_presence()
        async with self.rt.db.read() as s:
            teams = set(await service.teams_with_queue(s))
        self._ticked |= teams
        for team_id in teams:
            self.request(team_id)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="helpline-router")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            teams, self._pending = self._pending, set()
            ticked, self._ticked = self._ticked, set()
            try:
                for team_id in sorted(teams):
                    await self.route_team(team_id)
                    await self.publish_queue(team_id, force=team_id not in ticked)
            except Exception:
                log.exception("routing pass failed; the next tick retries it")

    async def route_team(self, team_id: int) -> int:
        """Offer as many of the team's waiting chats as free capacity allows; return how many.
        A team outside its business hours is offered nothing: its chats wait, and the tick
        routes them once it opens."""
        made = 0
        async with self.rt.db.read() as s:
            team = await s.get(Team, team_id)
            if team is None or not _open(team):
                return 0
            waiting = await service.queue(s, team_id)
            if not waiting:
                return 0
            agents = await service.candidates(s, team)
            excluded = await service.excluded_agents(s, [w.id for w in waiting])
        at = now()
        relax_after_s = (
            team.relax_skills_after_s
            if team.relax_skills_after_s is not None
            else self.rt.settings.relax_skills_after_s
        )
        for chat in waiting:
            if not any(a.active < a.cap for a in agents):
                break
            needs = ChatNeeds(
                skills=chat.skills,
                language=chat.language,
                waited_s=(at - chat.queued_at).total_seconds(),
                excluded=excluded.get(chat.id, frozenset()),
            )
            decision = select_agent(needs, agents, relax_after_s=relax_after_s)
            if decision is None:
                continue
            if await do_offer(self.rt, conversation_id=chat.id, team=team, decision=decision):
                made += 1
            agents = [
                replace(a, active=a.active + 1) if a.id == decision.agent_id else a for a in agents
            ]
        return made

    async def publish_queue(self, team_id: int, *, force: bool = False) -> None:
        """Send each waiting visitor their position and estimated wait; staff get a summary."""
        last = self._last_queue_publish.get(team_id, 0.0)
        if not force and time.monotonic() - last < QUEUE_PUBLISH_MIN_INTERVAL_S:
            return
        self._last_queue_publish[team_id] = time.monotonic()
        async with self.rt.db.read() as s:
            team = await s.get(Team, team_id)
            if team is None:
                return
            waiting = await service.queue(s, team_id)
            agents = await service.candidates(s, team)
            aht = ewt.average_handle_time(
                await service.recent_handle_times(s, team_id),
                default_s=self.rt.settings.default_handle_time_s,
            )
        capacity = sum(a.cap for a in agents)
        free = sum(max(0, a.cap - a.active) for a in agents)
        envelopes = [
            Envelope(
                stream=conversation_stream(chat.id),
                kind="ephemeral",
                payload={
                    "type": "queue",
                    "conversation_id": chat.id,
                    "position": position,
                    "ewt_s": _ewt(position, free, capacity, aht),
                    "agents_online": len(agents),
                },
            )
            for position, chat in enumerate(waiting, start=1)
        ]
        at = now()
        envelopes.append(
            Envelope(
                stream=team_stream(team_id),
                kind="ephemeral",
                payload={
                    "type": "queue_summary",
                    "team_id": team_id,
                    "waiting": len(waiting),
                    "longest_wait_s": round((at - waiting[0].queued_at).total_seconds())
                    if waiting
                    else 0,
                    "agents_online": len(agents),
                    "capacity": capacity,
                    "free": free,
                    "aht_s": round(aht),
                },
            )
        )
        await self.rt.publish(envelopes)

    async def expire_offers(self) -> None:
        """Re-queue offers not accepted in time and set the agent away, so the next chat
        does not go to someone who is not at their desk."""
        at = now()
        async with self.rt.db.read() as s:
            rows = (
                await s.execute(
                    select(Conversation, Team.answer_timeout_s)
                    .join(Team, Team.id == Conversation.team_id)
                    .where(Conversation.state == "assigned")
                )
            ).all()
        for conv, timeout_s in rows:
            if conv.assigned_at is None or at - aware(conv.assigned_at) < timedelta(
                seconds=timeout_s
            ):
                continue
            async with self.rt.db.write() as s:
                agent_id = conv.agent_id
                if (
                    await requeue_in_tx(self.rt, s, conv, reason="no_answer", outcome="no_answer")
                    and agent_id
                ):
                    await set_status_in_tx(self.rt, s, agent_id, "away", reason="missed_chat")

    async def sweep_presence(self) -> None:
        """Agents whose connections all went silent are set offline (their chats re-queued)."""
        cutoff = now() - timedelta(seconds=self.rt.settings.presence_timeout_s)
        async with self.rt.db.read() as s:
            stale = (
                (
                    await s.execute(
                        select(AgentPresence.user_id).where(
                            AgentPresence.status != "offline", AgentPresence.last_seen_at < cutoff
                        )
                    )
                )
                .scalars()
                .all()
            )
        for user_id in stale:
            async with self.rt.db.write() as s:
                presence = await s.get(AgentPresence, user_id, with_for_update=True)
                if (
                    presence is None
                    or aware(presence.last_seen_at) >= cutoff
                    or presence.status == "offline"
                ):
                    continue
                await set_status_in_tx(self.rt, s, user_id, "offline", reason="connection_lost")


def _open(team: Team) -> bool:
    schedule = service.team_schedule(team)
    return schedule is None or hours.is_open(schedule, now())


def _ewt(position: int, free: int, capacity: int, aht_s: float) -> int | None:
    seconds = ewt.estimate_wait(position=position, free=free, capacity=capacity, aht_s=aht_s)
    return None if seconds is None else ewt.round_for_humans(seconds)
