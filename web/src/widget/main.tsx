// The visitor widget, running inside the iframe that /widget.js creates.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { type LengthCheck, checkLength, lengthText, sendsOnEnter, tooLongText, useTypingNotices } from "../shared/composer";
import { humanise, isConversationEvent, senderName, systemLine } from "../shared/events";
import type { ChatEvent, ErrorFrame, ServerFrame } from "../shared/generated/protocol";
import { ApiError, errorMessage } from "../shared/http";
import { Bubble, MessageList, SystemLine } from "../shared/messages";
import { Connection, type Page, type State, newId, wsUrl } from "../shared/protocol";
import { ReadReceipts, readTarget } from "../shared/receipts";
import { conversationStream } from "../shared/streams";
import { clock } from "../shared/text";
import { call, save, saved } from "./api";
import { type Line, unacknowledged, withEvent, withFailure, withPending } from "./lines";
import { type Config, DEFAULT_CONFIG, colours, prechatFields } from "./settings";
import "./widget.css";

/** `POST /conversations`: the new chat, and the visitor's token when the visitor is new. */
type Started = { conversation: { id: number }; visitor_token: string | null };
type Queue = { position: number; ewt_s: number | null; agents_online: number };
type Stage = "form" | "chat" | "rating" | "thanks";

function tellParent(message: Record<string, unknown>): void {
  window.parent.postMessage({ source: "helpline", ...message }, "*");
}

function waitText(q: Queue): string {
  if (q.ewt_s === null) return "No one is online right now. Your message waits in the queue, and an agent will answer here in this chat as soon as one is online. You can leave this page: the chat will still be here when you come back.";
  const when = q.ewt_s < 60 ? `${q.ewt_s} seconds` : `${Math.round(q.ewt_s / 60)} minute${q.ewt_s >= 90 ? "s" : ""}`;
  return `You are number ${q.position} in line. Be with you in about ${when}.`;
}

