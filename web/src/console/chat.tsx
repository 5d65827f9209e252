// One open chat: history, composer with canned replies and notes, customer panel, transfer, wrap-up.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Connection, Event } from "../shared/protocol";
import { RichText, clock } from "../shared/text";
import { api } from "./api";
import type { Me } from "./main";

export type Chat = { id: number; state: string; topic: string; team_id: number; agent_id: number | null; assigned_at: string | null };
type Canned = { id: number; shortcut: string; title: string; body: string };
type Customer = { name: string; email: string; tier: string; account_status: string; external_id: string | null; past: { id: number; state: string; topic: string; created_at: string }[] };

const SYSTEM: Record<string, (e: Event) => string> = {
  started: (e) => `Chat started${e.data?.topic ? ` about ${e.data.topic}` : ""}`,
  assigned: (e) => `Offered to ${e.data?.agent_name} (${e.data?.reason?.rule ?? "routing"})`,
  agent_joined: (e) => `${e.data?.agent_name} joined`,
  agent_left: (e) => `${e.data?.agent_name} left`,
  requeued: (e) => `Back in the queue (${e.data?.reason})`,
  transferring: () => "Visitor told they are being transferred",
  ended: (e) => `Chat ended by the ${e.data?.by}`,
  closed: (e) => `Closed: ${e.data?.resolution_code}`,
};

export function ChatPane(props: { chat: Chat; me: Me; events: Event[]; typing: boolean; connection: Connection; onFocus: () => void; onChanged: () => void; onClose: () => void }) {
  const { chat } = props;
  const [draft, setDraft] = useState("");
  const [note, setNote] = useState(false);
  const [canned, setCanned] = useState<Canned[]>([]);
  const [error, setError] = useState("");
  const [panel, setPanel] = useState<"none" | "customer" | "transfer" | "close">("none");
  const list = useRef<HTMLOListElement>(null);
  const visitorName = props.events.find((e) => e.sender?.kind === "visitor")?.sender?.name ?? "Visitor";

  useEffect(() => { list.current?.scrollTo(0, list.current.scrollHeight); }, [props.events.length, props.typing]);

  async function onInput(value: string) {
    setDraft(value);
    const m = /^[/#]([a-z0-9_-]*)$/.exec(value.trim());
    setCanned(m ? await api("GET", `/canned-responses?q=${encodeURIComponent(m[1])}`) : []);
  }

  async function useCanned(c: Canned) {
    const out = await api("POST", `/canned-responses/${c.id}/render`, { conversation_id: chat.id });
    setDraft(out.text);
    setCanned([]);
    if (out.missing.length) setError(`Not filled in: ${out.missing.join(", ")}`);
  }

  function send(e: { preventDefault(): void }) {
    e.preventDefault();
    const text = draft.trim();
    if (!text) return;
    setDraft("");
    setError("");
    props.connection.send(chat.id, text, note ? "note" : "send").then(
      () => { if (chat.state === "assigned") props.onChanged(); },
      (err) => { setDraft(text); setError(err.message); },
    );
  }

  async function act(path: string, body?: unknown) {
    try {
      setError("");
      await api("POST", `/conversations/${chat.id}/${path}`, body);
      setPanel("none");
      props.onChanged();
    } catch (err: any) {
      setError(err.message);
    }
  }

  const ended = chat.state === "wrap-up";
  return (
    <section class={`pane ${chat.state}`} aria-label={`Chat ${chat.id} with ${visitorName}`} onFocusIn={props.onFocus} onClick={props.onFocus}>
      <header>
        <div><strong>{visitorName}</strong> <span class="muted">#{chat.id} · {chat.topic || "no topic"} · {chat.state}</span></div>
        <div class="tools">
          {chat.state === "assigned" && <button onClick={() => act("accept")}>Accept</button>}
          <button class="link" onClick={() => setPanel(panel === "customer" ? "none" : "customer")}>Customer</button>
          {!ended && <button class="link" onClick={() => setPanel(panel === "transfer" ? "none" : "transfer")}>Transfer</button>}
          {!ended && chat.state === "active" && <button class="link" onClick={() => act("end")}>End</button>}
          {chat.state !== "assigned" && <button class="link" onClick={() => setPanel("close")}>Close…</button>}
          <button class="link" aria-label="Hide this chat" onClick={props.onClose}>✕</button>
        </div>
      </header>
      {panel === "customer" && <CustomerPanel id={chat.id} />}
      {panel === "transfer" && <TransferPanel chat={chat} me={props.me} onTransfer={(body) => act("transfer", body)} />}
      {(panel === "close" || ended) && <ClosePanel onClose={(body) => act("close", body)} />}
      <ol class="messages" ref={list} aria-live="polite">
        {props.events.map((e) => {
          if (e.type === "message" || e.type === "note") {
            const mine = e.sender?.kind === "agent";
            return (
              <li key={e.seq} class={`msg ${e.type} ${mine ? "mine" : "theirs"}`}>
                <span class="who">{e.type === "note" ? `Note · ${e.sender?.name}` : e.sender?.name ?? "Visitor"}</span>
                <RichText text={e.text ?? ""} />
                <span class="meta">{clock(e.created_at)}{e.data?.masked ? " · sensitive data masked" : ""}</span>
              </li>
            );
          }
          if (e.type === "transferred") return <li key={e.seq} class="msg note handover"><span class="who">Handover note</span><RichText text={e.text ?? "(no note)"} /></li>;
          const text = SYSTEM[e.type]?.(e);
          return text ? <li key={e.seq} class="system">{text}</li> : null;
        })}
        {props.typing && <li class="system">{visitorName} is typing…</li>}
      </ol>
      {error && <p class="error" role="alert">{error}</p>}
      {!ended && (
        <form class={`composer ${note ? "note" : ""}`} onSubmit={send}>
          {canned.length > 0 && (
            <ul class="canned" role="listbox" aria-label="Canned responses">
              {canned.map((c) => <li><button type="button" onClick={() => useCanned(c)}><b>/{c.shortcut}</b> {c.title}</button></li>)}
            </ul>
          )}
          <textarea rows={2} value={draft} aria-label={note ? "Internal note" : "Reply"} placeholder={note ? "Internal note: only your team sees this" : "Reply, or / for canned responses"}
            onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)}
            onKeyDown={(e) => { if (e.key === "Enter" && !e.shiftKey) send(e); }} />
          <div class="actions">
            <label class="toggle"><input type="checkbox" checked={note} onChange={() => setNote(!note)} /> Internal note</label>
            <button type="submit">{note ? "Add note" : "Send"}</button>
          </div>
        </form>
      )}
    </section>
  );
}

