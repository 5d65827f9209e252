"""Customer records through the widget API: a signed identity is stored with its PII masked."""

from __future__ import annotations

import json

from sqlalchemy import text

from helpline.core.db import Database
from helpline.customers.identity import sign
from tests.clients import Staff, Visitor, make_staff, make_team
from tests.servers import IDENTITY_SECRET, Server

RAW = ["4111 1111 1111 1111", "5555-5555-5555-4444", "219-09-9998", "DE89 3704 0044 0532 0130 00"]


async def test_a_signed_identity_is_stored_with_its_pii_masked(server: Server, root: Staff) -> None:
    team = await make_team(root)
    agent = await make_staff(root, team_ids=[team["id"]], online=False)
    record = {
        "external_id": "crm-pii-1",
        "name": f"Ana {RAW[0]}",
        "account_status": f"ssn {RAW[2]}",
        "tier": "premium",
        "attributes": {"note": f"card {RAW[1]}", "payout": RAW[3], "plan": "gold"},
    }
    chat = await Visitor.start(
        server, team_id=team["id"], customer=record, signature=sign(record, IDENTITY_SECRET)
    )

    db = Database(server.db_url)
    try:
        async with db.read() as s:
            row = (
                await s.execute(
                    text(
                        "SELECT name, account_status, tier, attributes FROM customers"
                        " WHERE external_id = 'crm-pii-1'"
                    )
                )
            ).one()
    finally:
        await db.close()
    attributes = row.attributes if isinstance(row.attributes, dict) else json.loads(row.attributes)
    assert (row.name, row.account_status, row.tier) == (
        "Ana [card ending 1111]",
        "ssn [SSN redacted]",
        "premium",
    )
    assert attributes == {
        "note": "card [card ending 4444]",
        "payout": "[IBAN redacted]",
        "plan": "gold",
    }
    dump = repr(row)
    for value in RAW:
        assert value not in dump and value.replace(" ", "").replace("-", "") not in dump

    profile = await agent.ok("GET", f"/api/v1/conversations/{chat.conversation_id}/customer")
    assert profile["name"] == "Ana [card ending 1111]"
    assert profile["account_status"] == "ssn [SSN redacted]"
