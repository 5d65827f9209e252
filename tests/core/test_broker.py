"""The Redis broker against a real Redis: local delivery, delivery to other nodes, no echo."""

from __future__ import annotations

import asyncio
import os
import secrets

import pytest

from helpline.core.broker import InProcessBroker, RedisBroker, decode, encode
from helpline.core.events import Envelope
from tests.servers import REQUIRE_SERVICES

pytestmark = pytest.mark.redis


def redis_url() -> str:
    url = os.environ.get("HELPLINE_TEST_REDIS_URL", "")
    if not url:
        if REQUIRE_SERVICES:
            pytest.fail("HELPLINE_TEST_REDIS_URL is required in CI")
        pytest.skip("Redis tests need HELPLINE_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    return url


def event(stream: str, seq: int) -> Envelope:
    return Envelope(stream=stream, kind="event", seq=seq, public_seq=seq, payload={"n": seq})


class Node:
    def __init__(self, name: str, channel: str) -> None:
        self.got: list[Envelope] = []
        self.resyncs: list[bool] = []
        self.broker = RedisBroker(redis_url(), node=name, channel=channel, resync_s=0.2)

    async def start(self) -> None:
        async def resync(recheck: bool) -> None:
            self.resyncs.append(recheck)

        await self.broker.start(self.got.append, resync)


async def until(predicate: object, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_envelopes_reach_this_node_at_once_and_other_nodes_once() -> None:
    channel = f"test:{secrets.token_hex(4)}"
    a, b = Node("a", channel), Node("b", channel)
    await a.start()
    await b.start()
    try:
        await until(lambda: a.broker.status() == "ok" and b.broker.status() == "ok")
        await a.broker.publish([event("conversation:1", 1), event("conversation:1", 2)])
        assert [e.seq for e in a.got] == [1, 2]  # local delivery does not wait for Redis
        await until(lambda: len(b.got) == 2)
        assert b.got == [event("conversation:1", 1), event("conversation:1", 2)]
        await asyncio.sleep(0.3)
        assert len(a.got) == 2  # a node ignores its own envelopes coming back from Redis
    finally:
        await a.broker.close()
        await b.broker.close()


async def test_malformed_messages_on_the_channel_are_ignored() -> None:
    from redis.asyncio import Redis

    channel = f"test:{secrets.token_hex(4)}"
    node = Node("b", channel)
    await node.start()
    raw = Redis.from_url(redis_url())
    try:
        await until(lambda: node.broker.status() == "ok")
        for junk in (b"no newline", b"a\nnot json", b'a\n[{"stream": 1}]', b"a\n{}"):
            await raw.publish(channel, junk)
        await raw.publish(channel, encode("a", [event("conversation:5", 1)]))
        await until(lambda: len(node.got) == 1)
        assert node.got == [event("conversation:5", 1)]
        assert node.resyncs.count(True) == 1  # the listener never had to reconnect
    finally:
        await raw.aclose()
        await node.broker.close()


async def test_a_node_resyncs_on_connect_and_periodically() -> None:
    node = Node("a", f"test:{secrets.token_hex(4)}")
    await node.start()
    try:
        # After subscribing: a resync that re-checks access too. Every 0.2 s: one that only
        # catches up. (Which comes first depends on how long subscribing takes.)
        await until(lambda: True in node.resyncs and node.resyncs.count(False) >= 2)
    finally:
        await node.broker.close()


async def test_publishing_never_fails_while_redis_is_unreachable() -> None:
    broker = RedisBroker("redis://127.0.0.1:1/0", node="a", resync_s=60)
    got: list[Envelope] = []

    async def resync(_recheck: bool) -> None:
        return None

    await broker.start(got.append, resync)
    try:
        await broker.publish([event("inbox:3", 1)])
        assert got == [event("inbox:3", 1)]
        await asyncio.sleep(0.3)
        assert broker.status() == "reconnecting"
    finally:
        await broker.close()


async def test_in_process_broker_delivers_synchronously() -> None:
    broker = InProcessBroker()
    got: list[Envelope] = []

    async def resync(_recheck: bool) -> None:
        return None

    await broker.start(got.append, resync)
    await broker.publish([event("team:1", 0)])
    assert got == [event("team:1", 0)] and broker.status() == "ok"


def test_wire_format_round_trips() -> None:
    batch = [event("conversation:9", 4), Envelope(stream="access:9", kind="access")]
    assert decode(encode("node-1", batch)) == ("node-1", batch)