function App() {
  const [open, setOpen] = useState(false);
  const [stage, setStage] = useState<Stage>("form");
  const [lines, setLines] = useState<Line[]>([]);
  const [queue, setQueue] = useState<Queue | null>(null);
  const [typing, setTyping] = useState<string | null>(null);
  const [conn, setConn] = useState<State>("connecting");
  const [unread, setUnread] = useState(0);
  const [config, setConfig] = useState<Config>(DEFAULT_CONFIG);
  // The launcher waits for the settings, so it never shows in one colour and corner, then another.
  const [ready, setReady] = useState(false);
  const [error, setError] = useState("");
  const [visible, setVisible] = useState(!document.hidden);
  const session = useRef<{ token: string; id: number; c: Connection; receipts: ReadReceipts } | null>(null);
  const openRef = useRef(open);
  openRef.current = open;

  useEffect(() => {
    const update = () => setVisible(!document.hidden);
    document.addEventListener("visibilitychange", update);
    return () => document.removeEventListener("visibilitychange", update);
  }, []);

  // Tell the agent how far the visitor has read: once new agent messages are on screen (the
  // widget open, the page visible), at most once a second.
  useEffect(() => {
    const s = session.current;
    if (!s || !open || !visible || (stage !== "chat" && stage !== "rating")) return;
    const seq = readTarget(lines.map((l) => l.event), s.receipts.position);
    if (seq !== null) s.receipts.seen(seq);
  }, [lines, open, visible, stage]);

  useEffect(() => {
    call<Partial<Config>>("GET", "/config", null)
      .then((c) => setConfig({ ...DEFAULT_CONFIG, ...c }))
      .catch(() => undefined)
      .finally(() => setReady(true));
    const s = saved();
    if (s) resume(s.token, s.conversationId);
  }, []);

  useEffect(() => tellParent({ type: "resize", open }), [open]);

  useEffect(() => {
    for (const [name, value] of Object.entries(colours(config))) document.documentElement.style.setProperty(name, value);
    tellParent({ type: "place", side: config.position });
  }, [config]);

  // Keyboard focus follows the widget: into the panel when it opens, back to the launcher when
  // it is minimized.
  const panel = useRef<HTMLElement>(null);
  const launcher = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open) panel.current?.querySelector<HTMLElement>("input, textarea, select, button:not(.icon)")?.focus();
    else if (wasOpen.current) launcher.current?.focus();
    wasOpen.current = open;
  }, [open]);

  function onEvent(_stream: string, e: ChatEvent, replay = false) {
    if (!isConversationEvent(e)) return;
    const fromAgent = e.type === "message" && e.sender.kind === "agent";
    if (fromAgent && !openRef.current && !replay) setUnread((n) => n + 1);
    if (fromAgent) showTyping(null);
    if (e.type === "agent_joined") setQueue(null);
    if (e.type === "ended") setStage("rating");
    setLines((old) => withEvent(old, e));
  }

  // The agent's "is typing" fades by itself too, in case their "stopped" never arrives.
  const typingTimer = useRef(0);
  function showTyping(name: string | null) {
    window.clearTimeout(typingTimer.current);
    setTyping(name);
    if (name) typingTimer.current = window.setTimeout(() => setTyping(null), 8000);
  }

  function onFrame(f: ServerFrame) {
    if (f.type === "read" && f.by === "visitor") session.current?.receipts.recorded(f.seq);
    if (f.type === "queue") setQueue({ position: f.position, ewt_s: f.ewt_s, agents_online: f.agents_online });
    if (f.type === "typing" && f.by === "agent") showTyping(f.active ? f.name ?? "Agent" : null);
  }

  async function resume(token: string, id: number) {
    try {
      const mine = await call<{ id: number; state: string }[]>("GET", "/conversations", token);
      const conv = mine.find((c) => c.id === id);
      if (!conv || conv.state === "closed" || conv.state === "abandoned") {
        save(null);
        return;
      }
      connect(token, id);
      setStage(conv.state === "wrap-up" ? "rating" : "chat");
    } catch {
      save(null);
    }
  }

  function connect(token: string, id: number) {
    const c: Connection = new Connection(wsUrl(), token, {
      onEvent,
      onFrame,
      onState: (state) => {
        setConn(state);
        if (state === "open") session.current?.receipts.retry();
      },
      onReset: () => setLines(unacknowledged),
      // After a `reload`, the history comes over REST, page by page.
      history: () => (after) => call<Page>("GET", `/conversations/${id}/events?after=${after}`, token),
    });
    const receipts = new ReadReceipts((seq) => {
      if (c.state !== "open") return false;
      c.raw({ type: "read", conversation_id: id, seq });
      return true;
    });
    c.subscribe(conversationStream(id), 0);
    session.current = { token, id, c, receipts };
  }

  async function start(form: { name: string; email: string; topic: string; message: string }) {
    setError("");
    try {
      const body: Record<string, string> = { name: form.name, email: form.email };
      if (form.topic) body.topic = form.topic;
      const known = saved()?.token ?? null;
      const started = await call<Started>("POST", "/conversations", known, body);
      const token = started.visitor_token ?? known;
      if (!token) throw new Error("The chat could not be started. Please try again.");
      save({ token, conversationId: started.conversation.id });
      connect(token, started.conversation.id);
      setStage("chat");
      if (form.message.trim()) send(form.message);
    } catch (err) {
      setError(err instanceof ApiError && err.code === "rate_limited" ? "Please wait a moment before starting another chat." : errorMessage(err));
    }
  }

  function send(text: string) {
    const s = session.current;
    if (!s || !text.trim()) return;
    const key = newId();
    setLines((old) => withPending(old, key, text));
    s.c.send(s.id, text, "send", key).then(
      (ack) => onEvent("", ack.event),
      (err: ErrorFrame) => setLines((old) => withFailure(old, key, err.message)),
    );
  }

  async function end() {
    const s = session.current;
    if (!s) return;
    const reply = await s.c.request({ type: "end", conversation_id: s.id });
    if (reply.type === "ok" && reply.state === "abandoned") finish();
    else setStage("rating");
  }

  function finish() {
    session.current?.c.close();
    session.current?.receipts.stop();
    session.current = null;
    save(null);
    setLines([]);
    setQueue(null);
    setStage("thanks");
  }

  async function rate(rating: number, comment: string) {
    const s = session.current;
    if (s && rating) await call("POST", `/conversations/${s.id}/csat`, s.token, { rating, comment }).catch(() => undefined);
    finish();
  }

  return (
    <div class={`widget ${open ? "open" : "closed"} ${config.position}`}>
      {open && (
        <section class="panel" role="dialog" aria-label="Chat with support" ref={panel}
          onKeyDown={(e) => { if (e.key === "Escape" && !e.defaultPrevented) setOpen(false); }}>
          <header>
            <h1>{config.greeting}</h1>
            <button class="icon" aria-label="Minimize chat" onClick={() => setOpen(false)}>–</button>
          </header>
          {conn === "reconnecting" && stage === "chat" && (
            <p class="banner warn" role="status">Reconnecting… your messages are kept and will be sent.</p>
          )}
          {stage === "form" && <PreChat config={config} error={error} onStart={start} />}
          {(stage === "chat" || stage === "rating") && (
            <Chat lines={lines} limit={config.max_message_chars} queue={queue} typing={typing} ended={stage === "rating"} onSend={send} onEnd={end}
              onTyping={(active) => session.current?.c.raw({ type: "typing", conversation_id: session.current.id, active })} />
          )}
          {stage === "rating" && <Rating onRate={rate} />}
          {stage === "thanks" && (
            <div class="thanks">
              <p>Thank you for chatting with us.</p>
              <button onClick={() => setStage("form")}>Start a new chat</button>
            </div>
          )}
        </section>
      )}
      {!open && ready && (
        <button class="launcher" ref={launcher} aria-label={unread ? `Open chat, ${unread} unread messages` : "Open chat"}
          onClick={() => { setOpen(true); setUnread(0); }}>
          <ChatIcon />
          {unread > 0 && <span class="badge">{unread}</span>}
        </button>
      )}
    </div>
  );
}

