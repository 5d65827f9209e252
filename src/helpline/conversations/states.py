"""The conversation state machine: a pure table of who may move a chat from where to where.

    queued ──offer──▶ assigned ──accept / first agent message──▶ active
      │  ▲              │  │                                       │
      │  └──requeue─────┘  └──────────────▶ wrap-up ◀──end─────────┘
      │   (timeout, agent offline, transfer to team)      │
      └──visitor leaves──▶ abandoned                      └──close (resolution code)──▶ closed

A transfer to an agent re-offers the chat (active/assigned -> assigned). Capacity is counted on
``assigned`` and ``active``: wrap-up frees the agent's slot.
"""

from __future__ import annotations

from helpline.core.errors import WrongState

STATES = ("queued", "assigned", "active", "wrap-up", "closed", "abandoned")
HOLDS_CAPACITY = frozenset({"assigned", "active"})
OPEN = frozenset({"queued", "assigned", "active"})

TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "offer": {"to": frozenset({"assigned"}), "from": frozenset({"queued"})},
    "accept": {"to": frozenset({"active"}), "from": frozenset({"assigned"})},
    "requeue": {"to": frozenset({"queued"}), "from": frozenset({"assigned", "active"})},
    "transfer": {
        "to": frozenset({"assigned", "queued"}),
        "from": frozenset({"assigned", "active"}),
    },
    "end": {"to": frozenset({"wrap-up"}), "from": frozenset({"assigned", "active"})},
    "abandon": {"to": frozenset({"abandoned"}), "from": frozenset({"queued"})},
    "close": {"to": frozenset({"closed"}), "from": frozenset({"active", "wrap-up"})},
}

VISITOR_CAN_SEND = frozenset({"queued", "assigned", "active"})
AGENT_CAN_SEND = frozenset({"assigned", "active"})


def check_transition(action: str, state: str) -> None:
    """Raise :class:`WrongState` unless ``action`` is allowed from ``state``."""
    allowed = TRANSITIONS[action]["from"]
    if state not in allowed:
        raise WrongState(
            f"Cannot {action} a conversation that is {state}.",
            state=state,
            allowed_from=sorted(allowed),
        )


def holds_capacity(state: str) -> bool:
    return state in HOLDS_CAPACITY
