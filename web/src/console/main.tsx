// The agent console: login, status, my chats side by side, canned replies, notes, customer panel,
// transfer, wrap-up; and a live supervisor view of queues and agents.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { isConversationEvent } from "../shared/events";
import type { ConversationEvent, InboxEvent } from "../shared/generated/protocol";
import { Connection, type Page, type State, wsUrl } from "../shared/protocol";
import { INBOX, conversationOf, conversationStream } from "../shared/streams";
import type { TransportKind } from "../shared/transport";
import { api, csrfHeader, setCsrf } from "./api";
import { ChatPane, type Chat } from "./chat";
import { askPermission, notify } from "./notify";
import { applyInbox, dedupeChats, openPanes, seenMessage } from "./state";
import { Admin } from "./screens/admin/Admin";
import { History } from "./screens/history/History";
import { Queue } from "./screens/queue/Queue";
import { Supervisor } from "./supervisor";
import "./console.css";

/** `GET /me` (and the login answer). `inbox_last_seq`: where the inbox stream stood then. */
export type Me = { user: { id: number; name: string; role: string; team_ids: number[] }; status: string; inbox_last_seq?: number; capabilities?: string[] };
/** `GET /me` and `POST /auth/login` also give the token writes must send back. */
type Session = Me & { csrf_token: string };

function Login(props: { onLogin: (me: Me) => void }) {
  const [error, setError] = useState("");
  return (
    <main class="login">
      <form onSubmit={async (e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget as HTMLFormElement);
        try {
          const me = await api<Session>("POST", "/auth/login", { email: data.get("email"), password: data.get("password") });
          setCsrf(me.csrf_token);
          props.onLogin(me);
        } catch (err) {
          setError(err instanceof Error ? err.message : String(err));
        }
      }}>
        <h1>Helpline</h1>
        <label>Email<input name="email" type="email" autoComplete="username" required /></label>
        <label>Password<input name="password" type="password" autoComplete="current-password" required /></label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit">Log in</button>
      </form>
    </main>
  );
}

