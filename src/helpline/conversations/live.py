"""What the real-time transport asks of conversations: the streams they own and the chat
frames they carry out.

The hub (``helpline.realtime``) imports no domain; the composition (api.py) hands it these
objects. ``conversation:<id>`` streams are a conversation's events, each view numbered on its
own (a visitor counts only public events); ``inbox:<user id>`` streams are one staff member's
own events (offers, assignments, status).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from helpline.conversations import actions, service
from helpline.core.actors import Actor, Staff, View
from helpline.core.errors import Forbidden
from helpline.core.runtime import Runtime
from helpline.core.streams import StreamKind


class ConversationStreams:
    """The source of ``conversation:<id>`` streams."""

    kind = StreamKind.CONVERSATION

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def admit(self, db: Any, actor: Actor, key: int) -> int:
        row = await service.access_row(db, actor, key, "read")
        if row.state == "queued":
            self.rt.request_routing(row.team_id)  # refreshes the queue position it will need
        return int(row.last_public_seq if actor.view == "visitor" else row.last_seq)

    async def authorize(self, db: Any, actor: Actor, key: int) -> None:
        await service.access_row(db, actor, key, "read")

    async def head(self, db: Any, view: View, key: int) -> int:
        return await service.last_seq(db, conversation_id=key, view=view)

    async def heads(self, db: Any, keys: Sequence[int]) -> Mapping[View, Mapping[int, int]]:
        staff, public = await service.last_seqs(db, conversation_ids=keys)
        return {"staff": staff, "visitor": public}

    async def read(
        self, db: Any, view: View, key: int, after: int, limit: int
    ) -> list[dict[str, Any]]:
        return await service.load_events(
            db, conversation_id=key, after=after, view=view, limit=limit
        )

    def present(
        self, payload: dict[str, Any], *, seq: int, public_seq: int | None, view: View
    ) -> dict[str, Any]:
        return service.view_event(payload, seq=seq, public_seq=public_seq, view=view)


class InboxStreams:
    """The source of ``inbox:<user id>`` streams: only that staff member may follow one."""

    kind = StreamKind.INBOX

    async def admit(self, db: Any, actor: Actor, key: int) -> int:
        await self.authorize(db, actor, key)
        return await service.inbox_last_seq(db, user_id=key)

    async def authorize(self, db: Any, actor: Actor, key: int) -> None:
        if not isinstance(actor, Staff) or actor.user_id != key:
            raise Forbidden("Only its owner may follow an inbox.")

    async def head(self, db: Any, view: View, key: int) -> int:
        return await service.inbox_last_seq(db, user_id=key)

    async def heads(self, db: Any, keys: Sequence[int]) -> Mapping[View, Mapping[int, int]]:
        heads = await service.inbox_last_seqs(db, user_ids=keys)
        return {"staff": heads, "visitor": heads}

    async def read(
        self, db: Any, view: View, key: int, after: int, limit: int
    ) -> list[dict[str, Any]]:
        return await service.load_inbox(db, user_id=key, after=after, limit=limit)

    def present(
        self, payload: dict[str, Any], *, seq: int, public_seq: int | None, view: View
    ) -> dict[str, Any]:
        return payload


class ChatFrames:
    """The chat frames' actions (send, note, typing, read, end), for the frame dispatcher."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def send(
        self, actor: Actor, *, conversation_id: int, client_id: str, text: str, internal: bool
    ) -> actions.Sent:
        return await actions.do_send(
            self.rt,
            actor,
            conversation_id=conversation_id,
            client_id=client_id,
            text=text,
            internal=internal,
        )

    async def typing(
        self, actor: Actor, *, conversation_id: int, active: bool, following: bool
    ) -> None:
        await actions.do_typing(
            self.rt, actor, conversation_id=conversation_id, active=active, following=following
        )

    async def read(self, actor: Actor, *, conversation_id: int, seq: int) -> None:
        await actions.do_read(self.rt, actor, conversation_id=conversation_id, seq=seq)

    async def end(self, actor: Actor, *, conversation_id: int) -> tuple[int, str]:
        conv = await actions.do_end(self.rt, actor, conversation_id=conversation_id)
        return conv.id, conv.state