function CustomerPanel(props: { id: number }) {
  const [c, setC] = useState<Customer | null>(null);
  useEffect(() => { api("GET", `/conversations/${props.id}/customer`).then(setC); }, [props.id]);
  if (!c) return <div class="panel">Loading…</div>;
  return (
    <div class="panel customer">
      <dl>
        <dt>Name</dt><dd>{c.name || "—"}</dd>
        <dt>Email</dt><dd>{c.email || "—"}</dd>
        <dt>Tier</dt><dd>{c.tier}</dd>
        {c.account_status && <><dt>Account</dt><dd>{c.account_status}</dd></>}
        {c.external_id && <><dt>Customer id</dt><dd>{c.external_id}</dd></>}
      </dl>
      <h3>Past conversations</h3>
      {c.past.length === 0 ? <p class="muted">None</p> : (
        <ul>{c.past.map((p) => <li>#{p.id} {p.topic || "chat"} · {p.state} · {new Date(p.created_at).toLocaleDateString()}</li>)}</ul>
      )}
    </div>
  );
}

function TransferPanel(props: { chat: Chat; me: Me; onTransfer: (body: unknown) => void }) {
  const [teams, setTeams] = useState<{ id: number; name: string }[]>([]);
  const [users, setUsers] = useState<{ id: number; name: string; role: string }[]>([]);
  useEffect(() => {
    api("GET", "/teams").then(setTeams);
    api("GET", "/users").then((u) => setUsers(u.filter((x: { id: number; role: string }) => x.id !== props.me.user.id && x.role !== "qa")));
  }, []);
  return (
    <form class="panel" onSubmit={(e) => {
      e.preventDefault();
      const data = new FormData(e.currentTarget as HTMLFormElement);
      const [kind, id] = String(data.get("target")).split(":");
      props.onTransfer({ [kind === "team" ? "team_id" : "agent_id"]: Number(id), note: data.get("note") });
    }}>
      <label>Transfer to
        <select name="target" required>
          <optgroup label="Agents">{users.map((u) => <option value={`agent:${u.id}`}>{u.name}</option>)}</optgroup>
          <optgroup label="Teams">{teams.map((t) => <option value={`team:${t.id}`}>{t.name} (queue)</option>)}</optgroup>
        </select>
      </label>
      <label>Handover note<textarea name="note" rows={2} maxLength={2000} placeholder="What has been done, what is next" /></label>
      <button type="submit">Transfer</button>
    </form>
  );
}

function ClosePanel(props: { onClose: (body: unknown) => void }) {
  const [codes, setCodes] = useState<{ code: string; label: string; active: boolean }[]>([]);
  useEffect(() => { api("GET", "/resolution-codes").then((c) => setCodes(c.filter((x: { active: boolean }) => x.active))); }, []);
  return (
    <form class="panel wrapup" onSubmit={(e) => {
      e.preventDefault();
      const data = new FormData(e.currentTarget as HTMLFormElement);
      props.onClose({ resolution_code: data.get("code"), note: data.get("note") });
    }}>
      <strong>Wrap-up</strong>
      <label>Resolution
        <select name="code" required defaultValue="">
          <option value="" disabled>Choose…</option>
          {codes.map((c) => <option value={c.code}>{c.label}</option>)}
        </select>
      </label>
      <label>Root cause / notes<textarea name="note" rows={2} maxLength={2000} /></label>
      <button type="submit">Close chat</button>
    </form>
  );
}
