// The widget's chat lines (src/widget/lines.ts): whatever order acks and events arrive in, the
// lines show in the server's order, with messages still being sent after them.
import { describe, expect, it } from "vitest";
import type { ConversationEvent } from "../src/shared/generated/protocol";
import { type Line, ordered, unacknowledged, withEvent, withFailure, withPending } from "../src/widget/lines";

const AT = "2026-12-07T10:00:00Z";
const visitor = (seq: number, text: string): ConversationEvent => ({ seq, conversation_id: 1, created_at: AT, sender: { kind: "visitor", name: "Vera" }, type: "message", text, client_id: `c-${text}` });
const agent = (seq: number, text: string): ConversationEvent => ({ seq, conversation_id: 1, created_at: AT, sender: { kind: "agent", id: 2, name: "Olive" }, type: "message", text, client_id: `a-${text}` });
const texts = (lines: Line[]) => lines.map((l) => `${l.text}${l.event ? "" : "…"}`);

describe("widget lines", () => {
  it("places an ack that arrives after a later agent message by its seq (the fallback race)", () => {
    let lines = withEvent([], visitor(1, "V00"));
    lines = withPending(lines, "c-V01", "V01");
    lines = withEvent(lines, agent(2, "A01")); // the agent's message came first on the stream
    expect(texts(lines)).toEqual(["V00", "A01", "V01…"]);
    lines = withEvent(lines, visitor(3, "V01")); // the ack
    expect(texts(lines)).toEqual(["V00", "A01", "V01"]);
  });

  it("places an ack that arrives before an earlier agent message by its seq", () => {
    let lines = withPending([], "c-V01", "V01");
    lines = withEvent(lines, visitor(3, "V01")); // ack first
    lines = withEvent(lines, agent(2, "A01")); // the stream catches up
    expect(texts(lines)).toEqual(["A01", "V01"]);
  });

  it("shows an event once, whether the ack or the stream brings it first", () => {
    let lines = withPending([], "c-V01", "V01");
    lines = withEvent(lines, visitor(1, "V01"));
    lines = withEvent(lines, visitor(1, "V01"));
    lines = withEvent(lines, agent(2, "A01"));
    lines = withEvent(lines, agent(2, "A01"));
    expect(texts(lines)).toEqual(["V01", "A01"]);
  });

  it("keeps messages without an ack after every known event, in the order they were written", () => {
    let lines = withPending([], "c-V01", "V01");
    lines = withPending(lines, "c-V02", "V02");
    lines = withEvent(lines, agent(5, "A01"));
    lines = withFailure(lines, "c-V01", "The conversation is closed.");
    expect(texts(lines)).toEqual(["A01", "V01…", "V02…"]);
    expect(lines[1]).toMatchObject({ pending: false, failed: "The conversation is closed." });
    expect(lines[2]).toMatchObject({ pending: true });
  });

  it("orders any arrival order of the same events the same way", () => {
    const events = [visitor(1, "V00"), agent(2, "A01"), visitor(3, "V01"), agent(4, "A02"), visitor(5, "V02")];
    const orders = [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3], [1, 3, 0, 4, 2]];
    for (const order of orders) {
      const lines = order.reduce((acc, i) => withEvent(acc, events[i]), withPending([], "c-V09", "V09"));
      expect(texts(lines)).toEqual(["V00", "A01", "V01", "A02", "V02", "V09…"]);
    }
  });

  it("keeps unacknowledged messages when the history is read again", () => {
    const lines = withPending(withEvent([], agent(1, "A01")), "c-V01", "V01");
    expect(texts(unacknowledged(lines))).toEqual(["V01…"]);
    expect(texts(ordered(lines))).toEqual(["A01", "V01…"]);
  });
});
