// History: finished chats found by a word in them and filters; each opens read-only.
import { useEffect, useState } from "preact/hooks";
import { assignedLine, requeueReason, resolutionLabel, senderName } from "../../../shared/events";
import type { ConversationEvent } from "../../../shared/generated/protocol";
import { type Page, fetchHistory } from "../../../shared/protocol";
import { api } from "../../api";
import { EMPTY, type Found, type HistoryFilters, type Results, addPage, historyQuery } from "./query";

type ResolutionCode = { code: string; label: string };

/** Resolution codes' labels by code (inactive codes too: old chats were closed with them). */
function useResolutionLabels(): Record<string, string> {
  const [labels, setLabels] = useState<Record<string, string>>({});
  useEffect(() => {
    let alive = true;
    api<ResolutionCode[]>("GET", "/resolution-codes").then(
      (codes) => { if (alive) setLabels(Object.fromEntries(codes.map((c) => [c.code, c.label]))); },
      () => undefined,
    );
    return () => { alive = false; };
  }, []);
  return labels;
}

export function History() {
  const labels = useResolutionLabels();
  const [filters, setFilters] = useState<HistoryFilters>(EMPTY);
  const [results, setResults] = useState<Results | null>(null);
  const [error, setError] = useState("");
  const [open, setOpen] = useState<Found | null>(null);

  async function search(first: boolean) {
    const last = results?.items[results.items.length - 1];
    try {
      const page = await api<Found[]>("GET", `/conversations?${historyQuery(filters, first || !last ? null : last.id)}`);
      setResults((old) => addPage(old ?? { items: [], more: false }, page, first));
      setError("");
    } catch (err) {
      setError(err instanceof Error ? err.message : "Search failed.");
    }
  }

  const set = (key: keyof HistoryFilters) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) =>
    setFilters((f) => ({ ...f, [key]: e.currentTarget.value }));

  if (open) return <Transcript chat={open} labels={labels} onBack={() => setOpen(null)} />;
  return (
    <main class="history">
      <h2>History</h2>
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); void search(true); }}>
        <label class="wide">Words<input type="search" name="q" value={filters.q} onInput={set("q")} maxLength={200} placeholder="e.g. refund order 4481" /></label>
        <label>State<select value={filters.state} onChange={set("state")}>
          <option value="">Finished</option><option value="closed">Closed</option><option value="wrap-up">Wrap-up</option><option value="abandoned">Abandoned</option>
        </select></label>
        <label>From<input type="date" value={filters.since} onInput={set("since")} /></label>
        <label>To<input type="date" value={filters.until} onInput={set("until")} /></label>
        <label>Customer<input value={filters.customer} onInput={set("customer")} maxLength={254} placeholder="name, e-mail or id" /></label>
        <button type="submit">Search</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {results && (
        <section aria-label="Results">
          <p class="muted" role="status">{results.items.length === 0 ? "No conversations found." : `${results.items.length}${results.more ? "+" : ""} found`}</p>
          <ul class="results">
            {results.items.map((c) => (
              <li key={c.id}>
                <button class="item" onClick={() => setOpen(c)}>
                  <span class="title">#{c.id} {c.topic || "chat"}</span>
                  <span class={`state ${c.state}`}>{c.state}</span>
                  <span class="muted">{new Date(c.created_at).toLocaleString()}</span>
                  {c.resolution_code && <span class="code">{resolutionLabel(c.resolution_code, labels)}</span>}
                  {c.snippet && <span class="snippet">{c.snippet}</span>}
                </button>
              </li>
            ))}
          </ul>
          {results.more && <button class="link" onClick={() => void search(false)}>Show more</button>}
        </section>
      )}
    </main>
  );
}

/** A finished chat, read-only: every event in order, text rendered as text. */
function Transcript(props: { chat: Found; labels: Record<string, string>; onBack: () => void }) {
  const [events, setEvents] = useState<ConversationEvent[] | null>(null);
  const [error, setError] = useState("");
  if (events === null && !error) {
    void (async () => {
      try {
        const { events: all } = await fetchHistory((after) => api<Page>("GET", `/conversations/${props.chat.id}/events?after=${after}`), 0);
        setEvents(all);
      } catch (err) {
        setError(err instanceof Error ? err.message : "Could not load the conversation.");
      }
    })();
  }
  return (
    <main class="history transcript" aria-label={`Conversation #${props.chat.id}`}>
      <button class="link" onClick={props.onBack}>← Back to results</button>
      <h2>#{props.chat.id} {props.chat.topic || "chat"} <span class={`state ${props.chat.state}`}>{props.chat.state}</span></h2>
      <p class="muted">Read only{props.chat.resolution_code ? ` · Resolution: ${resolutionLabel(props.chat.resolution_code, props.labels)}` : ""}</p>
      {error && <p class="error" role="alert">{error}</p>}
      {events === null && !error && <p class="muted">Loading…</p>}
      <ol class="log">
        {(events ?? []).map((e) => (
          <li key={e.seq} class={`ev ${e.type} ${e.sender.kind}`}>
            <span class="who">{e.type === "note" ? `Note by ${senderName(e.sender) ?? "staff"}` : senderName(e.sender) ?? "Helpline"}</span>
            {"text" in e && e.text ? <span class="text">{e.text}</span> : <span class="what">{describe(e, props.labels)}</span>}
            <time class="muted" dateTime={e.created_at}>{new Date(e.created_at).toLocaleTimeString()}</time>
          </li>
        ))}
      </ol>
    </main>
  );
}

/** What an event without text says, as a line in the transcript after the name of whoever did
 *  it (the sender): an agent who joined is not named twice, the system's lines name the agent. */
export function describe(e: ConversationEvent, labels: Record<string, string> = {}): string {
  switch (e.type) {
    case "started": return e.data.topic ? `started the chat about ${e.data.topic}` : "started the chat";
    case "ended": return e.data.by === "visitor" ? "left the chat" : "ended the chat";
    case "agent_joined": return byThemselves(e, "joined the chat");
    case "agent_left": return byThemselves(e, "left the chat");
    case "assigned": return lower(assignedLine(e.data));
    case "requeued": return `went back to the queue: ${requeueReason(e.data)}`;
    case "transferring": return "is being transferred";
    case "transferred": return "transferred";
    case "closed": return e.data.resolution_code ? `closed: ${resolutionLabel(e.data.resolution_code, labels)}` : "closed";
    // Types added after this client was built (the protocol grows by adding them).
    default: return (e as { type: string }).type.replace(/_/g, " ");
  }
}

/** `what` after the sender's name when the agent the event names is the sender, else with the
 *  agent's name in front ("Ana joined the chat", under "Helpline"). */
function byThemselves(e: ConversationEvent & { data: { agent_name: string } }, what: string): string {
  const agent = e.data.agent_name;
  return !agent || senderName(e.sender) === agent ? what : `${agent} ${what}`;
}

function lower(line: string): string {
  return line.charAt(0).toLowerCase() + line.slice(1);
}
