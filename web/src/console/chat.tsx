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

const CANNED_QUERY = /^[/#]([a-z0-9_-]*)$/;
const TYPING_IDLE_MS = 4000;

export function ChatPane(props: { chat: Chat; me: Me; events: Event[]; typing: boolean; current: boolean; connection: Connection; onFocus: () => void; onChanged: () => void; onClose: () => void }) {
  const { chat } = props;
  const [draft, setDraft] = useState("");
  const [note, setNote] = useState(false);
  const [canned, setCanned] = useState<Canned[]>([]);
  const [active, setActive] = useState(0);
  const [error, setError] = useState("");
  const [panel, setPanel] = useState<"none" | "customer" | "transfer" | "close">("none");
  const list = useRef<HTMLOListElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const query = useRef(0); // the newest canned-response lookup; older answers are dropped
  const dismissed = useRef(false); // Escape closed the picker: send this draft as typed
  const typingSince = useRef(0);
  const typingIdle = useRef(0);
  const focusWrapup = useRef(false);
  const visitorName = props.events.find((e) => e.sender?.kind === "visitor")?.sender?.name ?? "Visitor";
  const listId = `canned-${chat.id}`;

  useEffect(() => { list.current?.scrollTo(0, list.current.scrollHeight); }, [props.events.length, props.typing]);
  useEffect(() => () => { window.clearTimeout(typingIdle.current); }, []);

  /** Tell the visitor the agent is typing (at most every 2 s), and that they stopped. */
  function typing(activeNow: boolean) {
    window.clearTimeout(typingIdle.current);
    const frame = { type: "typing", conversation_id: chat.id };
    if (!activeNow) {
      if (typingSince.current) props.connection.raw({ ...frame, active: false });
      typingSince.current = 0;
      return;
    }
    if (Date.now() - typingSince.current > 2000) {
      props.connection.raw({ ...frame, active: true });
      typingSince.current = Date.now();
    }
    typingIdle.current = window.setTimeout(() => typing(false), TYPING_IDLE_MS);
  }

  function closePicker() {
    query.current += 1;
    setCanned([]);
  }

  async function lookup(value: string): Promise<Canned[]> {
    const m = CANNED_QUERY.exec(value.trim());
    if (!m) return [];
    return api("GET", `/canned-responses?q=${encodeURIComponent(m[1])}`).catch(() => []);
  }

  async function onInput(value: string) {
    setDraft(value);
    dismissed.current = false;
    if (!note && chat.state !== "wrap-up") typing(value.trim() !== "");
    const n = ++query.current;
    const found = CANNED_QUERY.test(value.trim()) ? await lookup(value) : [];
    if (n !== query.current) return;
    setCanned(found);
    setActive(0);
  }

  async function insert(c: Canned) {
    closePicker();
    try {
      const out = await api("POST", `/canned-responses/${c.id}/render`, { conversation_id: chat.id });
      setDraft(out.text);
      setError(out.missing.length ? `Not filled in: ${out.missing.join(", ")}` : "");
    } catch (err: any) {
      setError(err.message);
    }
    box.current?.focus();
  }

  async function send(e?: { preventDefault(): void }) {
    e?.preventDefault();
    const text = draft.trim();
    if (!text) return;
    // "/bye" is a canned response's shortcut, not a message: expand it (the agent sends it
    // with the next Enter), even when the picker had not opened yet.
    if (CANNED_QUERY.test(text) && !dismissed.current) {
      const shortcut = text.slice(1);
      const found = await lookup(text);
      const match = found.find((c) => c.shortcut === shortcut) ?? (found.length === 1 ? found[0] : undefined);
      if (match) return insert(match);
      if (found.length > 0) {
        setCanned(found);
        setActive(0);
        return;
      }
    }
    setDraft("");
    setError("");
    closePicker();
    if (!note) typing(false);
    props.connection.send(chat.id, text, note ? "note" : "send").then(
      () => { if (chat.state === "assigned") props.onChanged(); },
      (err) => { setDraft(text); setError(err.message); },
    );
  }

  function onKeyDown(e: KeyboardEvent) {
    if (canned.length > 0) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const step = e.key === "ArrowDown" ? 1 : -1;
        setActive((a) => (a + step + canned.length) % canned.length);
        return;
      }
      if ((e.key === "Enter" && !e.shiftKey) || (e.key === "Tab" && !e.shiftKey)) {
        e.preventDefault();
        void insert(canned[Math.min(active, canned.length - 1)]);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        dismissed.current = true;
        closePicker();
        return;
      }
    }
    if (e.key === "Enter" && !e.shiftKey) void send(e);
  }

  async function act(path: string, body?: unknown) {
    try {
      setError("");
      await api("POST", `/conversations/${chat.id}/${path}`, body);
      setPanel("none");
      if (path === "end") focusWrapup.current = true;
      props.onChanged();
      // The button just used is gone: keep the keyboard in this chat.
      if (path === "accept") window.setTimeout(() => box.current?.focus(), 0);
    } catch (err: any) {
      setError(err.message);
    }
  }

  const ended = chat.state === "wrap-up";
  const picker = canned.length > 0;
  return (
    <section class={`pane ${chat.state}${props.current ? " current" : ""}`} aria-label={`Chat ${chat.id} with ${visitorName}`} onFocusIn={props.onFocus} onClick={props.onFocus}>
      <header>
        <div class="who-line"><strong>{visitorName}</strong> <span class="muted">#{chat.id} · {chat.topic || "no topic"} · {chat.state}</span></div>
        <div class="tools">
          {chat.state === "assigned" && <button onClick={() => act("accept")}>Accept</button>}
          <button class="link" aria-expanded={panel === "customer"} onClick={() => setPanel(panel === "customer" ? "none" : "customer")}>Customer</button>
          {!ended && <button class="link" aria-expanded={panel === "transfer"} onClick={() => setPanel(panel === "transfer" ? "none" : "transfer")}>Transfer</button>}
          {!ended && chat.state === "active" && <button class="link" onClick={() => act("end")}>End</button>}
          {chat.state !== "assigned" && !ended && <button class="link" onClick={() => { focusWrapup.current = true; setPanel(panel === "close" ? "none" : "close"); }}>Close…</button>}
          <button class="link" aria-label="Hide this chat" onClick={props.onClose}>✕</button>
        </div>
      </header>
      {panel === "customer" && <CustomerPanel id={chat.id} />}
      {panel === "transfer" && !ended && <TransferPanel chat={chat} me={props.me} onTransfer={(body) => act("transfer", body)} />}
      {(panel === "close" || ended) && <ClosePanel id={chat.id} autoFocus={focusWrapup.current} onClose={(body) => act("close", body)} />}
      <ol class="messages" ref={list} aria-live="polite" aria-label="Messages" tabIndex={0}>
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
          {picker && (
            <ul class="canned" role="listbox" id={listId} aria-label="Canned responses">
              {canned.map((c, i) => (
                <li role="option" id={`${listId}-${c.id}`} aria-selected={i === active} class={i === active ? "on" : ""}
                  onMouseDown={(e) => e.preventDefault()} onClick={() => insert(c)}>
                  <b>/{c.shortcut}</b> {c.title}
                </li>
              ))}
            </ul>
          )}
          <p class="sr-only" role="status">{picker ? `${canned.length} canned responses: up and down to choose, Enter or Tab to insert, Escape to close.` : ""}</p>
          <textarea ref={box} rows={2} value={draft} aria-label={note ? "Internal note" : "Reply"}
            aria-autocomplete="list" aria-controls={picker ? listId : undefined}
            aria-activedescendant={picker ? `${listId}-${canned[Math.min(active, canned.length - 1)].id}` : undefined}
            placeholder={note ? "Internal note: only your team sees this" : "Reply, or / for canned responses"}
            onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)}
            onBlur={() => { if (!note) typing(false); }}
            onKeyDown={onKeyDown} />
          <div class="actions">
            <label class="toggle"><input type="checkbox" checked={note} onChange={() => { if (!note) typing(false); setNote(!note); }} /> Internal note</label>
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

