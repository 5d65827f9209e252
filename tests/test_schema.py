"""``helpline schema``: one JSON Schema document for client frames, server frames and events,
the input of the web clients' generated TypeScript types. It must be valid JSON Schema, name
exactly the types docs/protocol.md documents, and cover every type the server's code writes."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from jsonschema import Draft202012Validator, ValidationError

from tests.test_protocol_docs import documented_types, sent_types

UNIONS = {"client": "ClientFrame", "server": "ServerFrame", "event": "ChatEvent"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "helpline", "schema"], capture_output=True, text=True, check=True
    )
    parsed: dict[str, Any] = json.loads(out.stdout)
    return parsed


def union_types(document: dict[str, Any], name: str) -> set[str]:
    return set(document["$defs"][name]["discriminator"]["mapping"])


def validator(document: dict[str, Any], name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": document["$defs"]})


def test_the_output_is_valid_json_schema(document: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(document)
    assert document["version"] == 1
    assert set(UNIONS.values()) | {"ConversationEvent", "InboxEvent", "Sender"} <= set(
        document["$defs"]
    )


@pytest.mark.parametrize("kind", sorted(UNIONS))
def test_the_unions_hold_exactly_the_documented_types(document: dict[str, Any], kind: str) -> None:
    assert union_types(document, UNIONS[kind]) == documented_types()[kind]


def test_every_type_the_code_writes_has_a_model(document: dict[str, Any]) -> None:
    modelled = set().union(*(union_types(document, name) for name in UNIONS.values()))
    missing = {kind: where for kind, where in sent_types().items() if kind not in modelled}
    assert not missing, f"add models for these types: {missing}"


def test_the_union_parts_split_the_events(document: dict[str, Any]) -> None:
    conversation = union_types(document, "ConversationEvent")
    inbox = union_types(document, "InboxEvent")
    assert not conversation & inbox
    assert conversation | inbox == union_types(document, "ChatEvent")


MESSAGE = {
    "type": "message",
    "seq": 3,
    "public_seq": 2,
    "conversation_id": 42,
    "sender": {"kind": "visitor", "name": "Maria"},
    "created_at": "2026-11-23T05:55:00.711873Z",
    "text": "Hi!",
    "client_id": "m1",
}


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "event", "stream": "conversation:42", "event": MESSAGE},
        {"type": "heartbeat"},
        {
            "type": "welcome",
            "v": 1,
            "heartbeat_s": 20.0,
            "idle_timeout_s": 60.0,
            "role": "visitor",
            "visitor_id": 7,
        },
        {"type": "ok", "ref": "r1", "conversation_id": 42, "state": "wrap-up"},
        {"type": "queue", "conversation_id": 42, "position": 1, "ewt_s": None, "agents_online": 0},
    ],
)
def test_the_json_schema_accepts_what_the_server_sends(
    document: dict[str, Any], frame: dict[str, Any]
) -> None:
    validator(document, "ServerFrame").validate(frame)


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "event", "stream": "conversation:42", "event": {**MESSAGE, "text": None}},
        {"type": "event", "stream": "conversation:42", "event": {**MESSAGE, "extra": 1}},
        {"type": "heartbeat", "seq": 1},
        {
            "type": "welcome",
            "v": 1,
            "heartbeat_s": 20.0,
            "idle_timeout_s": 60.0,
            "role": "visitor",
            "user_id": 7,
        },
        {"type": "nothing"},
    ],
)
def test_the_json_schema_refuses_what_the_models_refuse(
    document: dict[str, Any], frame: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        validator(document, "ServerFrame").validate(frame)
