"""What a new message or note needs and does: one pure decision for both send paths.

The group-commit writer (conversations/writer.py) and the general one-transaction path
(conversations/actions.py) both ask :func:`send_need` what access to check, check it, then ask
:func:`plan_send` with the conversation's state. Access comes first so that a sender who may not
see a conversation learns nothing about its state.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpline.conversations import states
from helpline.conversations.service import Need
from helpline.core.actors import View
from helpline.core.errors import BadRequest, ErrorCode, Forbidden, TooLarge, WrongState


def check_text(text: str, *, max_chars: int) -> str:
    """Normalize a message body: strip edges, refuse empty and over-long text."""
    body = text.strip()
    if not body:
        raise BadRequest("Message text is empty.", code=ErrorCode.EMPTY_MESSAGE)
    if len(body) > max_chars:
        raise TooLarge(f"Message is {len(body)} characters; the limit is {max_chars}.")
    return body


def send_need(*, internal: bool) -> Need:
    """Notes need only read access (any staff who can see the chat); messages need write."""
    return "read" if internal else "write"


@dataclass(frozen=True)
class SendPlan:
    public: bool  # a message both sides see; False for an internal note
    accept_offer: bool  # a staff message on an offered chat accepts it first
    first_response: bool  # this message is the chat's first response (sets first_response_at)
    visitor_budget: bool  # counts against the visitor's message rate limit
    allowed: frozenset[str]  # states the chat must still be in when the event is appended


def plan_send(*, by: View, internal: bool, state: str, answered: bool) -> SendPlan:
    """Decide a new send by ``by`` on a chat in ``state`` (``answered``: it already has a first
    response). Raises :class:`Forbidden` for a visitor's note and :class:`WrongState` when the
    chat cannot take it."""
    if internal and by == "visitor":
        raise Forbidden("Only staff can write internal notes.")
    staff_message = by == "staff" and not internal
    accept = staff_message and state == "assigned"
    if internal:
        allowed = frozenset(states.STATES)
    elif by == "visitor":
        allowed = states.VISITOR_CAN_SEND
    else:
        allowed = states.AGENT_CAN_SEND
    if state not in allowed:
        raise WrongState(f"The conversation is {state}.", state=state)
    return SendPlan(
        public=not internal,
        accept_offer=accept,
        first_response=staff_message and not answered,
        visitor_budget=by == "visitor",
        allowed=frozenset({"active"}) if accept else allowed,
    )