type Target = { id: number; name: string; free: number; cap: number };

/** Agents a chat can go to: online, in a team I can see, not me; with their free chat slots. */
async function transferTargets(chat: Chat, me: Me, teams: { id: number }[]): Promise<Target[]> {
  const teamIds = [chat.team_id, ...(me.user.role === "admin" ? teams.map((t) => t.id) : me.user.team_ids)];
  const [users, ...queues] = await Promise.all([
    api("GET", "/users"),
    ...[...new Set(teamIds)].map((id) => api("GET", `/teams/${id}/queue`).catch(() => null)),
  ]);
  const routable = new Set<number>(users.filter((u: { role: string; is_active: boolean }) => u.is_active && (u.role === "agent" || u.role === "supervisor")).map((u: { id: number }) => u.id));
  const found = new Map<number, Target>();
  for (const q of queues) {
    for (const a of q?.agents ?? []) {
      if (a.status !== "online" || a.user_id === me.user.id || !routable.has(a.user_id) || found.has(a.user_id)) continue;
      found.set(a.user_id, { id: a.user_id, name: a.name, free: Math.max(0, a.cap - a.load), cap: a.cap });
    }
  }
  return [...found.values()].sort((a, b) => b.free - a.free || a.name.localeCompare(b.name));
}

function TransferPanel(props: { chat: Chat; me: Me; onTransfer: (body: unknown) => void }) {
  const [teams, setTeams] = useState<{ id: number; name: string }[]>([]);
  const [agents, setAgents] = useState<Target[] | null>(null);
  const [target, setTarget] = useState("");
  useEffect(() => {
    let alive = true;
    let all: { id: number; name: string }[] = [];
    const load = () => transferTargets(props.chat, props.me, all).then((a) => { if (alive) setAgents(a); }, () => undefined);
    api("GET", "/teams").then((t) => { all = t; if (alive) setTeams(t); void load(); });
    const timer = window.setInterval(load, 5000);
    return () => { alive = false; window.clearInterval(timer); };
  }, []);
  const free = (agents ?? []).filter((a) => a.free > 0);
  const full = (agents ?? []).filter((a) => a.free === 0);
  return (
    <form class="panel" onSubmit={(e) => {
      e.preventDefault();
      const data = new FormData(e.currentTarget as HTMLFormElement);
      const [kind, id] = target.split(":");
      if (!id) return;
      props.onTransfer({ [kind === "team" ? "team_id" : "agent_id"]: Number(id), note: data.get("note") });
    }}>
      <label>Transfer to
        <select name="target" required value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)}>
          <option value="">Choose an agent or a team…</option>
          <optgroup label="Agents online">
            {agents === null && <option disabled value="-">Loading…</option>}
            {agents !== null && free.length === 0 && <option disabled value="-">No one else is online with a free slot</option>}
            {free.map((a) => <option value={`agent:${a.id}`}>{a.name} ({a.free} of {a.cap} free)</option>)}
            {full.map((a) => <option disabled value={`agent:${a.id}`}>{a.name} (no free slot)</option>)}
          </optgroup>
          <optgroup label="Teams">{teams.map((t) => <option value={`team:${t.id}`}>{t.name} (queue)</option>)}</optgroup>
        </select>
      </label>
      <label>Handover note<textarea name="note" rows={2} maxLength={2000} placeholder="What has been done, what is next" /></label>
      <button type="submit" disabled={!target}>Transfer</button>
    </form>
  );
}