function PreChat(props: { config: Config; error: string; onStart: (f: { name: string; email: string; topic: string; message: string }) => void }) {
  const away = !props.config.available;
  const fields = prechatFields(props.config);
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState("");
  const message = useRef<HTMLTextAreaElement>(null);
  const length = checkLength(draft, props.config.max_message_chars);
  return (
    <form class="prechat" onSubmit={async (e) => {
      e.preventDefault();
      const data = new FormData(e.currentTarget as HTMLFormElement);
      if (length.over) return message.current?.focus();
      setBusy(true);
      await props.onStart({ name: String(data.get("name") ?? ""), email: String(data.get("email") ?? ""), topic: String(data.get("topic") ?? ""), message: String(data.get("message") ?? "") });
      setBusy(false);
    }}>
      <p>{away ? "No one is online right now. Leave a message: it waits in the queue, and an agent will answer here in this chat as soon as one is online. The chat will still be here when you come back to this page." : "Tell us a little about you and we will connect you with someone."}</p>
      {fields.name.shown && <label>Name<input name="name" autoComplete="name" maxLength={100} required={fields.name.required} /></label>}
      {fields.email.shown && <label>Email<input name="email" type="email" autoComplete="email" maxLength={254} required={fields.email.required} /></label>}
      {props.config.topics.length > 0 && (
        <label>Topic
          <select name="topic">
            <option value="">Something else</option>
            {props.config.topics.map((t) => <option value={t}>{humanise(t)}</option>)}
          </select>
        </label>
      )}
      <label>{away ? "Message" : "How can we help? (optional)"}
        <textarea name="message" rows={3} required={away} ref={message} value={draft} aria-invalid={length.over || undefined}
          aria-describedby={length.near ? "hl-first-length" : undefined} onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)} />
      </label>
      <LengthNotice id="hl-first-length" check={length} />
      {props.error && <p class="error" role="alert">{props.error}</p>}
      <button type="submit" disabled={busy}>{away ? "Leave a message" : "Start chat"}</button>
    </form>
  );
}

