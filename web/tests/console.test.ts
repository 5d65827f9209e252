// Unit tests for the console's state rules (src/console/state.ts). Run: npm test.
import assert from "node:assert/strict";
import { test } from "vitest";
import type { ConversationEvent, ConversationOffered, ConversationSummary, Sender } from "../src/shared/generated/protocol";
import { type Chat, applyInbox, dedupeChats, keepTarget, openPanes, seenMessage, transferGroups } from "../src/console/state";

const ME = 3;
const AT = "2026-11-23T05:55:00Z";
const chat = (id: number, state = "active"): Chat => ({ id, state, topic: "t", team_id: 1, agent_id: ME, assigned_at: null });
const summary = (id: number, state: ConversationSummary["state"], agent_id: number | null = ME): ConversationSummary => ({
  conversation_id: id, state, team_id: 1, agent_id, topic: "billing", priority: 0, queued_at: AT,
});

test("dedupeChats keeps the first copy of each conversation", () => {
  assert.deepEqual(dedupeChats([chat(1), chat(2), chat(1, "assigned")]).map((c) => [c.id, c.state]), [[1, "active"], [2, "active"]]);
});

test("an offer adds the chat once, however often it is told", () => {
  const offer: ConversationOffered = { type: "conversation.offered", seq: 8, created_at: AT, conversation: summary(9, "assigned"), expires_in_s: 45 };
  const once = applyInbox([chat(1)], offer, ME);
  assert.deepEqual(once.map((c) => c.id), [1, 9]);
  assert.equal(once[1].assigned_at, "2026-11-23T05:55:00Z");
  assert.equal(once[1].topic, "billing");
  // The REST list already had it, or the event came twice: still one entry, updated in place.
  const twice = applyInbox([chat(9, "assigned"), chat(1)], { ...offer, conversation: summary(9, "active") }, ME);
  assert.deepEqual(twice.map((c) => [c.id, c.state]), [[9, "active"], [1, "active"]]);
});

test("removed chats, and chats no longer mine, leave the list; other events change nothing", () => {
  const list = [chat(1), chat(2)];
  assert.deepEqual(applyInbox(list, { type: "conversation.removed", seq: 1, created_at: AT, conversation_id: 1, reason: "transferred" }, ME).map((c) => c.id), [2]);
  assert.deepEqual(applyInbox(list, { type: "conversation.updated", seq: 2, created_at: AT, conversation: summary(2, "active", 7) }, ME).map((c) => c.id), [1]);
  assert.deepEqual(applyInbox(list, { type: "conversation.updated", seq: 3, created_at: AT, conversation: summary(2, "closed") }, ME).map((c) => c.id), [1]);
  assert.equal(applyInbox(list, { type: "status", seq: 4, created_at: AT, status: "away", reason: "manual" }, ME), list);
});

test("openPanes keeps open panes in order, adds new chats, drops gone ones, at most four", () => {
  assert.deepEqual(openPanes([2, 1], [chat(1), chat(2), chat(3)]), [2, 1, 3]);
  assert.deepEqual(openPanes([5, 1], [chat(1)]), [1]);
  assert.deepEqual(openPanes([], [1, 2, 3, 4, 5].map((id) => chat(id))), [1, 2, 3, 4]);
});

test("transfer targets: grouped by team, own team first, free slots counted, full agents disabled", () => {
  const groups = transferGroups(
    [
      { user_id: 4, name: "Bob", team_id: 1, load: 0, cap: 2, free: true },
      { user_id: 5, name: "Eve", team_id: 1, load: 2, cap: 2, free: false },
      { user_id: 6, name: "Olga", team_id: 2, load: 1, cap: 3, free: true },
    ],
    1,
    { 1: "Sales", 2: "Billing" },
  );
  assert.deepEqual(groups, [
    { team_id: 1, label: "Agents in Sales (this chat's team)", options: [
      { value: "agent:4", label: "Bob (2 of 2 free)", disabled: false },
      { value: "agent:5", label: "Eve (no free slot)", disabled: true },
    ] },
    { team_id: 2, label: "Agents in Billing", options: [{ value: "agent:6", label: "Olga (2 of 3 free)", disabled: false }] },
  ]);
  assert.equal(transferGroups([{ user_id: 7, name: "Zed", team_id: 9, load: 0, cap: 1, free: true }], 1, {})[0].label, "Agents in Team 9");
  assert.equal(keepTarget("agent:4", groups), "agent:4");
  assert.equal(keepTarget("agent:5", groups), "");
  assert.equal(keepTarget("agent:8", groups), "");
  assert.equal(keepTarget("team:2", groups), "team:2");
  assert.equal(keepTarget("", groups), "");
});

test("seenMessage finds the newest agent message the visitor read, in either numbering", () => {
  const visitor: Sender = { kind: "visitor", name: "Vera" };
  const agent: Sender = { kind: "agent", id: ME, name: "Ana" };
  const said = (type: "message" | "note", seq: number, public_seq: number | null, sender: Sender): ConversationEvent =>
    ({ type, seq, public_seq, conversation_id: 1, sender, created_at: AT, text: "hi", client_id: `c${seq}` });
  const events = [
    said("message", 1, 1, visitor),
    said("message", 2, 2, agent),
    said("note", 3, null, agent),
    said("message", 4, 3, agent),
    said("message", 5, 4, visitor),
  ];
  assert.equal(seenMessage(events, 0, 0), null);
  assert.equal(seenMessage(events, 1, 1), null);
  assert.equal(seenMessage(events, 3, 0), 2);
  assert.equal(seenMessage(events, 4, 0), 4);
  assert.equal(seenMessage(events, 0, 3), 4); // public 3 is staff 4
  assert.equal(seenMessage(events, 5, 2), 4);
});
