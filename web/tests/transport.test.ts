// Unit tests for the transport choice, the event-stream reader, and a `Connection` moving from a
// refused WebSocket to the event stream and back (fake WebSocket, fetch and window). Run: npm test.
import assert from "node:assert/strict";
import { test } from "vitest";

import type { Ack } from "../src/shared/generated/protocol";
import { type LinkPolicy, type LinkState, initialLink, nextLink, parseSse } from "../src/shared/transport";

type Frame = { type: string; [key: string]: unknown };

const policy: LinkPolicy = { fallbackAfter: 2, retryMs: 1000, maxRetryMs: 4000 };
const ws = initialLink(policy);
const closed = (welcomed: boolean, online = true) => ({ type: "closed", welcomed, online }) as const;

test("two WebSockets in a row that end before welcome switch to the event stream", () => {
  const once = nextLink(ws, closed(false), policy);
  assert.deepEqual(once, { kind: "websocket", failures: 1, retryMs: 1000 });
  assert.equal(nextLink(once, closed(false), policy).kind, "sse");
  // A welcome in between starts the count again.
  const welcomed = nextLink(once, closed(true), policy);
  assert.deepEqual(nextLink(welcomed, closed(false), policy), once);
});

test("failures while offline say nothing about proxies", () => {
  const once = nextLink(ws, closed(false), policy);
  assert.deepEqual(nextLink(once, closed(false, false), policy), once);
  assert.deepEqual(nextLink({ ...once, kind: "sse" }, { type: "online" }, policy), { kind: "websocket", failures: 0, retryMs: 1000 });
});

test("a stream that fails before welcome tries one WebSocket, then the stream again", () => {
  const sse: LinkState = { kind: "sse", failures: 0, retryMs: 1000 };
  const next = nextLink(sse, closed(false), policy);
  assert.equal(next.kind, "websocket");
  assert.equal(nextLink(next, closed(false), policy).kind, "sse");
  assert.deepEqual(nextLink(sse, closed(true), policy), sse);
});

test("WebSocket tries from the stream back off up to the limit and switch back on welcome", () => {
  let state: LinkState = { kind: "sse", failures: 0, retryMs: 1000 };
  const waits = [];
  for (let i = 0; i < 4; i++) {
    state = nextLink(state, { type: "probe", ok: false }, policy);
    waits.push(state.retryMs);
  }
  assert.deepEqual(waits, [2000, 4000, 4000, 4000]);
  assert.equal(state.kind, "sse");
  assert.deepEqual(nextLink(state, { type: "probe", ok: true }, policy), { kind: "websocket", failures: 0, retryMs: 4000 });
});

test("parseSse returns whole events only and keeps the rest for the next chunk", () => {
  let got = parseSse("", 'data: {"a":');
  assert.deepEqual(got, { data: [], rest: 'data: {"a":' });
  got = parseSse(got.rest, "1}\n");
  assert.deepEqual(got.data, []);
  got = parseSse(got.rest, "\ndata: 2\n\ndata: 3\n\ndata: 4");
  assert.deepEqual(got, { data: ['{"a":1}', "2", "3"], rest: "data: 4" });
  assert.deepEqual(parseSse(got.rest, "\n\n"), { data: ["4"], rest: "" });
});

test("parseSse skips comments and other fields, joins data lines and accepts CRLF", () => {
  const text = ": heartbeat\n\nevent: x\nid: 7\ndata: one\ndata:two\r\n\r\nretry: 10\n\n:\n\ndata\n\n";
  assert.deepEqual(parseSse("", text), { data: ["one\ntwo", ""], rest: "" });
  // Split at every character: the same events.
  let rest = "";
  const data: string[] = [];
  for (const ch of text) {
    const got = parseSse(rest, ch);
    rest = got.rest;
    data.push(...got.data);
  }
  assert.deepEqual(data, ["one\ntwo", ""]);
});

// ---------------------------------------------------------------------------------------------
// A Connection against fakes

