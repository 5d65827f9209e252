"""The send decision, exhaustively: every sender, kind, state and first-response flag."""

from __future__ import annotations

import itertools

import pytest

from helpline.conversations.send import plan_send, send_need
from helpline.conversations.states import AGENT_CAN_SEND, STATES, VISITOR_CAN_SEND
from helpline.core.errors import Forbidden, WrongState

CASES = list(itertools.product(("staff", "visitor"), (False, True), STATES, (False, True)))


@pytest.mark.parametrize(("by", "internal", "state", "answered"), CASES)
def test_every_case(by: str, internal: bool, state: str, answered: bool) -> None:
    if internal and by == "visitor":
        with pytest.raises(Forbidden):
            plan_send(by="visitor", internal=True, state=state, answered=answered)
        return
    may = internal or state in (VISITOR_CAN_SEND if by == "visitor" else AGENT_CAN_SEND)
    if not may:
        with pytest.raises(WrongState) as refused:
            plan_send(by=by, internal=internal, state=state, answered=answered)  # type: ignore[arg-type]
        assert refused.value.details["state"] == state
        return
    plan = plan_send(by=by, internal=internal, state=state, answered=answered)  # type: ignore[arg-type]
    staff_message = by == "staff" and not internal
    assert plan.public is not internal
    assert plan.accept_offer is (staff_message and state == "assigned")
    assert plan.first_response is (staff_message and not answered)
    assert plan.visitor_budget is (by == "visitor")
    # The states the append must still find: after accepting, the chat is active.
    if plan.accept_offer:
        assert plan.allowed == {"active"}
    elif internal:
        assert plan.allowed == set(STATES)
    else:
        assert plan.allowed == (VISITOR_CAN_SEND if by == "visitor" else AGENT_CAN_SEND)
        assert state in plan.allowed


def test_notes_need_read_access_and_messages_write() -> None:
    assert send_need(internal=True) == "read"
    assert send_need(internal=False) == "write"


def test_staff_never_message_a_waiting_or_finished_chat_but_may_note_it() -> None:
    for state in ("queued", "wrap-up", "closed", "abandoned"):
        with pytest.raises(WrongState):
            plan_send(by="staff", internal=False, state=state, answered=True)
        assert not plan_send(by="staff", internal=True, state=state, answered=True).public


def test_a_visitor_may_write_while_waiting_but_not_after_the_end() -> None:
    assert plan_send(by="visitor", internal=False, state="queued", answered=False).public
    for state in ("wrap-up", "closed", "abandoned"):
        with pytest.raises(WrongState):
            plan_send(by="visitor", internal=False, state=state, answered=False)
