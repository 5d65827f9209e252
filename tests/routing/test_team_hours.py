"""A team's business hours over HTTP, and routing that respects them (docs/routing.md)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from helpline.agents.models import Team
from helpline.routing.hours import WEEKDAYS, is_open, next_closing, next_opening, parse_schedule
from helpline.routing.service import team_schedule
from tests.clients import Staff, Visitor, make_staff, make_team
from tests.routing.test_assignment import conversation, eventually
from tests.servers import Server

ALWAYS = {
    "time_zone": "Pacific/Kiritimati",
    "week": {day: [{"start": "00:00", "end": "24:00"}] for day in WEEKDAYS},
}
NEVER = {"time_zone": "UTC"}
OFFICE = {
    "time_zone": "Pacific/Kiritimati",
    "week": {day: [{"start": "09:00", "end": "17:00"}] for day in WEEKDAYS[:5]},
    "holidays": {"country": "KI"},
    "closed_dates": ["2026-12-24"],
    "special_dates": {"2026-12-31": [{"start": "09:00", "end": "12:00"}]},
}


def hours_path(team: dict[str, Any]) -> str:
    return f"/api/v1/teams/{team['id']}/hours"


async def test_a_team_without_hours_is_always_open(root: Staff) -> None:
    team = await make_team(root)
    assert await root.ok("GET", hours_path(team)) == {
        "team_id": team["id"],
        "hours": None,
        "open_now": True,
        "next_change_at": None,
    }


async def test_admin_sets_hours_and_the_team_reads_when_they_change(root: Staff) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]], online=False)
    before = datetime.now(UTC)
    put = await root.ok("PUT", hours_path(team), json={"hours": OFFICE})
    after = datetime.now(UTC)
    got = await agent.ok("GET", hours_path(team))
    assert put["hours"] == got["hours"] == OFFICE
    schedule = parse_schedule(OFFICE)
    if is_open(schedule, before) == is_open(schedule, after):  # not at a boundary just now
        change = (next_closing if is_open(schedule, before) else next_opening)(schedule, before)
        assert got["open_now"] is is_open(schedule, before)
        assert change is not None
        assert datetime.fromisoformat(got["next_change_at"]) == change

    never = await root.ok("PUT", hours_path(team), json={"hours": NEVER})
    assert never["open_now"] is False and never["next_change_at"] is None
    cleared = await root.ok("PUT", hours_path(team), json={"hours": None})
    assert cleared == {
        "team_id": team["id"],
        "hours": None,
        "open_now": True,
        "next_change_at": None,
    }


async def test_bad_hours_name_the_field_and_change_nothing(root: Staff) -> None:
    team = await make_team(root)
    await root.ok("PUT", hours_path(team), json={"hours": OFFICE})
    bad = {
        "time_zone": "Europe/Atlantis",
        "week": {"mon": [{"start": "17:00", "end": "09:00"}]},
        "holidays": {"country": "DE", "subdivision": "XX"},
    }
    r = await root.call("PUT", hours_path(team), json={"hours": bad})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid"
    assert r.json()["details"]["fields"] == [
        "hours.holidays.subdivision",
        "hours.time_zone",
        "hours.week.mon.0.end",
    ]
    assert "hours.holidays.subdivision" in r.json()["message"]
    shape = await root.call("PUT", hours_path(team), json={"hours": ["09:00", "17:00"]})
    assert shape.status_code == 422 and shape.json()["details"]["fields"] == ["hours"]
    assert (await root.ok("GET", hours_path(team)))["hours"] == OFFICE
    missing = await root.call("PUT", "/api/v1/teams/999999/hours", json={"hours": ALWAYS})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


async def test_a_closed_team_keeps_its_chat_queued_until_it_opens(
    server: Server, root: Staff
) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]])
    await root.ok("PUT", hours_path(team), json={"hours": NEVER})
    visitor = await Visitor.start(server, team_id=team["id"])
    await asyncio.sleep(1.5)  # several routing ticks with a free agent online
    assert (await conversation(root, visitor.conversation_id))["state"] == "queued"

    await root.ok("PUT", hours_path(team), json={"hours": ALWAYS})

    async def offered() -> dict[str, Any] | None:
        chat = await conversation(root, visitor.conversation_id)
        return chat if chat["state"] == "assigned" else None

    assert (await eventually(offered))["agent_id"] == agent.id


def test_stored_hours_that_no_longer_parse_count_as_none(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="helpline.routing")
    retired = Team(id=7, name="retired", hours={"time_zone": "Asia/Retired", "week": {}})
    assert team_schedule(retired) is None
    assert "team 7" in caplog.text and "time_zone" in caplog.text
    assert team_schedule(Team(id=8, name="none", hours=None)) is None
    kept = team_schedule(Team(id=9, name="office", hours=OFFICE))
    assert kept is not None and kept.country == "KI"
