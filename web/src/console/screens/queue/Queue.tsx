// The queue: chats waiting in my teams, longest first in service order, each one a Pick away.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api";
import type { Me } from "../../main";
import { type Waiting, waitedFor } from "./waiting";

type TeamQueue = { team_id: number; waiting: Waiting[] };
type TeamName = { id: number; name: string };

export function Queue(props: { me: Me; tick: number; onPicked: (conversationId: number) => void }) {
  const [teams, setTeams] = useState<TeamName[]>([]);
  const [queues, setQueues] = useState<Record<number, TeamQueue>>({});
  const [error, setError] = useState("");
  const [, redraw] = useState(0);
  const mayPick = (props.me.capabilities ?? []).includes("answer_chats");

  useEffect(() => {
    api<TeamName[]>("GET", "/teams").then((all) => setTeams(all.filter((t) => props.me.user.team_ids.includes(t.id))));
    const t = window.setInterval(() => redraw((n) => n + 1), 1000);
    return () => window.clearInterval(t);
  }, []);

  useEffect(() => {
    // Queue summaries on the team streams (props.tick) say something changed; read the details.
    void Promise.all(teams.map(async (t) => [t.id, await api<TeamQueue>("GET", `/teams/${t.id}/queue`)] as const))
      .then((entries) => setQueues(Object.fromEntries(entries)), () => undefined);
  }, [teams, props.tick]);

  async function pick(id: number) {
    try {
      await api("POST", `/conversations/${id}/pick`);
      setError("");
      props.onPicked(id);
    } catch (err) {
      setError(err instanceof Error ? err.message : "Could not pick that chat.");
    }
  }

  return (
    <main class="queue">
      <h2>Queue</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {teams.length === 0 && <p class="muted">You are not in any team.</p>}
      {teams.map((t) => {
        const waiting = queues[t.id]?.waiting ?? [];
        return (
          <section key={t.id} aria-label={`Queue of ${t.name}`}>
            <h3>{t.name} <span class="muted">{waiting.length} waiting</span></h3>
            {waiting.length === 0 ? <p class="muted">Nobody is waiting.</p> : (
              <ol class="waitlist">
                {waiting.map((w) => (
                  <li key={w.conversation_id}>
                    <span class="title">#{w.conversation_id} {w.topic_skills.join(", ") || "chat"}</span>
                    <span class={w.waited_s >= 60 ? "waited late" : "waited"}>{waitedFor(w)}</span>
                    {w.priority > 0 && <span class="code">priority {w.priority}</span>}
                    {mayPick && <button aria-label={`Pick chat #${w.conversation_id}`} onClick={() => void pick(w.conversation_id)}>Pick</button>}
                  </li>
                ))}
              </ol>
            )}
          </section>
        );
      })}
    </main>
  );
}
