"""Agent selection: who gets the chat, exhaustively over small cases and by property."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from helpline.routing.selection import Candidate, ChatNeeds, eligible, select


def agent(
    id: int,
    *,
    active: int = 0,
    cap: int = 2,
    idle_s: float = 0,
    status: str = "online",
    skills: set[str] | None = None,
    languages: set[str] | None = None,
) -> Candidate:
    return Candidate(
        id, status, active, cap, idle_s, frozenset(skills or ()), frozenset(languages or ())
    )


def test_least_loaded_then_longest_idle_then_lowest_id() -> None:
    pool = [
        agent(1, active=1, idle_s=500),
        agent(2, active=0, idle_s=10),
        agent(3, active=0, idle_s=90),
    ]
    assert select(ChatNeeds(), pool, relax_after_s=60).agent_id == 3  # type: ignore[union-attr]
    tie = [agent(7, idle_s=5), agent(4, idle_s=5)]
    assert select(ChatNeeds(), tie, relax_after_s=60).agent_id == 4  # type: ignore[union-attr]


def test_nobody_when_offline_away_or_full() -> None:
    pool = [agent(1, status="away"), agent(2, status="offline"), agent(3, active=2, cap=2)]
    assert select(ChatNeeds(), pool, relax_after_s=60) is None
    assert select(ChatNeeds(), [], relax_after_s=60) is None


def test_excluded_agents_come_last_but_never_strand_a_chat() -> None:
    pool = [agent(3, active=1), agent(4)]
    needs = ChatNeeds(excluded=frozenset({4}))
    first = select(needs, pool, relax_after_s=60)
    assert first is not None and first.agent_id == 3, "a busier agent beats an excluded one"
    assert first.reason["excluded_fallback"] is False
    alone = select(needs, [agent(4), agent(5, status="away")], relax_after_s=60)
    assert alone is not None and alone.agent_id == 4, "the excluded agent is the only one online"
    assert alone.reason["excluded_fallback"] is True


def test_relaxing_skills_comes_before_falling_back_to_excluded_agents() -> None:
    pool = [agent(1, skills={"tech"}), agent(2)]
    needs = ChatNeeds(skills=frozenset({"tech"}), waited_s=100, excluded=frozenset({1}))
    decision = select(needs, pool, relax_after_s=60)
    assert decision is not None and decision.agent_id == 2
    assert decision.reason["skills_relaxed"] is True
    early = select(
        ChatNeeds(skills=frozenset({"tech"}), waited_s=1, excluded=frozenset({1})),
        pool,
        relax_after_s=60,
    )
    assert early is not None and early.agent_id == 1, "before relaxing, the excluded specialist"


def test_skills_and_languages_are_required_until_relaxed() -> None:
    pool = [
        agent(1, skills={"billing"}, languages={"en"}),
        agent(2, skills={"tech"}, languages={"de"}),
    ]
    needs = ChatNeeds(skills=frozenset({"tech"}), language="de")
    assert select(needs, pool, relax_after_s=60).agent_id == 2  # type: ignore[union-attr]
    busy_specialist = [agent(1, skills={"billing"}), agent(2, skills={"tech"}, active=2)]
    needs = ChatNeeds(skills=frozenset({"tech"}), waited_s=10)
    assert select(needs, busy_specialist, relax_after_s=60) is None
    relaxed = select(
        ChatNeeds(skills=frozenset({"tech"}), waited_s=61), busy_specialist, relax_after_s=60
    )
    assert (
        relaxed is not None and relaxed.agent_id == 1 and relaxed.reason["skills_relaxed"] is True
    )
    german_only = ChatNeeds(language="fr", waited_s=1000)
    assert select(german_only, [agent(1, languages={"de"})], relax_after_s=60) is None, (
        "language is never relaxed"
    )
    assert select(german_only, [agent(1)], relax_after_s=60) is not None, (
        "no languages listed means any"
    )


def test_reason_explains_the_choice() -> None:
    decision = select(
        ChatNeeds(skills=frozenset({"a"}), language="en"),
        [
            agent(5, active=1, idle_s=42.26, skills={"a", "b"}, languages={"en"}),
            agent(6, status="away"),
        ],
        relax_after_s=60,
    )
    assert decision is not None
    assert decision.reason == {
        "rule": "least_load_then_longest_idle",
        "skills_required": ["a"],
        "skills_matched": ["a"],
        "skills_relaxed": False,
        "excluded_fallback": False,
        "language": "en",
        "load": 1,
        "cap": 2,
        "idle_s": 42.3,
        "candidates": 1,
    }


agents_st = st.lists(
    st.builds(
        agent,
        id=st.integers(1, 50),
        active=st.integers(0, 3),
        cap=st.integers(1, 3),
        idle_s=st.floats(0, 1000),
        status=st.sampled_from(["online", "away", "offline"]),
        skills=st.sets(st.sampled_from(["a", "b", "c"])),
        languages=st.sets(st.sampled_from(["en", "de"])),
    ),
    max_size=12,
    unique_by=lambda a: a.id,
)
needs_st = st.builds(
    ChatNeeds,
    skills=st.frozensets(st.sampled_from(["a", "b", "c"]), max_size=2),
    language=st.sampled_from(["", "en", "de"]),
    waited_s=st.floats(0, 200),
    excluded=st.frozensets(st.integers(1, 50), max_size=3),
)


def _tiers(needs: ChatNeeds, pool: list[Candidate], relax: bool) -> list[list[Candidate]]:
    """The candidate sets select() must try, in order (the docstring's tiers)."""
    out = []
    for fallback in (False, True):
        for relaxed in (False, True) if relax else (False,):
            out.append(
                [
                    a
                    for a in pool
                    if eligible(a, needs, relaxed=relaxed) and (a.id in needs.excluded) == fallback
                ]
            )
    return out


@given(needs_st, agents_st)
@settings(max_examples=500)
def test_choice_is_from_the_first_nonempty_tier_and_the_best_in_it(
    needs: ChatNeeds, pool: list[Candidate]
) -> None:
    decision = select(needs, pool, relax_after_s=120)
    tiers = _tiers(needs, pool, needs.waited_s >= 120 and bool(needs.skills))
    if decision is None:
        assert not any(tiers), "an online agent with a free slot was left unused"
        return
    fits = next(t for t in tiers if t)
    chosen = next(a for a in pool if a.id == decision.agent_id)
    assert chosen in fits
    assert chosen.active < chosen.cap and chosen.status == "online"
    assert all(
        (chosen.active, -chosen.idle_s, chosen.id) <= (a.active, -a.idle_s, a.id) for a in fits
    )
    assert decision.reason["excluded_fallback"] == (chosen.id in needs.excluded)
    assert decision.reason["candidates"] == len(fits)
