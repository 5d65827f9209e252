"""Who is acting: a staff member (from a login session) or a visitor (from a widget token)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Staff:
    user_id: int
    role: str
    name: str
    team_ids: frozenset[int]

    @property
    def sender(self) -> str:
        return f"agent:{self.user_id}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def supervises(self) -> bool:
        return self.role in ("admin", "supervisor")


@dataclass(frozen=True)
class Visitor:
    visitor_id: int
    name: str

    @property
    def sender(self) -> str:
        return f"visitor:{self.visitor_id}"


Actor = Staff | Visitor
