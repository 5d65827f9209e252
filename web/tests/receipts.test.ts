// Unit tests for read receipts (src/shared/receipts.ts), with a fake clock. Run: npm test.
import assert from "node:assert/strict";
import { test } from "vitest";
import { ReadReceipts, readTarget } from "../src/shared/receipts";
import { fakeClock } from "./fake-clock";

const agent = (seq: number) => ({ type: "message", seq, sender: { kind: "agent" } });
const visitor = (seq: number) => ({ type: "message", seq, sender: { kind: "visitor" } });

test("readTarget reports the newest event shown once an agent message is new", () => {
  assert.equal(readTarget([], 0), null);
  assert.equal(readTarget([{ type: "started", seq: 1 }, visitor(2)], 0), null);
  assert.equal(readTarget([visitor(1), agent(2), null, { type: "agent_joined", seq: 3 }], 0), 3);
  assert.equal(readTarget([visitor(1), agent(2), visitor(3)], 2), null);
  assert.equal(readTarget([agent(2), visitor(3), agent(4)], 3), 4);
});

test("receipts go out at once, then at most once a second, and only forward", () => {
  const sent: number[] = [];
  const c = fakeClock();
  const r = new ReadReceipts((seq) => (sent.push(seq), true), c.clock);
  r.seen(3);
  assert.deepEqual(sent, [3]);
  r.seen(3);
  r.seen(2);
  assert.deepEqual(sent, [3]);
  r.seen(5);
  r.seen(7);
  assert.deepEqual(sent, [3]); // within the second: waits
  c.advance(999);
  assert.deepEqual(sent, [3]);
  c.advance(1);
  assert.deepEqual(sent, [3, 7]); // one receipt for both
  assert.equal(r.position, 7);
  c.advance(5000);
  r.seen(8);
  assert.deepEqual(sent, [3, 7, 8]);
  assert.equal(c.pending(), 0);
});

test("a read recorded elsewhere is not sent again; an unsent one is retried", () => {
  const sent: number[] = [];
  let online = false;
  const c = fakeClock();
  const r = new ReadReceipts((seq) => online && (sent.push(seq), true), c.clock);
  r.recorded(4);
  r.seen(4);
  assert.equal(c.pending(), 0);
  r.seen(6);
  assert.deepEqual(sent, []);
  assert.equal(r.position, 4);
  online = true;
  r.retry();
  assert.deepEqual(sent, [6]);
  r.retry();
  assert.deepEqual(sent, [6]);
  r.seen(9);
  r.stop();
  c.advance(2000);
  assert.deepEqual(sent, [6]);
});
