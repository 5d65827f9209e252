"""A client that never gives up: reconnects, resumes from its cursors, resends what is unacked.

It is what the widget and console do, written down small enough to reason about, and it records
everything needed to check the guarantees: every event received per stream (a duplicate or a gap
is recorded as a violation, never silently fixed), every acknowledgement, every error frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

Frame = dict[str, Any]
RETRYABLE = {"unavailable"}
_refs = itertools.count(1)


@dataclass
class Pending:
    frame: Frame
    sent_at: float = 0.0


@dataclass
class ResilientClient:
    name: str
    ws_url: str
    token: str | None = None
    cookie: str | None = None
    cursors: dict[str, int] = field(default_factory=dict)
    received: dict[str, list[Frame]] = field(default_factory=dict)
    pending: dict[str, Pending] = field(default_factory=dict)
    acked: dict[str, int] = field(default_factory=dict)
    errors: list[Frame] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    connects: int = 0
    _ws: ClientConnection | None = None
    _task: asyncio.Task[None] | None = None
    _stopping: bool = False

    def watch(self, stream: str) -> None:
        self.cursors.setdefault(stream, 0)
        self.received.setdefault(stream, [])

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def send(self, conversation_id: int, client_id: str, text: str) -> None:
        frame = {
            "type": "send",
            "conversation_id": conversation_id,
            "client_id": client_id,
            "text": text,
            "ref": client_id,
        }
        self.pending[client_id] = Pending(frame)
        await self._transmit(client_id)

    async def _transmit(self, client_id: str) -> None:
        item = self.pending.get(client_id)
        if item is None or self._ws is None:
            return
        item.sent_at = time.monotonic()
        with contextlib.suppress(Exception):
            await self._ws.send(json.dumps(item.frame))

    async def _run(self) -> None:
        backoff = 0.05
        while not self._stopping:
            try:
                async with websockets.connect(
                    self.ws_url,
                    additional_headers={"Cookie": self.cookie} if self.cookie else {},
                    open_timeout=5,
                    max_size=2**22,
                ) as ws:
                    await self._session(ws)
                    backoff = 0.05
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: S110 - any failure means: reconnect, resume, resend
                pass
            finally:
                self._ws = None
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 1.0)

    async def _session(self, ws: ClientConnection) -> None:
        hello: Frame = {"type": "hello", "v": 1}
        if self.token:
            hello["token"] = self.token
        await ws.send(json.dumps(hello))
        welcome = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if welcome.get("type") != "welcome":
            raise ConnectionError(str(welcome))
        self.connects += 1
        self._ws = ws
        for stream in self.cursors:
            await self._subscribe(ws, stream)
        resender = asyncio.create_task(self._resend_stale())
        try:
            async for raw in ws:
                await self._on_frame(ws, json.loads(raw))
        finally:
            resender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await resender

    async def _subscribe(self, ws: ClientConnection, stream: str) -> None:
        ref = f"sub-{stream}-{next(_refs)}"
        frame = {"type": "subscribe", "stream": stream, "after": self.cursors[stream], "ref": ref}
        await ws.send(json.dumps(frame))

    async def _resend_stale(self) -> None:
        """Unacked sends go again: right after (re)connecting, and whenever one is 2 s old."""
        for client_id in list(self.pending):
            await self._transmit(client_id)
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            for client_id, item in list(self.pending.items()):
                if now - item.sent_at > 2.0:
                    await self._transmit(client_id)

    async def _on_frame(self, ws: ClientConnection, frame: Frame) -> None:
        kind = frame.get("type")
        if kind == "event":
            self._on_event(frame["stream"], frame["event"])
        elif kind == "ack":
            self.pending.pop(frame["client_id"], None)
            self.acked[frame["client_id"]] = frame["seq"]
        elif kind == "error":
            self.errors.append(frame)
            ref = str(frame.get("ref", ""))
            if frame["code"] not in RETRYABLE:
                self.violations.append(f"{self.name}: non-retryable error {frame}")
            elif ref.startswith("sub-"):
                stream = ref[4:].rsplit("-", 1)[0]
                await asyncio.sleep(0.2)
                await self._subscribe(ws, stream)
            # a retryable send error is resent by _resend_stale
        elif kind == "reload":
            self.violations.append(f"{self.name}: told to reload {frame}")

    def _on_event(self, stream: str, event: Frame) -> None:
        cursor = self.cursors.get(stream)
        if cursor is None:
            self.violations.append(f"{self.name}: event on unwatched {stream}")
            return
        seq = event["seq"]
        if seq <= cursor:
            self.violations.append(f"{self.name}: duplicate {stream} seq {seq} (cursor {cursor})")
            return
        if seq != cursor + 1:
            self.violations.append(f"{self.name}: gap on {stream}: {cursor} -> {seq}")
        self.cursors[stream] = seq
        self.received[stream].append(event)
