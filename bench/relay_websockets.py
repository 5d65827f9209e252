"""Reference server 1: a bare `websockets` + uvloop relay. Forwards frames, stores nothing.

A client connects to ``/<pair>/<side>`` (side ``v`` or ``a``); every text frame it sends goes to
the other side of the same pair. This is the floor for "deliver a frame over a WebSocket".
"""

from __future__ import annotations

import asyncio
import sys

import uvloop
from websockets.asyncio.server import ServerConnection, serve

peers: dict[tuple[str, str], ServerConnection] = {}


async def handler(ws: ServerConnection) -> None:
    _, pair, side = ws.request.path.split("/")  # type: ignore[union-attr]
    peers[(pair, side)] = ws
    other = (pair, "a" if side == "v" else "v")
    try:
        async for message in ws:
            target = peers.get(other)
            if target is not None:
                await target.send(message)
    finally:
        peers.pop((pair, side), None)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None):
        await asyncio.Future()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1])))
