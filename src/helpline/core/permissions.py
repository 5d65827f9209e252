"""Who may do what: roles mapped to capabilities, in one place.

Every check asks :func:`can` (or :meth:`Staff.can`) for a capability; no other module compares
role strings. Team scope is separate: a capability says *what* a role may do, the access helpers
in ``conversations/service.py`` say *where* (own chats, own teams, everywhere for admins).

| capability | what it allows | admin | supervisor | agent | qa |
|---|---|---|---|---|---|
| ``read_team_chats`` | read the chats of one's teams | yes | yes | yes | yes |
| ``read_all_chats`` | read every team's chats | yes | | | |
| ``write_notes`` | internal notes on chats one may read | yes | yes | yes | yes |
| ``answer_chats`` | take chats, message visitors, visible typing and reads | yes | yes | yes | |
| ``routed`` | be offered chats automatically by the router | | yes | yes | |
| ``manage_team_chats`` | transfer and close others' chats of one's teams | yes | yes | | |
| ``manage_team_canned`` | canned responses shared with one's teams | yes | yes | | |
| ``administer`` | users, teams, resolution codes, settings | yes | | | |
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    QA = "qa"


class Capability(StrEnum):
    READ_TEAM_CHATS = "read_team_chats"
    READ_ALL_CHATS = "read_all_chats"
    WRITE_NOTES = "write_notes"
    ANSWER_CHATS = "answer_chats"
    ROUTED = "routed"
    MANAGE_TEAM_CHATS = "manage_team_chats"
    MANAGE_TEAM_CANNED = "manage_team_canned"
    ADMINISTER = "administer"


_C = Capability
_EVERY_STAFF = frozenset({_C.READ_TEAM_CHATS, _C.WRITE_NOTES})
GRANTS: dict[Role, frozenset[Capability]] = {
    Role.ADMIN: frozenset(_C) - {_C.ROUTED},
    Role.SUPERVISOR: _EVERY_STAFF
    | {_C.ANSWER_CHATS, _C.ROUTED, _C.MANAGE_TEAM_CHATS, _C.MANAGE_TEAM_CANNED},
    Role.AGENT: _EVERY_STAFF | {_C.ANSWER_CHATS, _C.ROUTED},
    Role.QA: _EVERY_STAFF,
}


def can(role: str, capability: Capability) -> bool:
    """True when ``role`` grants ``capability``. Unknown roles grant nothing."""
    try:
        return capability in GRANTS[Role(role)]
    except ValueError:
        return False


def capabilities_of(role: str) -> list[str]:
    """What ``role`` may do, sorted, for clients that adapt their screens (``GET /me``)."""
    try:
        return sorted(GRANTS[Role(role)])
    except ValueError:
        return []


def roles_with(capability: Capability) -> tuple[str, ...]:
    """The roles that grant ``capability``, e.g. to filter users in a query."""
    return tuple(role.value for role, caps in GRANTS.items() if capability in caps)
