"""Who is acting: a staff member (from a login session) or a visitor (from a widget token).

What a staff member may do is asked of :mod:`helpline.core.permissions` through
:meth:`Staff.can`; nothing compares role strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from helpline.core.permissions import Capability, can

View = Literal["staff", "visitor"]
Party = Literal["agent", "visitor"]


@dataclass(frozen=True)
class Staff:
    # Which view of a conversation this actor reads and writes (staff see notes and staff
    # numbering; visitors the public numbering).
    view: ClassVar[View] = "staff"
    # How events name the side this actor speaks for (``by`` in typing, ended, ...).
    party: ClassVar[Party] = "agent"

    user_id: int
    role: str
    name: str
    team_ids: frozenset[int]

    @property
    def sender(self) -> str:
        return f"agent:{self.user_id}"

    def can(self, capability: Capability) -> bool:
        return can(self.role, capability)

    @property
    def is_admin(self) -> bool:
        """Sees and manages every team (the ``read_all_chats`` capability)."""
        return self.can(Capability.READ_ALL_CHATS)

    @property
    def supervises(self) -> bool:
        return self.can(Capability.MANAGE_TEAM_CHATS)


@dataclass(frozen=True)
class Visitor:
    view: ClassVar[View] = "visitor"
    party: ClassVar[Party] = "visitor"

    visitor_id: int
    name: str

    @property
    def sender(self) -> str:
        return f"visitor:{self.visitor_id}"


Actor = Staff | Visitor