function Console(props: { me: Me; onLogout: () => void }) {
  const [status, setStatus] = useState(props.me.status);
  const [missed, setMissed] = useState(false);
  const [chats, setChats] = useState<Chat[]>([]);
  const [events, setEvents] = useState<Record<number, ConversationEvent[]>>({});
  const [unread, setUnread] = useState<Record<number, number>>({});
  const [openIds, setOpenIds] = useState<number[]>([]);
  const [current, setCurrent] = useState<number | null>(null);
  const [typing, setTyping] = useState<Record<number, boolean>>({});
  const [seen, setSeen] = useState<Record<number, number>>({}); // the visitor's reads, staff seq
  const [conn, setConn] = useState<State>("connecting");
  const [transport, setTransport] = useState<TransportKind>("websocket");
  const [view, setView] = useView(props.me);
  const views = useRef<HTMLElement>(null);
  // On a phone the views scroll sideways: keep the current one in sight.
  useEffect(() => { views.current?.querySelector(".tab.on")?.scrollIntoView({ block: "nearest", inline: "nearest" }); }, [view]);
  const [queueTick, setQueueTick] = useState(0);
  const connection = useRef<Connection | null>(null);
  const focused = useRef<number | null>(null);
  const refreshing = useRef<Promise<void> | null>(null);
  const again = useRef(false);
  const supervises = supervisesOf(props.me);

  async function load() {
    const mine = dedupeChats(await api<Chat[]>("GET", `/conversations?agent_id=${props.me.user.id}&state=assigned&state=active&state=wrap-up&limit=50`));
    setChats(mine);
    setOpenIds((ids) => openPanes(ids, mine));
    mine.forEach((c) => connection.current?.subscribe(conversationStream(c.id), 0));
  }

  /** Reload my chats; calls while one is running coalesce into one more. */
  function refresh(): Promise<void> {
    if (refreshing.current) {
      again.current = true;
      return refreshing.current;
    }
    refreshing.current = load()
      .catch(() => undefined)
      .finally(() => {
        refreshing.current = null;
        if (again.current) {
          again.current = false;
          void refresh();
        }
      });
    return refreshing.current;
  }

  useEffect(() => {
    askPermission();
    const c = new Connection(wsUrl(), null, {
      onState: (state) => {
        setConn(state);
        setTransport(c.transport);
      },
      headers: csrfHeader,
      onEvent: (stream, e, replay) => {
        if (!isConversationEvent(e)) {
          if (stream === INBOX) onInbox(e);
          return;
        }
        const id = conversationOf(stream);
        if (id === null) return;
        setEvents((old) => ({ ...old, [id]: [...(old[id] ?? []), e] }));
        if (e.type === "message" && e.sender.kind === "visitor" && !replay) {
          setTyping((t) => ({ ...t, [id]: false }));
          if (focused.current !== id || document.hidden) {
            setUnread((u) => ({ ...u, [id]: (u[id] ?? 0) + 1 }));
            notify("New message", e.text);
          }
        }
        if (["ended", "agent_joined", "closed"].includes(e.type) && !replay) void refresh();
      },
      onFrame: (f) => {
        if (f.type === "typing" && f.by === "visitor") setTyping((t) => ({ ...t, [f.conversation_id]: f.active }));
        if (f.type === "queue_summary") setQueueTick((n) => n + 1);
        if (f.type === "read" && f.by === "visitor") setSeen((s) => ({ ...s, [f.conversation_id]: Math.max(s[f.conversation_id] ?? 0, f.seq) }));
        // Subscribed again after a reconnect (or a `reload` that skipped events): what changed
        // meanwhile is in the REST list.
        if (f.type === "subscribed" && f.stream === INBOX) void refresh();
      },
      onReset: (stream) => {
        const id = conversationOf(stream);
        if (id !== null) setEvents((old) => ({ ...old, [id]: [] }));
      },
      // A conversation's history can be read over REST after a `reload`; the inbox's cannot,
      // and need not be: the chat list is read over REST anyway.
      history: (stream) => {
        const id = conversationOf(stream);
        return id !== null ? (after) => api<Page>("GET", `/conversations/${id}/events?after=${after}`) : null;
      },
    });
    connection.current = c;
    // Only what happens from now on: the chats so far come from the REST list, read after
    // this subscription (once it is confirmed, and at once for a quick first paint).
    c.subscribe(INBOX, props.me.inbox_last_seq ?? 0);
    void refresh();
    return () => c.close();
  }, []);

  /** The inbox is followed from where it stood when the page read /me: every event is news to
   *  this page, replayed (missed while reconnecting) or not. */
  function onInbox(e: InboxEvent) {
    if (e.type === "conversation.offered") notify("New chat", e.conversation.topic || "A visitor is waiting");
    if (e.type === "status") {
      setStatus(e.status);
      setMissed(e.status === "away" && e.reason === "missed_chat");
    } else {
      setChats((old) => applyInbox(old, e, props.me.user.id));
      if (e.type !== "conversation.removed") {
        const id = e.conversation.conversation_id;
        setOpenIds((ids) => (ids.includes(id) || ids.length >= 4 ? ids : [...ids, id]));
        connection.current?.subscribe(conversationStream(id), 0);
      }
    }
    void refresh();
  }

  async function changeStatus(next: string) {
    await api("PUT", "/me/status", { status: next });
    setStatus(next);
    setMissed(false);
    void refresh();
  }

  function focus(id: number) {
    focused.current = id;
    setCurrent(id);
    setUnread((u) => ({ ...u, [id]: 0 }));
    const messages = (events[id] ?? []).filter((e) => e.type === "message");
    const last = messages[messages.length - 1];
    if (last) connection.current?.raw({ type: "read", conversation_id: id, seq: last.seq });
  }

  // The chat shown when only one fits (narrow screens): the one last chosen, else the first.
  const shown = current !== null && openIds.includes(current) ? current : openIds[0] ?? null;

  return (
    <div class="console">
      <header class="top">
        <h1 class="brand">Helpline</h1>
        <nav aria-label="Views" ref={views}>
          <button class={view === "chats" ? "tab on" : "tab"} aria-current={view === "chats" ? "page" : undefined} onClick={() => setView("chats")}>My chats</button>
          <button class={view === "queue" ? "tab on" : "tab"} aria-current={view === "queue" ? "page" : undefined} onClick={() => setView("queue")}>Queue</button>
          <button class={view === "history" ? "tab on" : "tab"} aria-current={view === "history" ? "page" : undefined} onClick={() => setView("history")}>History</button>
          {supervises && <button class={view === "supervisor" ? "tab on" : "tab"} aria-current={view === "supervisor" ? "page" : undefined} onClick={() => setView("supervisor")}>Supervisor</button>}
          {administers(props.me) && <button class={view === "admin" ? "tab on" : "tab"} aria-current={view === "admin" ? "page" : undefined} onClick={() => setView("admin")}>Admin</button>}
        </nav>
        {conn !== "open" && <span class="conn" role="status">{conn === "reconnecting" ? "Reconnecting…" : "Connecting…"}</span>}
        {conn === "open" && transport === "sse" && <span class="conn fallback" title="This network blocks WebSockets: chats go over plain HTTP, and WebSockets are tried again now and then.">HTTP</span>}
        <label class="status"><span class="status-word">Status</span>
          <select value={status} onChange={(e) => changeStatus((e.target as HTMLSelectElement).value)} aria-label="Your status">
            <option value="online">Online</option><option value="away">Away</option><option value="offline">Offline</option>
          </select>
        </label>
        <span class="me" title={props.me.user.name}>{props.me.user.name}</span>
        <button class="link" onClick={async () => { await api("POST", "/auth/logout"); props.onLogout(); }}>Log out</button>
      </header>
      {missed && status === "away" && (
        <div class="notice" role="alert">
          <p>You were set to <strong>Away</strong> because you missed a chat: it was not accepted in time and went to someone else. You get no new chats while away.</p>
          <button onClick={() => changeStatus("online")}>Go online</button>
          <button class="link" onClick={() => setMissed(false)}>Dismiss</button>
        </div>
      )}
      {view === "queue" && <Queue me={props.me} tick={queueTick} onPicked={(id) => { setView("chats"); setOpenIds((ids) => ids.includes(id) ? ids : [id, ...ids].slice(0, 4)); void refresh(); }} />}
      {view === "history" && <History />}
      {view === "admin" && <Admin />}
      {view === "supervisor" && <Supervisor me={props.me} tick={queueTick} />}
      {view === "chats" && (
        <div class="workspace">
          <aside class="list" aria-label="My chats">
            <h2>My chats</h2>
            {chats.length === 0 && <p class="muted">{status === "online" ? "Waiting for chats…" : "Go online to receive chats."}</p>}
            <ul>
              {chats.map((c) => (
                <li key={c.id}>
                  <button class={c.id === shown ? "item on" : "item"} aria-current={c.id === shown ? "true" : undefined} onClick={() => { setOpenIds((ids) => ids.includes(c.id) ? ids : [c.id, ...ids].slice(0, 4)); focus(c.id); }}>
                    <span class="title">#{c.id} {c.topic || "chat"}</span>
                    <span class={`state ${c.state}`}>{c.state === "assigned" ? "new" : c.state}</span>
                    <Waiting since={c.state === "assigned" ? c.assigned_at : unanswered(events[c.id] ?? [])} />
                    {(unread[c.id] ?? 0) > 0 && <span class="badge" aria-label={`${unread[c.id]} unread`}>{unread[c.id]}</span>}
                  </button>
                </li>
              ))}
            </ul>
          </aside>
          <main class="panes">
            {openIds.map((id) => {
              const chat = chats.find((c) => c.id === id);
              if (!chat || !connection.current) return null;
              return <ChatPane key={id} chat={chat} me={props.me} events={events[id] ?? []} typing={typing[id] ?? false}
                seen={seenMessage(events[id] ?? [], seen[id] ?? 0, chat.visitor_read_seq ?? 0)}
                current={id === shown} connection={connection.current} onFocus={() => focus(id)} onChanged={refresh}
                onClose={() => setOpenIds((ids) => ids.filter((x) => x !== id))} />;
            })}
          </main>
        </div>
      )}
    </div>
  );
}