function ClosePanel(props: { id: number; autoFocus: boolean; onClose: (body: unknown) => void }) {
  const [codes, setCodes] = useState<{ code: string; label: string; active: boolean }[]>([]);
  const [code, setCode] = useState("");
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => { api("GET", "/resolution-codes").then((c) => setCodes(c.filter((x: { active: boolean }) => x.active))); }, []);
  useEffect(() => { if (props.autoFocus) select.current?.focus(); }, []);
  return (
    <form class="panel wrapup" aria-label="Wrap-up" onSubmit={(e) => {
      e.preventDefault();
      if (!code) return select.current?.focus();
      const data = new FormData(e.currentTarget as HTMLFormElement);
      props.onClose({ resolution_code: code, note: data.get("note") });
    }}>
      <strong>Wrap-up</strong>
      <label>Resolution
        {/* No code is chosen for the agent: closing needs a deliberate choice. */}
        <select ref={select} name="code" required value={code} aria-describedby={code ? undefined : `wrapup-hint-${props.id}`}
          onChange={(e) => setCode((e.target as HTMLSelectElement).value)}>
          <option value="">Choose a resolution…</option>
          {codes.map((c) => <option value={c.code}>{c.label}</option>)}
        </select>
      </label>
      <label>Root cause / notes<textarea name="note" rows={2} maxLength={2000} /></label>
      {!code && <p class="hint muted" id={`wrapup-hint-${props.id}`}>Choose a resolution to close the chat.</p>}
      <button type="submit" disabled={!code}>Close chat</button>
    </form>
  );
}
