"""The role table: every role against every capability, as docs/security.md states it."""

from __future__ import annotations

import pytest

from helpline.core.permissions import GRANTS, Capability, Role, can, capabilities_of, roles_with

C = Capability
EXPECTED = {
    "admin": {
        C.READ_TEAM_CHATS,
        C.READ_ALL_CHATS,
        C.WRITE_NOTES,
        C.ANSWER_CHATS,
        C.MANAGE_TEAM_CHATS,
        C.MANAGE_TEAM_CANNED,
        C.ADMINISTER,
    },
    "supervisor": {
        C.READ_TEAM_CHATS,
        C.WRITE_NOTES,
        C.ANSWER_CHATS,
        C.ROUTED,
        C.MANAGE_TEAM_CHATS,
        C.MANAGE_TEAM_CANNED,
    },
    "agent": {C.READ_TEAM_CHATS, C.WRITE_NOTES, C.ANSWER_CHATS, C.ROUTED},
    "qa": {C.READ_TEAM_CHATS, C.WRITE_NOTES},
}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("capability", list(Capability))
def test_every_role_grants_exactly_the_documented_capabilities(
    role: str, capability: Capability
) -> None:
    assert can(role, capability) == (capability in EXPECTED[role])


def test_the_table_covers_every_role_and_unknown_roles_grant_nothing() -> None:
    assert {r.value for r in GRANTS} == set(EXPECTED) == {r.value for r in Role}
    assert not any(can(role, c) for role in ("", "root", "ADMIN", "visitor") for c in Capability)


def test_roles_with_lists_the_granting_roles() -> None:
    assert set(roles_with(C.ROUTED)) == {"agent", "supervisor"}
    assert set(roles_with(C.ANSWER_CHATS)) == {"admin", "supervisor", "agent"}
    assert roles_with(C.ADMINISTER) == ("admin",)


def test_capabilities_of_lists_what_a_role_may_do() -> None:
    for role in Role:
        listed = capabilities_of(role.value)
        assert listed == sorted(listed)
        assert set(listed) == {c.value for c in Capability if can(role.value, c)}
    assert capabilities_of("pirate") == []


def test_every_role_list_is_the_enum() -> None:
    """Where a role list must be written out as a type (request bodies, the welcome frame's
    schema), it names exactly the roles ``core.permissions`` knows."""
    from typing import get_args

    from helpline.agents.schemas import Role as RequestRole
    from helpline.realtime.frames import StaffWelcome

    roles = {str(r) for r in Role}
    assert set(get_args(RequestRole)) == roles
    assert set(get_args(StaffWelcome.model_fields["role"].annotation)) == roles