class FakeSocket {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: Frame[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  static down = false; // the server is unreachable: every socket fails at once
  constructor(public url: string) {
    FakeSocket.all.push(this);
    if (FakeSocket.down) setTimeout(() => this.refuse(), 0);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {}
  /** The proxy answers the upgrade with 403. */
  refuse() {
    this.onerror?.();
    this.onclose?.();
  }
  accept() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: Frame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

type Call = { url: string; body: Frame & { subscribe?: { stream: string; after: number }[] }; headers: Record<string, string>; push?: (f: Frame) => void; aborted: () => boolean };
const calls: Call[] = [];
const settle = (ms = 5) => new Promise((r) => setTimeout(r, ms));
const replies = new Map<string, Frame>(); // POST /rt/frames answers, by client_id

async function fakeFetch(url: string, init: RequestInit): Promise<Response> {
  const call: Call = { url, body: JSON.parse(String(init.body)), headers: init.headers as Record<string, string>, aborted: () => Boolean(init.signal?.aborted) };
  calls.push(call);
  if (url.endsWith("/frames")) {
    if (call.body.client_id === "slow") await settle(30);
    const reply = replies.get(String(call.body.client_id)) ?? { type: "ok" };
    return new Response(JSON.stringify(reply));
  }
  if (FakeSocket.down) throw new TypeError("Failed to fetch");
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const encoder = new TextEncoder();
      call.push = (f) => controller.enqueue(encoder.encode(`data: ${JSON.stringify(f)}\n\n`));
      init.signal?.addEventListener("abort", () => controller.error(new Error("aborted")));
    },
  });
  return new Response(body, { headers: { "Content-Type": "text/event-stream" } });
}

const g = globalThis as Record<string, unknown>;
const listeners: Record<string, (() => void)[]> = {};
g.window = {
  addEventListener: (type: string, fn: () => void) => (listeners[type] ??= []).push(fn),
  setInterval: () => 0,
  clearInterval() {},
  setTimeout,
  clearTimeout,
};
g.navigator = { onLine: true };
g.WebSocket = FakeSocket;
g.fetch = fakeFetch;
g.HELPLINE_WS_RETRY_MS = 30;

const { Connection } = await import("../src/shared/protocol");
const { StreamLink } = await import("../src/shared/transport");
const streams = () => calls.filter((c) => c.url.endsWith("/stream"));
const posted = () => calls.filter((c) => c.url.endsWith("/frames")).map((c) => c.body);

test("a refused upgrade moves to the event stream and a working one moves back, losing and repeating nothing", async () => {
  const seen: number[] = [];
  const acks: Ack[] = [];
  const c = new Connection("ws://test/ws", "tok", { onEvent: (_s, e) => seen.push(e.seq) });
  c.subscribe("conversation:1", 0);
  FakeSocket.all.at(-1)!.refuse();
  await settle();
  assert.equal(c.transport, "websocket");
  FakeSocket.all.at(-1)!.refuse();
  await settle();
  assert.equal(c.transport, "sse");
  await settle(1050); // the usual backoff before the third try
  assert.equal(FakeSocket.all.length, 2);

  // The stream carries the subscriptions and the visitor's token.
  const first = streams()[0];
  assert.deepEqual(first.body, { v: 1, subscribe: [{ stream: "conversation:1", after: 0 }] });
  assert.equal(first.headers.Authorization, "Bearer tok");
  first.push!({ type: "welcome", v: 1, heartbeat_s: 20 });
  first.push!({ type: "event", stream: "conversation:1", event: { type: "message", seq: 1 } });
  first.push!({ type: "subscribed", stream: "conversation:1", last_seq: 1 });
  await settle();
  assert.equal(c.state, "open");
  assert.deepEqual(seen, [1]);

  // Sends are POSTed and their acks resolve them.
  replies.set("m1", { type: "ack", client_id: "m1", ref: "m1", event: { seq: 2 } });
  void c.send(1, "hello", "send", "m1").then((a) => acks.push(a));
  await settle();
  assert.deepEqual(acks.map((a) => a.client_id), ["m1"]);
  assert.deepEqual(posted().map((f) => f.client_id), ["m1"]);

  // A burst of subscriptions opens one new stream with every cursor; the old one is dropped.
  first.push!({ type: "event", stream: "conversation:1", event: { type: "message", seq: 2 } });
  await settle();
  c.subscribe("conversation:2", 0);
  c.subscribe("inbox", 5);
  await settle(80);
  assert.equal(streams().length, 2);
  assert.ok(first.aborted());
  const second = streams()[1];
  assert.deepEqual(second.body.subscribe, [
    { stream: "conversation:1", after: 2 },
    { stream: "conversation:2", after: 0 },
    { stream: "inbox", after: 5 },
  ]);
  // Its welcome neither resends nor resubscribes; its replay repeats nothing.
  second.push!({ type: "welcome", v: 1, heartbeat_s: 20 });
  second.push!({ type: "event", stream: "conversation:1", event: { type: "message", seq: 2 } });
  second.push!({ type: "event", stream: "conversation:1", event: { type: "message", seq: 3 } });
  await settle(80);
  assert.equal(streams().length, 2);
  assert.equal(posted().length, 1);
  assert.deepEqual(seen, [1, 2, 3]);

  // A send the server has not answered yet is pending when the WebSocket works again.
  replies.set("m2", { type: "error", code: "unavailable", ref: "m2" });
  void c.send(1, "second", "send", "m2").then((a) => acks.push(a));
  await settle(40);
  const probe = FakeSocket.all.at(-1)!;
  assert.equal(FakeSocket.all.length, 3);
  probe.accept();
  assert.deepEqual(probe.sent[0], { type: "hello", v: 1, token: "tok" });
  probe.receive({ type: "welcome", v: 1, heartbeat_s: 20 });
  assert.equal(c.transport, "websocket");
  assert.ok(second.aborted());
  assert.deepEqual(
    probe.sent.slice(1).map((f) => [f.type, f.stream ?? f.client_id, f.after]),
    [
      ["subscribe", "conversation:1", 3],
      ["subscribe", "conversation:2", 0],
      ["subscribe", "inbox", 5],
      ["send", "m2", undefined],
    ],
  );
  probe.receive({ type: "event", stream: "conversation:1", event: { type: "message", seq: 3 } });
  probe.receive({ type: "event", stream: "conversation:1", event: { type: "message", seq: 4 } });
  probe.receive({ type: "ack", client_id: "m2", ref: "m2" });
  await settle();
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.deepEqual(acks.map((a) => a.client_id), ["m1", "m2"]);
  c.close();
});

