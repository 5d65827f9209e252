// The queue's waiting time (src/console/screens/queue/waiting.ts).
import { expect, it } from "vitest";
import { waitedFor } from "../src/console/screens/queue/waiting";

const w = (queued_at: string, waited_s: number) => ({ conversation_id: 1, position: 1, priority: 0, topic_skills: [], queued_at, waited_s });

it("counts on from when the chat was queued, in seconds then minutes", () => {
  const at = Date.parse("2026-11-24T10:00:00Z");
  expect(waitedFor(w("2026-11-24T09:59:15Z", 40), at)).toBe("waiting 45 s");
  expect(waitedFor(w("2026-11-24T09:56:30Z", 200), at)).toBe("waiting 3 min");
});

it("never shows less than the server reported, whatever this clock says", () => {
  const at = Date.parse("2026-11-24T10:00:00Z");
  expect(waitedFor(w("2026-11-24T10:00:30Z", 12), at)).toBe("waiting 12 s");
});
