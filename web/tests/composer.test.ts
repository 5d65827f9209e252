// Unit tests for the composers' shared rules (src/shared/composer.ts), with a fake clock.
// Run: npm test.
import assert from "node:assert/strict";
import { test } from "vitest";
import { TypingNotices, checkLength, lengthText, sendsOnEnter, tooLongText } from "../src/shared/composer";
import { fakeClock } from "./fake-clock";

test("Enter sends; Shift+Enter and other keys do not", () => {
  assert.equal(sendsOnEnter({ key: "Enter", shiftKey: false }), true);
  assert.equal(sendsOnEnter({ key: "Enter", shiftKey: true }), false);
  assert.equal(sendsOnEnter({ key: "a", shiftKey: false }), false);
});

test("typing is said at most every two seconds, and stopped once", () => {
  const posted: boolean[] = [];
  const c = fakeClock();
  const n = new TypingNotices((a) => posted.push(a), {}, c.clock);
  n.changed(true);
  c.advance(500);
  n.changed(true);
  assert.deepEqual(posted, [true]);
  c.advance(1600);
  n.changed(true);
  assert.deepEqual(posted, [true, true]);
  n.stop();
  n.stop();
  assert.deepEqual(posted, [true, true, false]);
  n.changed(true); // after a stop, the next keystroke says so at once
  assert.deepEqual(posted, [true, true, false, true]);
});

test("an emptied draft stops typing, and nothing is said if typing was never said", () => {
  const posted: boolean[] = [];
  const n = new TypingNotices((a) => posted.push(a), {}, fakeClock().clock);
  n.changed(false);
  n.stop();
  assert.deepEqual(posted, []);
  n.changed(true);
  n.changed(false);
  assert.deepEqual(posted, [true, false]);
});

test("with idleMs, a draft left alone stops typing; without it, it never does", () => {
  const posted: boolean[] = [];
  const c = fakeClock();
  const n = new TypingNotices((a) => posted.push(a), { idleMs: 4000 }, c.clock);
  n.changed(true);
  c.advance(3000);
  n.changed(true); // each keystroke restarts the wait
  c.advance(3000);
  assert.deepEqual(posted, [true, true]);
  c.advance(1000);
  assert.deepEqual(posted, [true, true, false]);

  const plain: boolean[] = [];
  const d = fakeClock();
  new TypingNotices((a) => plain.push(a), {}, d.clock).changed(true);
  d.advance(60000);
  assert.deepEqual(plain, [true]);
});

test("cancel drops the idle wait without saying anything", () => {
  const posted: boolean[] = [];
  const c = fakeClock();
  const n = new TypingNotices((a) => posted.push(a), { idleMs: 4000 }, c.clock);
  n.changed(true);
  n.cancel();
  c.advance(5000);
  assert.deepEqual(posted, [true]);
});

test("checkLength counts what the server counts and flags drafts near or over the limit", () => {
  assert.deepEqual(checkLength("  hello  ", 10), { count: 5, limit: 10, over: false, near: false });
  assert.equal(checkLength("x".repeat(8), 10).near, false);
  assert.equal(checkLength("x".repeat(9), 10).near, true);
  assert.equal(checkLength("x".repeat(10), 10).over, false);
  assert.equal(checkLength("x".repeat(11), 10).over, true);
  // Code points, not UTF-16 units: an emoji is one character to the server.
  assert.equal(checkLength("👍".repeat(10), 10).over, false);
});

test("lengthText says how far over a draft is, tooLongText what to do", () => {
  assert.equal(lengthText(checkLength("x".repeat(3650), 4000)), "3,650 of 4,000 characters");
  assert.equal(lengthText(checkLength("x".repeat(5012), 4000)), "5,012 of 4,000 characters: 1,012 too many");
  assert.equal(tooLongText(4000), "Too long to send: the limit is 4,000 characters. Shorten the message, or send it in parts.");
});