test("a WebSocket tried from the stream that fails is tried again later, and the stream goes on", async () => {
  FakeSocket.all = [];
  calls.length = 0;
  const c = new Connection("ws://test/ws", null, { onEvent: () => undefined, headers: () => ({ "X-CSRF-Token": "csrf" }) });
  c.subscribe("inbox", 0);
  FakeSocket.all.at(-1)!.refuse();
  await settle();
  FakeSocket.all.at(-1)!.refuse();
  await settle(1050);
  assert.equal(streams()[0].headers["X-CSRF-Token"], "csrf");
  assert.equal(streams()[0].headers.Authorization, undefined);
  streams()[0].push!({ type: "welcome", v: 1 });
  await settle(45);
  assert.equal(FakeSocket.all.length, 3);
  FakeSocket.all.at(-1)!.refuse();
  await settle(40);
  assert.equal(FakeSocket.all.length, 3, "the second try waits twice as long");
  await settle(50);
  assert.equal(FakeSocket.all.length, 4);
  assert.equal(c.transport, "sse");
  assert.equal(c.state, "open");
  assert.equal(streams().length, 1);
  c.close();
});

test("frames are posted one at a time, in the order sent, and late replies still count", async () => {
  calls.length = 0;
  const got: unknown[] = [];
  replies.set("slow", { type: "ack", client_id: "slow", ref: "slow" });
  const link = new StreamLink({ headers: () => ({}), cursors: () => [] }, { frame: () => undefined, reply: (f) => got.push(f.type === "ack" ? f.client_id : f.type), closed: () => undefined });
  link.send({ type: "send", conversation_id: 1, client_id: "slow", ref: "slow", text: "" });
  link.send({ type: "send", conversation_id: 1, client_id: "fast", ref: "fast", text: "" });
  await settle(10);
  assert.deepEqual(posted().map((f) => f.client_id), ["slow"]);
  link.close(); // a switch: what is not posted yet is left to the next link
  await settle(50);
  assert.deepEqual(posted().map((f) => f.client_id), ["slow"]);
  assert.deepEqual(got, ["slow"]);
});

test("while the server is down both transports are tried in turn, with a growing wait", async () => {
  FakeSocket.all = [];
  calls.length = 0;
  FakeSocket.down = true;
  const c = new Connection("ws://test/ws", "tok", { onEvent: () => undefined });
  c.subscribe("conversation:1", 0);
  await settle(2500);
  FakeSocket.down = false;
  c.close();
  const tries = FakeSocket.all.length + streams().length;
  // Waits of 0, 0.5-1, 1-2 and 2-4 s: at most five tries in 2.5 s, never a tight loop.
  assert.ok(tries >= 3 && tries <= 5, `${tries} tries`);
  assert.ok(streams().length >= 1 && FakeSocket.all.length >= 2);
});

test("coming back online retries at once, on a WebSocket", async () => {
  FakeSocket.all = [];
  calls.length = 0;
  const c = new Connection("ws://test/ws", "tok", { onEvent: () => undefined });
  FakeSocket.all.at(-1)!.refuse();
  await settle();
  FakeSocket.all.at(-1)!.refuse(); // now waiting 0.5-1 s, to try the event stream next
  await settle();
  assert.equal(c.transport, "sse");
  listeners.online.forEach((fn) => fn());
  assert.equal(FakeSocket.all.length, 3);
  assert.equal(c.transport, "websocket");
  await settle(1100);
  assert.equal(streams().length, 0);
  c.close();
});
