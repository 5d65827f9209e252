"""docs/protocol.md is the public contract: every error code and every event and frame type the
server can send is documented there. The event and frame types are read from the code that
builds them (an append to a conversation log or an inbox, a ``"type"`` in a payload)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from helpline.core.errors import ErrorCode

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "helpline"
DOC = (ROOT / "docs" / "protocol.md").read_text()
DOCUMENTED = set(re.findall(r"`([a-z_.]+)`", DOC))
ASGI = {"http.response.start", "http.response.body", "websocket.accept", "websocket.close"}


def section(number: int) -> str:
    """The text of section ``number`` of docs/protocol.md (``## 4. Client frames``, ...)."""
    return next(p for p in re.split(r"^## ", DOC, flags=re.M) if p.startswith(f"{number}. "))


def _table_types(text: str) -> set[str]:
    return set(re.findall(r"^\| `([a-z_.]+)` \|", text, re.M))


def documented_types() -> dict[str, set[str]]:
    """The frame and event types the page lists: client frames (section 4), server frames
    (section 5), and events (section 6: the conversation events' table, then the inbox's
    "Types:" list, each type followed by its fields in parentheses)."""
    events = section(6)
    inbox = events.split("Types:", 1)[1].split("\n\n", 1)[0]
    return {
        "client": _table_types(section(4)),
        "server": _table_types(section(5)),
        "event": _table_types(events) | set(re.findall(r"`([a-z_.]+)` \(", inbox)),
    }


def _consts(node: ast.AST | None) -> list[str]:
    """The strings an expression can be: a literal, or either side of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _consts(node.body) + _consts(node.orelse)
    return []


def sent_types() -> dict[str, str]:
    """Every event or frame type written in the server's code, with where it was found."""
    found: dict[str, str] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name == "append_event":
                    kinds = [
                        k for kw in node.keywords if kw.arg == "type" for k in _consts(kw.value)
                    ]
                elif name == "append_inbox" and len(node.args) >= 3:
                    kinds = _consts(node.args[2])
                else:
                    continue
                found.update({k: where for k in kinds})
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if _consts(key) == ["type"]:
                        found.update({k: where for k in _consts(value) if k not in ASGI})
    return found


def test_the_scan_sees_the_kinds_of_thing_it_must() -> None:
    types = sent_types()
    for expected in ("message", "note", "assigned", "conversation.offered", "ack", "queue_summary"):
        assert expected in types


def test_every_event_and_frame_type_is_documented() -> None:
    missing = {k: v for k, v in sent_types().items() if k not in DOCUMENTED}
    assert not missing, f"document these in docs/protocol.md: {missing}"


def test_the_docs_parsing_sees_each_kind_of_type() -> None:
    documented = documented_types()
    assert {"hello", "ping"} <= documented["client"]
    assert {"welcome", "queue_summary", "heartbeat"} <= documented["server"]
    assert {"message", "closed", "status", "conversation.removed"} <= documented["event"]
    assert "reason" not in documented["event"]


def test_every_error_code_is_documented() -> None:
    missing = sorted(code.value for code in ErrorCode if code.value not in DOCUMENTED)
    assert not missing, f"document these error codes in docs/protocol.md: {missing}"
