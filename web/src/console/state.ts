// The console's state rules, as pure functions (unit tests: web/tests/console.test.ts).
import type { ConversationEvent, InboxEvent } from "../shared/generated/protocol";

export type Chat = {
  id: number;
  state: string;
  topic: string;
  team_id: number;
  agent_id: number | null;
  assigned_at: string | null;
  /** How far the visitor has read, in the visitor's (public) numbering. */
  visitor_read_seq?: number;
};

/** States in which a chat belongs in the agent's list. */
const MINE = new Set(["assigned", "active", "wrap-up"]);

/** One copy of each chat (the first), in the order given. */
export function dedupeChats(chats: Chat[]): Chat[] {
  const seen = new Set<number>();
  return chats.filter((c) => !seen.has(c.id) && (seen.add(c.id), true));
}

/** The chat list after an inbox event, before the REST list confirms it: an offered, accepted
 *  or updated chat is added or updated in place (one entry per conversation id), and one that
 *  was removed, or is no longer this agent's, leaves the list. Other events change nothing. */
export function applyInbox(chats: Chat[], event: InboxEvent, me: number): Chat[] {
  if (event.type === "conversation.removed") return chats.filter((c) => c.id !== event.conversation_id);
  if (event.type === "status") return chats;
  const s = event.conversation;
  if (s.agent_id !== me || !MINE.has(s.state)) return chats.filter((c) => c.id !== s.conversation_id);
  const fields = { state: s.state, topic: s.topic, team_id: s.team_id, agent_id: s.agent_id };
  const at = chats.findIndex((c) => c.id === s.conversation_id);
  if (at >= 0) return chats.map((c, i) => (i === at ? { ...c, ...fields } : c));
  const assignedAt = event.type === "conversation.offered" ? event.created_at : null;
  return [...chats, { id: s.conversation_id, ...fields, assigned_at: assignedAt }];
}

/** The panes to show after the chat list changed: those still in the list, in their order,
 *  then the other chats of the list; at most `max`. */
export function openPanes(ids: number[], chats: Chat[], max = 4): number[] {
  const kept = ids.filter((id) => chats.some((c) => c.id === id));
  return [...kept, ...chats.filter((c) => !kept.includes(c.id)).map((c) => c.id)].slice(0, max);
}

/** An agent a chat can be transferred to (`GET /conversations/{id}/transfer-targets`). */
export type TransferTarget = { user_id: number; name: string; team_id: number; load: number; cap: number; free: boolean };

export type TransferOption = { value: string; label: string; disabled: boolean };
export type TransferGroup = { team_id: number; label: string; options: TransferOption[] };

/** The transfer menu's agents, grouped by the team the chat would join with them, in the
 *  server's order (the chat's own team first): "N of M free", or disabled with the reason. */
export function transferGroups(targets: TransferTarget[], chatTeamId: number, teamNames: Record<number, string>): TransferGroup[] {
  const groups: TransferGroup[] = [];
  for (const t of targets) {
    let group = groups.find((g) => g.team_id === t.team_id);
    if (!group) {
      const name = teamNames[t.team_id] ?? `Team ${t.team_id}`;
      group = { team_id: t.team_id, label: t.team_id === chatTeamId ? `Agents in ${name} (this chat's team)` : `Agents in ${name}`, options: [] };
      groups.push(group);
    }
    const open = Math.max(0, t.cap - t.load);
    const free = t.free && open > 0;
    group.options.push({ value: `agent:${t.user_id}`, label: `${t.name} (${free ? `${open} of ${t.cap} free` : "no free slot"})`, disabled: !free });
  }
  return groups;
}

/** The chosen transfer target, or "" when the agent chosen can no longer take the chat. */
export function keepTarget(target: string, groups: TransferGroup[]): string {
  if (!target.startsWith("agent:")) return target;
  return groups.some((g) => g.options.some((o) => o.value === target && !o.disabled)) ? target : "";
}

/** The newest agent message the visitor has read, or null. The visitor's position comes from a
 *  live `read` frame (`staffSeq`, in staff numbering) or from the REST conversation
 *  (`publicSeq`, in the visitor's numbering; staff events carry their `public_seq`). */
export function seenMessage(events: ConversationEvent[], staffSeq: number, publicSeq: number): number | null {
  let seen: number | null = null;
  for (const e of events) {
    if (e.type !== "message" || e.sender.kind !== "agent") continue;
    const read = e.seq <= staffSeq || (typeof e.public_seq === "number" && e.public_seq <= publicSeq);
    if (read) seen = e.seq;
  }
  return seen;
}
