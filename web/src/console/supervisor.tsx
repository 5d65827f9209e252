// The supervisor view: every team's queue with waiting times, and each agent's status and load.
import { useEffect, useState } from "preact/hooks";
import { api } from "./api";
import type { Me } from "./main";

type TeamQueue = {
  team_id: number;
  waiting: { conversation_id: number; position: number; waited_s: number; priority: number; topic_skills: string[] }[];
  agents: { user_id: number; name: string; status: string; load: number; cap: number }[];
};
type TeamName = { id: number; name: string };

export function Supervisor(props: { me: Me; tick: number }) {
  const [teams, setTeams] = useState<TeamName[]>([]);
  const [queues, setQueues] = useState<Record<number, TeamQueue>>({});

  useEffect(() => {
    api<TeamName[]>("GET", "/teams").then((all) =>
      setTeams((props.me.capabilities ?? []).includes("read_all_chats") ? all : all.filter((t) => props.me.user.team_ids.includes(t.id))));
  }, []);

  async function load() {
    const entries = await Promise.all(teams.map(async (t) => [t.id, await api<TeamQueue>("GET", `/teams/${t.id}/queue`)] as const));
    setQueues(Object.fromEntries(entries));
  }

  useEffect(() => {
    void load();
    const timer = window.setInterval(load, 5000);
    return () => window.clearInterval(timer);
  }, [teams, props.tick]);

  return (
    <main class="supervisor">
      {teams.map((t) => {
        const q = queues[t.id];
        return (
          <section class="team" aria-label={`Team ${t.name}`}>
            <h2>{t.name} <span class="muted">{q ? `${q.waiting.length} waiting` : ""}</span></h2>
            <div class="cols">
              <table>
                <caption>Queue</caption>
                <thead><tr><th>#</th><th>Chat</th><th>Waiting</th><th>Priority</th></tr></thead>
                <tbody>
                  {q?.waiting.map((w) => (
                    <tr class={w.waited_s > 60 ? "late" : ""}><td>{w.position}</td><td>#{w.conversation_id} {w.topic_skills.join(", ")}</td><td>{fmt(w.waited_s)}</td><td>{w.priority}</td></tr>
                  ))}
                </tbody>
              </table>
              <table>
                <caption>Agents</caption>
                <thead><tr><th>Agent</th><th>Status</th><th>Load</th></tr></thead>
                <tbody>
                  {q?.agents.map((a) => (
                    <tr><td>{a.name}</td><td><span class={`dot ${a.status}`} />{a.status}</td><td>{a.load} / {a.cap}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        );
      })}
    </main>
  );
}

function fmt(s: number): string {
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}
