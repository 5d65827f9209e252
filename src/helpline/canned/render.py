"""Fill ``{{variable}}`` placeholders in a canned response. Pure.

Known variables come from the conversation (``customer.name``, ``customer.email``,
``customer.tier``, ``conversation.id``, ``conversation.topic``) and the agent (``agent.name``,
``agent.first_name``). An unknown variable or a missing value renders as an empty string, so a
customer never sees raw ``{{...}}``; the renderer returns the names it could not fill so the
console can warn the agent before sending.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_VAR = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)*)\s*\}\}")
VARIABLES = (
    "customer.name",
    "customer.first_name",
    "customer.email",
    "customer.tier",
    "conversation.id",
    "conversation.topic",
    "agent.name",
    "agent.first_name",
)


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: tuple[str, ...]


def render(template: str, values: Mapping[str, str]) -> Rendered:
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name, "")
        if not value:
            missing.append(name)
        return value

    return Rendered(_VAR.sub(fill, template), tuple(dict.fromkeys(missing)))


def first_name(full: str) -> str:
    return full.split()[0] if full.strip() else ""
