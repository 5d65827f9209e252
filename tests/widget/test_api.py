"""Widget settings: admins change them, bad values change nothing, the widget's config has them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from helpline.compliance.models import AuditEntry
from helpline.core.config import Settings
from helpline.core.db import Database
from tests.clients import WIDGET_DEFAULTS, Staff, make_staff, make_team
from tests.servers import Server

PATH = "/api/v1/widget-settings"


@pytest.fixture
async def restore(root: Staff) -> AsyncIterator[None]:
    """The server is shared: leave the settings as the next test expects them."""
    yield
    await root.ok("PUT", PATH, json=WIDGET_DEFAULTS)


async def config(server: Server) -> Any:
    async with httpx.AsyncClient(base_url=server.base_url) as anon:
        r = await anon.get("/api/v1/widget/config")
    assert r.status_code == 200
    return r.json()


async def test_defaults_are_the_look_the_widget_always_had(server: Server, root: Staff) -> None:
    stored = await root.ok("GET", PATH)
    assert {k: stored[k] for k in WIDGET_DEFAULTS} == WIDGET_DEFAULTS
    public = await config(server)
    assert {k: public[k] for k in WIDGET_DEFAULTS if k != "topics"} == {
        k: v for k, v in WIDGET_DEFAULTS.items() if k != "topics"
    }


async def test_config_says_how_long_a_message_may_be(server: Server) -> None:
    """The widget counts against the server's own limit, so it never cuts or sends too much."""
    assert (await config(server))["max_message_chars"] == Settings().max_message_chars


@pytest.mark.usefixtures("restore")
async def test_admin_changes_reach_the_widget_config(server: Server, root: Staff) -> None:
    await make_team(root, skills=["skill-topic"])
    body = {
        "colour": "#FFCC00",
        "greeting": "  Hola! <b>We answer fast</b>  ",
        "position": "left",
        "prechat_fields": {"name": "hidden", "email": "required"},
        "topics": ["orders", "returns"],
    }
    saved = await root.ok("PUT", PATH, json=body)
    assert saved["colour"] == "#ffcc00"  # stored lower-case
    assert saved["greeting"] == "Hola! <b>We answer fast</b>"  # plain text, kept as typed
    assert saved["updated_by"] == root.id and saved["updated_at"].endswith("Z")
    assert await root.ok("GET", PATH) == saved
    public = await config(server)
    assert public["colour"] == "#ffcc00" and public["position"] == "left"
    assert public["greeting"] == "Hola! <b>We answer fast</b>"
    assert public["prechat_fields"] == {"name": "hidden", "email": "required"}
    assert public["topics"] == ["orders", "returns"]  # configured topics replace the skills

    await root.ok("PUT", PATH, json={**body, "topics": []})
    assert "skill-topic" in (await config(server))["topics"]  # empty: the teams' skills again


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"colour": "#12345"}, "colour"),
        ({"colour": "#12345g"}, "colour"),
        ({"greeting": ""}, "greeting"),
        ({"greeting": "   "}, "greeting"),
        ({"greeting": "x" * 81}, "greeting"),
        ({"greeting": "two\nlines"}, "greeting"),
        ({"position": "top"}, "position"),
        ({"prechat_fields": {"name": "maybe", "email": "optional"}}, "prechat_fields.name"),
        ({"prechat_fields": {"name": "required", "email": 1}}, "prechat_fields.email"),
        ({"topics": ["orders", "orders"]}, "topics"),
        ({"topics": ["Orders"]}, "topics.0"),
        ({"topics": ["ok", "x" * 41]}, "topics.1"),
        ({"topics": [f"t{i}" for i in range(21)]}, "topics"),
        ({"layout": "grid"}, "layout"),
    ],
)
async def test_bad_values_name_their_field_and_change_nothing(
    root: Staff, change: dict[str, Any], field: str
) -> None:
    before = await root.ok("GET", PATH)
    r = await root.call("PUT", PATH, json={**WIDGET_DEFAULTS, "greeting": "Changed", **change})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid" and r.json()["details"]["fields"] == [field]
    assert await root.ok("GET", PATH) == before


async def test_only_admins_see_or_change_settings(server: Server, root: Staff) -> None:
    team = await make_team(root)
    sup = await make_staff(root, team_ids=[team["id"]], role="supervisor")
    assert (await sup.call("GET", PATH)).status_code == 403
    r = await sup.call("PUT", PATH, json={**WIDGET_DEFAULTS, "colour": "#000000"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = await root.call("PUT", PATH, json=WIDGET_DEFAULTS, headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    assert (await config(server))["colour"] == WIDGET_DEFAULTS["colour"]


@pytest.mark.usefixtures("restore")
async def test_a_change_is_audited_with_what_changed(server: Server, root: Staff) -> None:
    await root.ok("PUT", PATH, json={**WIDGET_DEFAULTS, "greeting": "Audited hello"})
    db = Database(server.db_url)
    try:
        async with db.read() as s:
            q = select(AuditEntry).where(AuditEntry.action == "widget_settings.put")
            entry = (await s.execute(q.order_by(AuditEntry.id.desc()).limit(1))).scalar_one()
    finally:
        await db.close()
    assert entry.actor_id == root.id and entry.target == "widget_settings"
    assert entry.data == {"changed": {"greeting": "Audited hello"}}
