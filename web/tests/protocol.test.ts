// Unit tests for the protocol client's catch-up after `reload` (node's test runner; a fake
// WebSocket and window stand in for the browser). Run: npm test.
import assert from "node:assert/strict";
import { test } from "vitest";
import type { Message } from "../src/shared/generated/protocol";

type Sent = Record<string, unknown>;
type Fake = { sent: Sent[]; receive: (frame: object) => void };
const sockets: Fake[] = [];

class FakeSocket {
  static OPEN = 1;
  readyState = 1;
  sent: Sent[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(public url: string) {
    sockets.push({ sent: this.sent, receive: (frame) => this.onmessage?.({ data: JSON.stringify(frame) }) });
    setTimeout(() => this.onopen?.(), 0);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {}
}

const g = globalThis as unknown as Record<string, unknown>;
g.window = { addEventListener() {}, setInterval: () => 0, clearInterval() {}, setTimeout, clearTimeout };
g.navigator = { onLine: true };
g.WebSocket = FakeSocket;

const { Connection, fetchHistory, reloadPlan } = await import("../src/shared/protocol");

const settle = () => new Promise((r) => setTimeout(r, 5));
const message = (seq: number): Message => ({ type: "message", seq, conversation_id: 1, sender: { kind: "visitor" }, created_at: "", text: "", client_id: "" });
const events = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i));

/** A REST history of `last` events served in pages of 200, recording each `after` asked for. */
function history(last: number, asked: number[]) {
  return async (after: number) => {
    asked.push(after);
    const page = events(after + 1, Math.min(last, after + 200));
    return { events: page, last_seq: last, more: after + 200 < last };
  };
}

test("reloadPlan keeps the cursor when behind and starts over when ahead", () => {
  assert.deepEqual(reloadPlan({ reason: "too_far_behind", last_seq: 5000 }, 17), { reset: false, from: 17 });
  assert.deepEqual(reloadPlan({ reason: "cursor_ahead", last_seq: 5 }, 17), { reset: true, from: 0 });
  assert.deepEqual(reloadPlan({ reason: "too_far_behind", last_seq: 5 }, 17), { reset: true, from: 0 });
});

test("fetchHistory reads every page once, in order, and skips what it already has", async () => {
  const asked: number[] = [];
  const got = await fetchHistory(history(1105, asked), 0);
  assert.deepEqual(asked, [0, 200, 400, 600, 800, 1000]);
  assert.deepEqual(got.events.map((e) => e.seq), events(1, 1105).map((e) => e.seq));
  assert.equal(got.last, 1105);
  const overlapping = async (after: number) => ({ events: events(Math.max(1, after - 5), after + 10), last_seq: 30, more: after + 10 < 30 });
  const again = await fetchHistory(overlapping, 0);
  assert.deepEqual(again.events.map((e) => e.seq), events(1, 30).map((e) => e.seq));
});

test("after reload the client reads over REST and resubscribes from the newest event", async () => {
  const seen: [number, boolean][] = [];
  const asked: number[] = [];
  const c = new Connection("ws://test/ws", "token", {
    onEvent: (_s, e, replay) => seen.push([e.seq, replay]),
    history: () => history(1105, asked),
  });
  c.subscribe("conversation:1", 0);
  await settle();
  const ws = sockets[sockets.length - 1];
  ws.receive({ type: "welcome", v: 1, heartbeat_s: 20 });
  assert.deepEqual(ws.sent.at(-1), { type: "subscribe", stream: "conversation:1", after: 0 });
  ws.receive({ type: "reload", stream: "conversation:1", reason: "too_far_behind", last_seq: 1105 });
  await settle();
  assert.deepEqual(asked, [0, 200, 400, 600, 800, 1000]);
  assert.equal(seen.length, 1105);
  assert.ok(seen.every(([seq, replay], i) => seq === i + 1 && replay));
  assert.deepEqual(ws.sent.at(-1), { type: "subscribe", stream: "conversation:1", after: 1105 });
  assert.equal(ws.sent.filter((f) => f.type === "subscribe").length, 2);
  ws.receive({ type: "subscribed", stream: "conversation:1", last_seq: 1105, replayed: 0 });
  ws.receive({ type: "event", stream: "conversation:1", event: { type: "message", seq: 1106 } });
  ws.receive({ type: "event", stream: "conversation:1", event: { type: "message", seq: 1106 } });
  assert.deepEqual(seen.at(-1), [1106, false]);
  assert.equal(seen.length, 1106);
  c.close();
});

test("cursor_ahead drops the local copy and reads everything again", async () => {
  const resets: string[] = [];
  const seen: number[] = [];
  const c = new Connection("ws://test/ws", "token", {
    onEvent: (_s, e) => seen.push(e.seq),
    onReset: (stream) => resets.push(stream),
    history: () => history(3, []),
  });
  c.subscribe("conversation:2", 50);
  await settle();
  const ws = sockets[sockets.length - 1];
  ws.receive({ type: "welcome", v: 1 });
  ws.receive({ type: "reload", stream: "conversation:2", reason: "cursor_ahead", last_seq: 3 });
  await settle();
  assert.deepEqual(resets, ["conversation:2"]);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.deepEqual(ws.sent.at(-1), { type: "subscribe", stream: "conversation:2", after: 3 });
  c.close();
});

test("a stream without REST history continues from the newest event", async () => {
  const c = new Connection("ws://test/ws", null, { onEvent: () => undefined, history: () => null });
  c.subscribe("inbox", 0);
  await settle();
  const ws = sockets[sockets.length - 1];
  ws.receive({ type: "welcome", v: 1 });
  ws.receive({ type: "reload", stream: "inbox", reason: "too_far_behind", last_seq: 4000 });
  await settle();
  assert.deepEqual(ws.sent.at(-1), { type: "subscribe", stream: "inbox", after: 4000 });
  c.close();
});

test("a failed page is retried from where the catch-up got to", async () => {
  const seen: number[] = [];
  let fail = true;
  const asked: number[] = [];
  const flaky = async (after: number) => {
    asked.push(after);
    if (after === 200 && fail) {
      fail = false;
      throw new Error("offline");
    }
    return history(300, [])(after);
  };
  const c = new Connection("ws://test/ws", "token", { onEvent: (_s, e) => seen.push(e.seq), history: () => flaky });
  c.subscribe("conversation:3", 0);
  await settle();
  const ws = sockets[sockets.length - 1];
  ws.receive({ type: "welcome", v: 1 });
  ws.receive({ type: "reload", stream: "conversation:3", reason: "too_far_behind", last_seq: 300 });
  await new Promise((r) => setTimeout(r, 1100));
  assert.deepEqual(seen, events(1, 300).map((e) => e.seq));
  assert.deepEqual(ws.sent.at(-1), { type: "subscribe", stream: "conversation:3", after: 300 });
  c.close();
});
