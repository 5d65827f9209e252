"""The protocol's schemas in one place: client frames, server frames and the domains' events.

The pydantic models are the definition (docs/protocol.md describes them for people). This
module binds the transport's generic frames to the domains' events, and renders all of it as
one JSON Schema document (``helpline schema``), from which the web build generates
``web/src/shared/generated/protocol.ts``. A domain that adds an event type adds its model to
:data:`ChatEvent` here.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import BaseModel, Field
from pydantic.json_schema import GenerateJsonSchema

from helpline.conversations import events as conversations
from helpline.realtime import protocol
from helpline.realtime.frames import FrameChecker, server_frame_union
from helpline.routing import events as routing

_CONVERSATION_EVENTS: tuple[Any, ...] = (
    *conversations.CONVERSATION_EVENTS,
    *routing.CONVERSATION_EVENTS,
)
_INBOX_EVENTS: tuple[Any, ...] = (*conversations.INBOX_EVENTS, *routing.INBOX_EVENTS)
# Every stored event, on a conversation's stream or in an inbox, discriminated by ``type``.
ChatEvent: Any = Annotated[
    Union[(*_CONVERSATION_EVENTS, *_INBOX_EVENTS)],
    Field(discriminator="type"),
]
ConversationEvent: Any = Annotated[Union[_CONVERSATION_EVENTS], Field(discriminator="type")]  # noqa: UP007
InboxEvent: Any = Annotated[Union[_INBOX_EVENTS], Field(discriminator="type")]  # noqa: UP007
ServerFrame: Any = server_frame_union(ChatEvent)
ClientFrame = protocol.ClientFrame


def frame_checker() -> FrameChecker:
    """A checker for every server frame, events included (``HELPLINE_CHECK_FRAMES``)."""
    return FrameChecker(ServerFrame)


class Protocol(BaseModel):
    """The root of the document: one property per union, so each becomes a named type."""

    client_frame: ClientFrame
    server_frame: ServerFrame
    event: ChatEvent
    conversation_event: ConversationEvent
    inbox_event: InboxEvent
    sender: conversations.Sender


class _NoFieldTitles(GenerateJsonSchema):
    """No ``title`` on properties: TypeScript generators would turn each into a named type."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the protocol: ``$defs`` holds every model under its
    title, and the unions as ``ClientFrame``, ``ServerFrame`` and ``ChatEvent`` (with its parts
    ``ConversationEvent`` and ``InboxEvent``, and ``Sender``)."""
    document = Protocol.model_json_schema(schema_generator=_NoFieldTitles)
    defs: dict[str, Any] = document.pop("$defs")
    properties = document["properties"]
    for name, key in (
        ("ClientFrame", "client_frame"),
        ("ServerFrame", "server_frame"),
        ("ChatEvent", "event"),
        ("ConversationEvent", "conversation_event"),
        ("InboxEvent", "inbox_event"),
        ("Sender", "sender"),
    ):
        defs[name] = {"title": name, **properties[key]}
        properties[key] = {"$ref": f"#/$defs/{name}"}
    names = {key: value.get("title", key) for key, value in defs.items()}
    if len(set(names.values())) != len(names):
        raise ValueError(f"two models share a title: {sorted(names.values())}")
    refs = {f"#/$defs/{old}": f"#/$defs/{new}" for old, new in names.items()}
    renamed: dict[str, Any] = _renamed(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "version": protocol.VERSION,
            **document,
            "$defs": {names[key]: defs[key] for key in sorted(defs, key=names.__getitem__)},
        },
        refs,
    )
    return renamed


def _renamed(node: Any, refs: dict[str, str]) -> Any:
    """``node`` with every reference (``$ref`` and discriminator mappings) renamed by ``refs``."""
    if isinstance(node, dict):
        return {k: _renamed(v, refs) for k, v in node.items()}
    if isinstance(node, list):
        return [_renamed(v, refs) for v in node]
    if isinstance(node, str):
        return refs.get(node, node)
    return node
