// Unit tests for what the clients make of events (src/shared/events.ts). Run: npm test.
import assert from "node:assert/strict";
import { test } from "vitest";
import type { ConversationEvent, StatusChanged } from "../src/shared/generated/protocol";
import { clientIdOf, humanise, isConversationEvent, resolutionLabel, senderName, systemLine } from "../src/shared/events";

const AT = "2026-12-07T10:00:00Z";
const base = { seq: 5, conversation_id: 1, created_at: AT, sender: { kind: "system" } } as const;
const joined: ConversationEvent = { ...base, type: "agent_joined", data: { agent_name: "Ana" } };
const left: ConversationEvent = { ...base, type: "agent_left", data: { agent_name: "Ana" } };
const transferring: ConversationEvent = { ...base, type: "transferring" };
const endedByVisitor: ConversationEvent = { ...base, type: "ended", data: { by: "visitor" } };
const endedByAgent: ConversationEvent = { ...base, type: "ended", data: { by: "agent" } };
const started: ConversationEvent = { ...base, type: "started", data: { topic: "billing" } };
const closed: ConversationEvent = { ...base, type: "closed", data: { resolution_code: "solved", note: "" } };
const requeued: ConversationEvent = { ...base, type: "requeued", data: { reason: "no_answer", agent_id: 2, agent_name: "Ana", team_id: 1 } };
const assigned: ConversationEvent = { ...base, type: "assigned", data: { agent_id: 2, agent_name: "Ana", reason: { rule: "manual_pick", by: 2 } } };
const message: ConversationEvent = { ...base, type: "message", sender: { kind: "visitor", name: "Bo" }, text: "hi", client_id: "c1" };
const note: ConversationEvent = { ...base, type: "note", sender: { kind: "agent", id: 2 }, text: "vip", client_id: "c2" };

test("the visitor is told of joins, leaves, transfers and the end, in their words", () => {
  assert.equal(systemLine(joined, "visitor"), "Ana joined the chat");
  assert.equal(systemLine(left, "visitor"), "Ana left the chat; we are finding someone else");
  assert.equal(systemLine(transferring, "visitor"), "Transferring you to a colleague");
  assert.equal(systemLine(endedByVisitor, "visitor"), "You ended the chat");
  assert.equal(systemLine(endedByAgent, "visitor"), "The chat has ended");
  for (const e of [started, closed, requeued, assigned, message, note]) assert.equal(systemLine(e, "visitor"), null, e.type);
});

test("staff also see routing and wrap-up", () => {
  assert.equal(systemLine(started, "staff"), "Chat started about billing");
  assert.equal(systemLine({ ...base, type: "started", data: { topic: "" } }, "staff"), "Chat started");
  assert.equal(systemLine(assigned, "staff"), "Picked from the queue by Ana");
  assert.equal(systemLine(joined, "staff"), "Ana joined");
  assert.equal(systemLine(left, "staff"), "Ana left");
  assert.equal(systemLine(requeued, "staff"), "Back in the queue: not answered in time by Ana");
  assert.equal(systemLine(transferring, "staff"), "Visitor told they are being transferred");
  assert.equal(systemLine(endedByVisitor, "staff"), "Chat ended by the visitor");
  assert.equal(systemLine(closed, "staff"), "Closed: Solved");
  for (const e of [message, note]) assert.equal(systemLine(e, "staff"), null, e.type);
});

test("conversation events are told from inbox events, and messages by their client id", () => {
  const status: StatusChanged = { type: "status", seq: 1, created_at: AT, status: "away", reason: "manual" };
  assert.equal(isConversationEvent(message), true);
  assert.equal(isConversationEvent(status), false);
  assert.equal(clientIdOf(message), "c1");
  assert.equal(clientIdOf(note), "c2");
  assert.equal(clientIdOf(joined), undefined);
});

test("senderName names visitors and staff, never the system", () => {
  assert.equal(senderName({ kind: "visitor", name: "Bo" }), "Bo");
  assert.equal(senderName({ kind: "agent", id: 2, name: "Ana" }), "Ana");
  assert.equal(senderName({ kind: "agent", id: 2 }), undefined);
  assert.equal(senderName({ kind: "system" }), undefined);
});

const routed = (skills_relaxed: boolean): ConversationEvent => ({
  ...base,
  type: "assigned",
  data: {
    agent_id: 2,
    agent_name: "Ana",
    reason: { rule: "least_load_then_longest_idle", skills_required: ["tech"], skills_matched: [], skills_relaxed, excluded_fallback: false, language: "en", load: 0, cap: 2, idle_s: 3, candidates: 1 },
  },
});
const requeuedFor = (reason: "no_answer" | "agent_offline" | "transferred" | "team_left"): ConversationEvent => ({ ...base, type: "requeued", data: { reason, agent_id: 2, agent_name: "Ana", team_id: 1 } });

test("staff read routing reasons in words, never as codes", () => {
  assert.equal(systemLine(routed(false), "staff"), "Offered to Ana, the least busy agent");
  assert.match(systemLine(routed(true), "staff")!, /^Offered to Ana, the least busy agent \(.*skills.*\)$/);
  const transfer: ConversationEvent = { ...base, type: "assigned", data: { agent_id: 2, agent_name: "Ana", reason: { rule: "manual_transfer", by: 3 } } };
  assert.equal(systemLine(transfer, "staff"), "Transferred to Ana");
  assert.equal(systemLine(requeuedFor("agent_offline"), "staff"), "Back in the queue: Ana went offline");
  assert.equal(systemLine(requeuedFor("transferred"), "staff"), "Back in the queue: transferred to a team's queue");
  assert.equal(systemLine(requeuedFor("team_left"), "staff"), "Back in the queue: Ana left the team");
  for (const e of [routed(false), routed(true), transfer, assigned, requeued, ...(["no_answer", "agent_offline", "transferred", "team_left"] as const).map(requeuedFor)]) {
    assert.doesNotMatch(systemLine(e, "staff")!, /[a-z]_[a-z]/, e.type);
  }
});

test("tags and codes are humanised for reading", () => {
  assert.equal(humanise("paddles"), "Paddles");
  assert.equal(humanise("white_water-kayaks"), "White water kayaks");
  assert.equal(humanise("tech"), "Tech");
  assert.equal(humanise("--x__"), "X");
  assert.equal(resolutionLabel("resolved", { resolved: "Resolved on first contact" }), "Resolved on first contact");
  assert.equal(resolutionLabel("no_reply"), "No reply");
});