type View = "chats" | "queue" | "history" | "supervisor" | "admin";

/** Who sees which screen: the server says what the user may do (`capabilities`). */
function supervisesOf(me: Me): boolean {
  return (me.capabilities ?? []).includes("manage_team_chats");
}

function administers(me: Me): boolean {
  return (me.capabilities ?? []).includes("administer");
}

/** The screen shown, kept in the address (`#/history`), so reload and Back keep it. */
function useView(me: Me): [View, (v: View) => void] {
  const read = (): View => {
    const name = window.location.hash.replace(/^#\/?/, "");
    if (name === "history" || name === "queue") return name;
    if (name === "supervisor" && supervisesOf(me)) return "supervisor";
    if (name === "admin" && administers(me)) return "admin";
    return "chats";
  };
  const [view, setView] = useState<View>(read);
  useEffect(() => {
    const follow = () => setView(read());
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);
  return [view, (v: View) => { window.location.hash = `/${v}`; setView(v); }];
}

/** When the visitor's oldest message still without an agent reply was sent, or null. */
function unanswered(events: ConversationEvent[]): string | null {
  let since: string | null = null;
  for (const e of events) {
    if (e.type !== "message") continue;
    if (e.sender.kind === "agent") since = null;
    else if (since === null) since = e.created_at;
  }
  return since;
}

function Waiting(props: { since: string | null }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = window.setInterval(() => tick((n) => n + 1), 1000);
    return () => window.clearInterval(t);
  }, []);
  if (!props.since) return null;
  const s = Math.max(0, Math.round((Date.now() - new Date(props.since).getTime()) / 1000));
  return <span class="waiting" title="Waiting for a reply">{s < 60 ? `${s}s` : `${Math.floor(s / 60)}m`}</span>;
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    api<Session>("GET", "/me").then((m) => { setCsrf(m.csrf_token); setMe(m); }, () => setMe(null));
  }, []);
  if (me === undefined) return <p class="muted">Loading…</p>;
  if (me === null) return <Login onLogin={setMe} />;
  return <Console me={me} onLogout={() => setMe(null)} />;
}

render(<App />, document.getElementById("app")!);
