// One open chat: history, composer with canned replies and notes, customer panel, transfer, wrap-up.
import { useEffect, useRef, useState } from "preact/hooks";
import { sendsOnEnter, useTypingNotices } from "../shared/composer";
import { senderName, systemLine } from "../shared/events";
import type { ConversationEvent, ErrorFrame } from "../shared/generated/protocol";
import { Bubble, MessageList, SystemLine } from "../shared/messages";
import type { Connection } from "../shared/protocol";
import { clock } from "../shared/text";
import { api } from "./api";
import type { Me } from "./main";
import { type Chat, type TransferTarget, keepTarget, transferGroups } from "./state";

export type { Chat };
type Canned = { id: number; shortcut: string; title: string; body: string };
/** `POST /canned-responses/{id}/render`: the text, and the variables it could not fill in. */
type Rendered = { text: string; missing: string[] };
type Customer = { name: string; email: string; tier: string; account_status: string; external_id: string | null; past: { id: number; state: string; topic: string; created_at: string }[] };
type TeamName = { id: number; name: string };
type ResolutionCode = { code: string; label: string; active: boolean };

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const CANNED_QUERY = /^[/#]([a-z0-9_-]*)$/;
const TYPING_IDLE_MS = 4000;

export function ChatPane(props: { chat: Chat; me: Me; events: ConversationEvent[]; typing: boolean; seen: number | null; current: boolean; connection: Connection; onFocus: () => void; onChanged: () => void; onClose: () => void }) {
  const { chat } = props;
  const [draft, setDraft] = useState("");
  const [note, setNote] = useState(false);
  const [canned, setCanned] = useState<Canned[]>([]);
  const [active, setActive] = useState(0);
  const [error, setError] = useState("");
  const [panel, setPanel] = useState<"none" | "customer" | "transfer" | "close">("none");
  const box = useRef<HTMLTextAreaElement>(null);
  const query = useRef(0); // the newest canned-response lookup; older answers are dropped
  const dismissed = useRef(false); // Escape closed the picker: send this draft as typed
  // Tell the visitor the agent is typing (at most every 2 s), and that they stopped.
  const notices = useTypingNotices((active) => props.connection.raw({ type: "typing", conversation_id: chat.id, active }), { idleMs: TYPING_IDLE_MS });
  const focusWrapup = useRef(false);
  const visitor = props.events.find((e) => e.sender.kind === "visitor");
  const visitorName = (visitor && senderName(visitor.sender)) || "Visitor";
  const listId = `canned-${chat.id}`;

  function closePicker() {
    query.current += 1;
    setCanned([]);
  }

  async function lookup(value: string): Promise<Canned[]> {
    const m = CANNED_QUERY.exec(value.trim());
    if (!m) return [];
    return api<Canned[]>("GET", `/canned-responses?q=${encodeURIComponent(m[1])}`).catch(() => []);
  }

  async function onInput(value: string) {
    setDraft(value);
    dismissed.current = false;
    if (!note && chat.state !== "wrap-up") notices.changed(value.trim() !== "");
    const n = ++query.current;
    const found = CANNED_QUERY.test(value.trim()) ? await lookup(value) : [];
    if (n !== query.current) return;
    setCanned(found);
    setActive(0);
  }

  async function insert(c: Canned) {
    closePicker();
    try {
      const out = await api<Rendered>("POST", `/canned-responses/${c.id}/render`, { conversation_id: chat.id });
      setDraft(out.text);
      setError(out.missing.length ? `Not filled in: ${out.missing.join(", ")}` : "");
    } catch (err) {
      setError(errorText(err));
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
    if (!note) notices.stop();
    props.connection.send(chat.id, text, note ? "note" : "send").then(
      () => { if (chat.state === "assigned") props.onChanged(); },
      (err: ErrorFrame) => { setDraft(text); setError(err.message); },
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
    if (sendsOnEnter(e)) void send(e);
  }

  async function act(path: string, body?: unknown) {
    // The wrap-up form may appear before the answer does (the inbox tells of the new state).
    if (path === "end") focusWrapup.current = true;
    try {
      setError("");
      await api("POST", `/conversations/${chat.id}/${path}`, body);
      setPanel("none");
      props.onChanged();
      // The button just used is gone: keep the keyboard in this chat.
      if (path === "accept") window.setTimeout(() => box.current?.focus(), 0);
    } catch (err) {
      if (path === "end") focusWrapup.current = false;
      setError(errorText(err));
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
      {panel === "transfer" && !ended && <TransferPanel chat={chat} onTransfer={(body) => act("transfer", body)} />}
      {(panel === "close" || ended) && <ClosePanel id={chat.id} autoFocus={focusWrapup.current} onClose={(body) => act("close", body)} />}
      <MessageList count={props.events.length} typing={props.typing ? visitorName : null} focusable>
        {props.events.map((e) => {
          if (e.type === "message" || e.type === "note") {
            const who = e.type === "note" ? `Note · ${senderName(e.sender) ?? ""}` : senderName(e.sender) ?? "Visitor";
            const meta = `${clock(e.created_at)}${e.data?.masked.length ? " · sensitive data masked" : ""}`;
            const message = <Bubble key={e.seq} kind={e.type} mine={e.sender.kind === "agent"} who={who} text={e.text} meta={meta} />;
            if (e.seq !== props.seen) return message;
            return [message, <li key={`seen-${e.seq}`} class="seen" title={`${visitorName} has read up to here`}>Seen</li>];
          }
          if (e.type === "transferred") return <Bubble key={e.seq} kind="note handover" who="Handover note" text={e.text ?? "(no note)"} />;
          const text = systemLine(e, "staff");
          return text ? <SystemLine key={e.seq} text={text} /> : null;
        })}
      </MessageList>
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
            onBlur={() => { if (!note) notices.stop(); }}
            onKeyDown={onKeyDown} />
          <div class="actions">
            <label class="toggle"><input type="checkbox" checked={note} onChange={() => { if (!note) notices.stop(); setNote(!note); }} /> Internal note</label>
            <button type="submit">{note ? "Add note" : "Send"}</button>
          </div>
        </form>
      )}
    </section>
  );
}

function CustomerPanel(props: { id: number }) {
  const [c, setC] = useState<Customer | null>(null);
  useEffect(() => { api<Customer>("GET", `/conversations/${props.id}/customer`).then(setC); }, [props.id]);
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

/** Transfer to an agent who can take the chat now (any team: the chat joins theirs), or to a
 *  team's queue. The agents are read when the menu opens, and again when its list is focused. */
function TransferPanel(props: { chat: Chat; onTransfer: (body: unknown) => void }) {
  const [teams, setTeams] = useState<TeamName[]>([]);
  const [targets, setTargets] = useState<TransferTarget[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [target, setTarget] = useState("");
  const asked = useRef(0);
  const alive = useRef(true);

  function load() {
    const n = ++asked.current;
    api<TransferTarget[]>("GET", `/conversations/${props.chat.id}/transfer-targets`).then(
      (t) => { if (alive.current && n === asked.current) { setTargets(t); setFailed(false); } },
      () => { if (alive.current && n === asked.current) setFailed(true); },
    );
  }

  useEffect(() => {
    load();
    api<TeamName[]>("GET", "/teams").then((t) => { if (alive.current) setTeams(t); }, () => undefined);
    return () => { alive.current = false; };
  }, []);

  const names = Object.fromEntries(teams.map((t) => [t.id, t.name]));
  const groups = transferGroups(targets ?? [], props.chat.team_id, names);
  // An agent chosen before the list was read again may have no free slot now.
  useEffect(() => setTarget((t) => keepTarget(t, groups)), [targets]);
  const anyFree = groups.some((g) => g.options.some((o) => !o.disabled));
  return (
    <form class="panel" onSubmit={(e) => {
      e.preventDefault();
      const data = new FormData(e.currentTarget as HTMLFormElement);
      const [kind, id] = target.split(":");
      if (!id) return;
      props.onTransfer({ [kind === "team" ? "team_id" : "agent_id"]: Number(id), note: data.get("note") });
    }}>
      <label>Transfer to
        <select name="target" required value={target} onFocus={load} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)}>
          <option value="">Choose an agent or a team…</option>
          {(targets === null || !anyFree) && (
            <optgroup label="Agents online">
              <option disabled value="-">{targets === null ? (failed ? "Could not load the agents" : "Loading…") : "No one else is online with a free slot"}</option>
            </optgroup>
          )}
          {groups.map((g) => (
            <optgroup key={g.team_id} label={g.label}>
              {g.options.map((o) => <option key={o.value} value={o.value} disabled={o.disabled}>{o.label}</option>)}
            </optgroup>
          ))}
          <optgroup label="Team queues">{teams.map((t) => <option key={`team:${t.id}`} value={`team:${t.id}`}>{t.name} (queue)</option>)}</optgroup>
        </select>
      </label>
      <label>Handover note<textarea name="note" rows={2} maxLength={2000} placeholder="What has been done, what is next" /></label>
      <button type="submit" disabled={!target}>Transfer</button>
    </form>
  );
}

function ClosePanel(props: { id: number; autoFocus: boolean; onClose: (body: unknown) => void }) {
  const [codes, setCodes] = useState<ResolutionCode[]>([]);
  const [code, setCode] = useState("");
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => { api<ResolutionCode[]>("GET", "/resolution-codes").then((c) => setCodes(c.filter((x) => x.active))); }, []);
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
