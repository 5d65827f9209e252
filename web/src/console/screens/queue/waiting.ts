// How long a queued chat has waited, counted on from when the server said so.

export type Waiting = { conversation_id: number; position: number; priority: number; topic_skills: string[]; queued_at: string; waited_s: number };

/** "waiting 45 s" / "waiting 3 min": from `queued_at` and this clock, never below what the
 * server reported. */
export function waitedFor(w: Waiting, nowMs: number = Date.now()): string {
  const s = Math.max(w.waited_s, Math.round((nowMs - new Date(w.queued_at).getTime()) / 1000));
  return s < 60 ? `waiting ${s} s` : `waiting ${Math.floor(s / 60)} min`;
}