function Chat(props: { lines: Line[]; limit: number; queue: Queue | null; typing: string | null; ended: boolean; onSend: (t: string) => void; onEnd: () => void; onTyping: (a: boolean) => void }) {
  const [draft, setDraft] = useState("");
  const notices = useTypingNotices(props.onTyping);
  const box = useRef<HTMLTextAreaElement>(null);
  const length = checkLength(draft, props.limit);
  // The pre-chat form that had the focus is gone: continue in the composer.
  useEffect(() => { if (!document.activeElement || document.activeElement === document.body) box.current?.focus(); }, []);
  function submit(e: { preventDefault(): void }) {
    e.preventDefault();
    if (!draft.trim()) return;
    // Too long: nothing is sent or cut; the notice says by how much, the draft stays to edit.
    if (length.over) return box.current?.focus();
    props.onSend(draft);
    notices.stop();
    setDraft("");
  }
  return (
    <>
      {props.queue && !props.ended && <p class="banner" role="status" aria-live="polite">{waitText(props.queue)}</p>}
      <MessageList count={props.lines.length} typing={props.typing}>
        {props.lines.map((l) => {
          const system = l.event ? systemLine(l.event, "visitor") : null;
          if (system) return <SystemLine key={l.key} text={system} />;
          if (l.event && l.event.type !== "message") return null;
          const meta = l.failed ? `Not sent: ${l.failed}` : l.pending ? "Sending…" : l.event ? clock(l.event.created_at) : "";
          const who = l.mine ? undefined : (l.event && senderName(l.event.sender)) ?? "Agent";
          return <Bubble key={l.key} mine={l.mine} state={l.pending ? "pending" : undefined} who={who} text={l.text} meta={meta} />;
        })}
      </MessageList>
      {!props.ended && (
        <form class="composer" onSubmit={submit}>
          <label class="sr-only" for="hl-draft">Your message</label>
          <textarea id="hl-draft" ref={box} rows={2} value={draft} placeholder="Type your message…" aria-invalid={length.over || undefined}
            aria-describedby={length.near ? "hl-draft-length" : undefined}
            onInput={(e) => {
              setDraft((e.target as HTMLTextAreaElement).value);
              notices.changed(true);
            }}
            onKeyDown={(e) => { if (sendsOnEnter(e)) submit(e); }} />
          <LengthNotice id="hl-draft-length" check={length} />
          <div class="actions">
            <button type="button" class="link" onClick={props.onEnd}>End chat</button>
            <button type="submit" aria-label="Send message">Send</button>
          </div>
        </form>
      )}
    </>
  );
}

function Rating(props: { onRate: (rating: number, comment: string) => void }) {
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState("");
  return (
    <form class="rating" onSubmit={(e) => { e.preventDefault(); if (rating) props.onRate(rating, comment); }}>
      <fieldset>
        <legend>How did we do?</legend>
        <div class="stars">
          {[1, 2, 3, 4, 5].map((n) => (
            <label class={n <= rating ? "on" : ""}>
              <input type="radio" name="rating" value={n} checked={rating === n} onChange={() => setRating(n)} />
              <StarIcon /><span class="sr-only">{n} of 5</span>
            </label>
          ))}
        </div>
      </fieldset>
      <label>Anything to add? (optional)<textarea rows={2} maxLength={1000} value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} /></label>
      <div class="actions">
        <button type="button" class="link" onClick={() => props.onRate(0, "")}>Skip</button>
        <button type="submit" disabled={!rating}>Send rating</button>
      </div>
    </form>
  );
}

/** Near the limit, a counter; past it, also why the draft cannot be sent (announced when it goes
 *  over). Nothing below nine tenths of the limit. */
function LengthNotice(props: { id: string; check: LengthCheck }) {
  if (!props.check.near) return null;
  return (
    <>
      <p class={`counter${props.check.over ? " over" : ""}`} id={props.id}>{lengthText(props.check)}</p>
      {props.check.over && <p class="error" role="alert">{tooLongText(props.check.limit)}</p>}
    </>
  );
}

// Icons are inline SVG in the text colour: an emoji would be an empty box on a machine without
// an emoji font.
function ChatIcon() {
  return (
    <svg class="chat-icon" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9.4l-4.7 3.8A1 1 0 0 1 3 21v-3.2A2 2 0 0 1 2 16V5a2 2 0 0 1 2-2Zm3 6.2a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6Zm5 0a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6Zm5 0a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6Z" />
    </svg>
  );
}

function StarIcon() {
  return (
    <svg class="star" viewBox="0 0 24 24" width="30" height="30" aria-hidden="true" focusable="false">
      <path stroke-width="1.6" stroke-linejoin="round" d="m12 2.8 2.8 5.8 6.3.9-4.6 4.4 1.1 6.3L12 17.2l-5.6 3 1.1-6.3-4.6-4.4 6.3-.9Z" />
    </svg>
  );
}

render(<App />, document.getElementById("app")!);
