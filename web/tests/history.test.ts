// The history search's pure rules (src/console/screens/history/query.ts).
import { describe, expect, it } from "vitest";
import { describe as describeEvent } from "../src/console/screens/history/History";
import type { ConversationEvent } from "../src/shared/generated/protocol";
import { EMPTY, PAGE, type Found, addPage, dayAfter, historyQuery } from "../src/console/screens/history/query";

const found = (id: number): Found => ({ id, topic: "t", state: "closed", created_at: "2026-11-23T10:00:00Z", team_id: 1 });

describe("historyQuery", () => {
  it("asks for finished chats by default, newest page first", () => {
    const p = new URLSearchParams(historyQuery(EMPTY));
    expect(p.getAll("state")).toEqual(["closed", "abandoned", "wrap-up"]);
    expect(p.get("limit")).toBe(String(PAGE));
    expect(p.has("q") || p.has("before_id") || p.has("since")).toBe(false);
  });

  it("sends trimmed words, one chosen state, the customer and the next page", () => {
    const p = new URLSearchParams(historyQuery({ ...EMPTY, q: "  refund & co ", state: "abandoned", customer: " ann@x.io " }, 41));
    expect(p.get("q")).toBe("refund & co");
    expect(p.getAll("state")).toEqual(["abandoned"]);
    expect(p.get("customer")).toBe("ann@x.io");
    expect(p.get("before_id")).toBe("41");
  });

  it("makes the last day inclusive by asking until the day after", () => {
    const p = new URLSearchParams(historyQuery({ ...EMPTY, since: "2026-11-23", until: "2026-11-23" }));
    expect([p.get("since"), p.get("until")]).toEqual(["2026-11-23", "2026-11-24"]);
    expect(dayAfter("2026-12-31")).toBe("2027-01-01");
    expect(dayAfter("2028-02-28")).toBe("2028-02-29");
  });
});

describe("addPage", () => {
  it("replaces on a new search and appends later pages without repeats", () => {
    const first = addPage({ items: [found(9)], more: false }, [found(5), found(4)], true);
    expect(first.items.map((c) => c.id)).toEqual([5, 4]);
    expect(first.more).toBe(false);
    const full = Array.from({ length: PAGE }, (_, i) => found(100 - i));
    const more = addPage(first, [found(4), ...full], false);
    expect(more.items.map((c) => c.id)).toEqual([5, 4, ...full.map((c) => c.id)]);
    expect(addPage(first, full, false).more).toBe(true);
  });
});

describe("describeEvent", () => {
  const base = { seq: 1, conversation_id: 1, created_at: "2026-11-23T05:55:00Z", sender: { kind: "system" } } as const;
  const ev = (type: string, data: Record<string, string> = {}) => ({ ...base, type, data }) as unknown as ConversationEvent;
  it("says what an event without text means", () => {
    expect(describeEvent(ev("started", { topic: "billing" }))).toBe("started the chat about billing");
    expect(describeEvent(ev("ended", { by: "visitor" }))).toBe("left the chat");
    expect(describeEvent(ev("ended", { by: "agent" }))).toBe("ended the chat");
    expect(describeEvent(ev("agent_joined", { agent_name: "Ana" }))).toBe("Ana joined the chat");
    expect(describeEvent(ev("something_new"))).toBe("something new");
  });
  it("names a resolution by its label, or else in words", () => {
    expect(describeEvent(ev("closed", { resolution_code: "solved" }), { solved: "Solved on first contact" })).toBe("closed: Solved on first contact");
    expect(describeEvent(ev("closed", { resolution_code: "no_reply" }))).toBe("closed: No reply");
  });
  it("does not name an agent twice when the agent is the sender", () => {
    const byAna = { ...ev("agent_joined", { agent_name: "Ana" }), sender: { kind: "agent", id: 2, name: "Ana" } } as ConversationEvent;
    expect(describeEvent(byAna)).toBe("joined the chat");
    const leftByAna = { ...ev("agent_left", { agent_name: "Ana" }), sender: { kind: "agent", id: 2, name: "Ana" } } as ConversationEvent;
    expect(describeEvent(leftByAna)).toBe("left the chat");
  });
  it("says why a chat was offered or requeued in words, not codes", () => {
    const assigned = { ...base, type: "assigned", data: { agent_id: 2, agent_name: "Ana", reason: { rule: "least_load_then_longest_idle", skills_relaxed: false } } } as unknown as ConversationEvent;
    expect(describeEvent(assigned)).toBe("offered to Ana, the least busy agent");
    const requeued = { ...base, type: "requeued", data: { reason: "no_answer", agent_id: 2, agent_name: "Ana", team_id: 1 } } as unknown as ConversationEvent;
    expect(describeEvent(requeued)).toBe("went back to the queue: not answered in time by Ana");
  });
});
