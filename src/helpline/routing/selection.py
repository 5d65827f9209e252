"""Agent selection: the pure core of routing.

Given a waiting chat and a snapshot of agents, pick the agent to offer it to, or nobody, and say
why. The caller claims the chosen agent's capacity with a conditional UPDATE; if that loses a race
it takes a fresh snapshot and asks again.

Order of preference, after eligibility (online, under their cap, speaks the chat's language, has
every required skill): fewest active chats, then longest idle, then lowest id so the answer is
deterministic. Required skills are dropped after the chat has waited ``relax_after_s`` (language
never is), so a chat is not stranded when its specialists are busy.

Agents who let the chat's offer time out or passed it on (``excluded``) come last, not never:
they are chosen only when nobody else can take the chat now, so a chat is never stranded
while an agent with a free slot is online (the reason then says ``excluded_fallback``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Candidate:
    id: int
    status: str
    active: int
    cap: int
    idle_s: float
    skills: frozenset[str] = field(default_factory=frozenset)
    languages: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ChatNeeds:
    skills: frozenset[str] = field(default_factory=frozenset)
    language: str = ""
    waited_s: float = 0.0
    excluded: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Decision:
    agent_id: int
    reason: dict[str, Any]


def eligible(agent: Candidate, needs: ChatNeeds, *, relaxed: bool) -> bool:
    """Online, under the cap, speaks the language and (unless ``relaxed``) has the skills.
    Exclusions are not eligibility: see :func:`select`."""
    if agent.status != "online" or agent.active >= agent.cap:
        return False
    if needs.language and agent.languages and needs.language not in agent.languages:
        return False
    return relaxed or needs.skills <= agent.skills


def select(
    needs: ChatNeeds, agents: Iterable[Candidate], *, relax_after_s: float
) -> Decision | None:
    """Return the best agent for ``needs``, or None when no agent can take it now.

    Tiers, first non-empty wins: skilled and not excluded; any skills (once the chat waited
    ``relax_after_s``) and not excluded; then the same two among the excluded agents.
    """
    pool = list(agents)
    may_relax = bool(needs.skills) and needs.waited_s >= relax_after_s
    for fallback in (False, True):
        for relaxed in (False, True) if may_relax else (False,):
            fits = [
                a
                for a in _fits(needs, pool, relaxed=relaxed)
                if (a.id in needs.excluded) == fallback
            ]
            if fits:
                return _decide(needs, fits, relaxed=relaxed, fallback=fallback)
    return None


def _decide(needs: ChatNeeds, fits: list[Candidate], *, relaxed: bool, fallback: bool) -> Decision:
    chosen = min(fits, key=lambda a: (a.active, -a.idle_s, a.id))
    reason = {
        "rule": "least_load_then_longest_idle",
        "skills_required": sorted(needs.skills),
        "skills_matched": sorted(needs.skills & chosen.skills),
        "skills_relaxed": relaxed,
        "excluded_fallback": fallback,
        "language": needs.language,
        "load": chosen.active,
        "cap": chosen.cap,
        "idle_s": round(chosen.idle_s, 1),
        "candidates": len(fits),
    }
    return Decision(chosen.id, reason)


def _fits(needs: ChatNeeds, pool: list[Candidate], *, relaxed: bool) -> list[Candidate]:
    return [a for a in pool if eligible(a, needs, relaxed=relaxed)]
