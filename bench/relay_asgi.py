"""Reference server 2: a raw-ASGI relay on uvicorn (no framework). Forwards, stores nothing.

Same contract as relay_websockets.py: ``/<pair>/<side>``, frames go to the other side.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn

Send = Callable[[dict[str, Any]], Awaitable[None]]
peers: dict[tuple[str, str], Send] = {}


async def app(
    scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]], send: Send
) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "websocket":
        return
    _, pair, side = scope["path"].split("/")
    other = (pair, "a" if side == "v" else "v")
    while True:
        event = await receive()
        if event["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
            peers[(pair, side)] = send
        elif event["type"] == "websocket.receive":
            target = peers.get(other)
            if target is not None:
                await target({"type": "websocket.send", "text": event.get("text")})
        else:
            peers.pop((pair, side), None)
            return


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        ws_per_message_deflate=False,
        loop="uvloop",
        lifespan="on",
    )
