"""The conversation state machine table, checked exhaustively."""

from __future__ import annotations

import pytest

from helpline.conversations.states import STATES, TRANSITIONS, check_transition, holds_capacity
from helpline.core.errors import WrongState

ALLOWED = {
    ("offer", "queued"),
    ("accept", "assigned"),
    ("requeue", "assigned"),
    ("requeue", "active"),
    ("transfer", "assigned"),
    ("transfer", "active"),
    ("end", "assigned"),
    ("end", "active"),
    ("abandon", "queued"),
    ("close", "active"),
    ("close", "wrap-up"),
}


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
@pytest.mark.parametrize("state", STATES)
def test_every_action_from_every_state(action: str, state: str) -> None:
    if (action, state) in ALLOWED:
        check_transition(action, state)
    else:
        with pytest.raises(WrongState) as raised:
            check_transition(action, state)
        assert raised.value.code == "wrong_state" and raised.value.details["state"] == state


def test_terminal_states_allow_nothing() -> None:
    for state in ("closed", "abandoned"):
        assert not [a for a in TRANSITIONS if (a, state) in ALLOWED]


def test_capacity_is_held_while_assigned_or_active_only() -> None:
    assert [s for s in STATES if holds_capacity(s)] == ["assigned", "active"]
