// The console's state rules, as pure functions (unit tests: web/tests/console.test.ts).
export type Chat = {
  id: number;
  state: string;
  topic: string;
  team_id: number;
  agent_id: number | null;
  assigned_at: string | null;
};

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
