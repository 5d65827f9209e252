// A client for Helpline's real-time protocol v1 (docs/protocol.md).
//
// Keeps a cursor per stream and the sends that are not acknowledged yet. On every (re)connect it
// says hello, resubscribes each stream from its cursor and resends pending messages with their
// original client ids, so nothing is lost or duplicated across network drops. When the server
// cannot replay a stream (`reload`), it reads the missing history over REST page by page and
// subscribes again from the newest event it read. Where WebSocket upgrades fail, the same
// frames go over the event stream + POST fallback (transport.ts), and back once a WebSocket works.

import type { Ack, ChatEvent, ClientFrame, ConversationEvent, ErrorFrame, Note, Reload, Send, ServerFrame } from "./generated/protocol";
import { type Link, StreamLink, type TransportKind, WebSocketLink, defaultPolicy, initialLink, nextLink } from "./transport";

export type State = "connecting" | "open" | "reconnecting" | "closed";
type Welcome = Extract<ServerFrame, { type: "welcome" }>;

type Pending = { frame: Send | Note; resolve: (ack: Ack) => void; reject: (err: ErrorFrame) => void };

/** One page of a conversation's history over REST (`GET .../events?after=N`). */
export type Page = { events: ConversationEvent[]; last_seq: number; more: boolean };
export type PageLoader = (after: number) => Promise<Page>;

/** What a `reload` frame asks of a client whose cursor on that stream is `cursor`: whether to
 *  drop the local copy (`cursor_ahead`: it came from another database) and where to read on. */
export function reloadPlan(frame: Pick<Reload, "reason" | "last_seq">, cursor: number): { reset: boolean; from: number } {
  if (frame.reason === "cursor_ahead" || cursor > frame.last_seq) return { reset: true, from: 0 };
  return { reset: false, from: cursor };
}

/** Every event after `after`, oldest first, read page by page with `load` until `more` is false.
 *  Events at or below the cursor are skipped, so overlapping pages never repeat one. */
export async function fetchHistory<E extends { seq: number }>(
  load: (after: number) => Promise<{ events: E[]; more: boolean }>,
  after: number,
  maxPages = 10000,
): Promise<{ events: E[]; last: number }> {
  const events: E[] = [];
  let cursor = after;
  for (let i = 0; i < maxPages; i++) {
    const page = await load(cursor);
    for (const e of page.events) {
      if (e.seq <= cursor) continue;
      events.push(e);
      cursor = e.seq;
    }
    if (!page.more || page.events.length === 0) break;
  }
  return { events, last: cursor };
}

export function newId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A connection to the server over a WebSocket, or over the event stream + POST fallback when
 *  WebSocket upgrades keep failing (see `nextLink`); `transport` says which is in use. */
export class Connection {
  state: State = "connecting";
  private link: Link | null = null;
  private probe: Link | null = null; // a WebSocket tried while on the event stream
  private policy = defaultPolicy();
  private linkState = initialLink(this.policy);
  private cursors = new Map<string, number>();
  private pending = new Map<string, Pending>();
  private waiting = new Map<string, (f: ServerFrame) => void>();
  private attempt = 0;
  private stopped = false;
  private pingTimer = 0;
  private lastHeard = Date.now();
  private retryTimer = 0;
  private probeTimer = 0;
  private heartbeatMs = 20000;
  private live = new Set<string>(); // streams whose replay has finished (`subscribed` arrived)
  private catchingUp = new Set<string>(); // streams being read over REST after a `reload`

  constructor(
    private url: string,
    private token: string | null,
    private handlers: {
      /** `replay` is true for events that happened before this subscription went live. */
      onEvent: (stream: string, event: ChatEvent, replay: boolean) => void;
      /** Every frame not handled here (events, acks, `reload` and answers to `request` are). */
      onFrame?: (frame: ServerFrame) => void;
      onState?: (state: State) => void;
      /** The local copy of `stream` must be dropped: the history is read again from the start. */
      onReset?: (stream: string) => void;
      /** Reads a stream's history over REST after a `reload`; null when the stream has none
       *  (then the client continues from the newest event without the ones it missed). */
      history?: (stream: string) => PageLoader | null;
      /** Headers the fallback's requests need besides the visitor token (staff: `X-CSRF-Token`). */
      headers?: () => Record<string, string>;
    },
  ) {
    // A dropped network often leaves a half-open socket that never reports closing: give up on
    // it when the browser says it is offline, or when the server's heartbeats stop arriving.
    window.addEventListener("offline", () => this.abandon());
    window.addEventListener("online", () => {
      this.linkState = nextLink(this.linkState, { type: "online" }, this.policy);
      if (this.state === "open" || this.stopped) return;
      this.attempt = 0;
      if (this.link) return this.abandon();
      window.clearTimeout(this.retryTimer); // waiting to retry: retry now
      this.connect();
    });
    window.setInterval(() => {
      if (this.state === "open" && Date.now() - this.lastHeard > this.heartbeatMs * 2.5) this.abandon();
    }, 5000);
    this.connect();
  }

  /** The transport in use, or being tried. */
  get transport(): TransportKind {
    return this.link?.kind ?? this.linkState.kind;
  }

  /** Follow a stream from `after`; a stream already followed keeps its cursor and subscription. */
  subscribe(stream: string, after = 0): void {
    if (this.cursors.has(stream)) return;
    this.cursors.set(stream, after);
    this.resubscribe(stream);
  }

  unsubscribe(stream: string): void {
    this.cursors.delete(stream);
    this.live.delete(stream);
    if (this.state === "open") this.link?.unfollow(stream);
  }

  cursor(stream: string): number {
    return this.cursors.get(stream) ?? 0;
  }

  /** Send a message (or note); resolves with the ack, once committed. Survives reconnects. */
  send(conversationId: number, text: string, kind: "send" | "note" = "send", clientId = newId()): Promise<Ack> {
    const frame: Send | Note = { type: kind, conversation_id: conversationId, client_id: clientId, text, ref: clientId };
    return new Promise((resolve, reject) => {
      this.pending.set(clientId, { frame, resolve, reject });
      if (this.state === "open") this.raw(frame);
    });
  }

  /** A request with a ref, answered by the frame carrying the same ref. */
  request(frame: ClientFrame): Promise<ServerFrame> {
    const ref = newId();
    return new Promise((resolve) => {
      this.waiting.set(ref, resolve);
      this.raw({ ...frame, ref });
    });
  }

  raw(frame: ClientFrame): void {
    if (this.state === "open") this.link?.send(frame);
  }

  close(): void {
    this.stopped = true;
    window.clearInterval(this.pingTimer);
    window.clearTimeout(this.retryTimer);
    window.clearTimeout(this.probeTimer);
    this.link?.close();
    this.probe?.close();
    this.setState("closed");
  }

  private resubscribe(stream: string): void {
    this.live.delete(stream);
    if (this.state === "open" && !this.catchingUp.has(stream)) this.link?.follow(stream, this.cursor(stream));
  }

  /** Apply one event by the cursor rule: older or repeated events are ignored. */
  private apply(stream: string, event: ChatEvent, replay: boolean): void {
    const cursor = this.cursors.get(stream);
    if (cursor === undefined || event.seq <= cursor) return;
    this.cursors.set(stream, event.seq);
    this.handlers.onEvent(stream, event, replay);
  }

  /** After `reload`: read what is missing over REST, then subscribe from the newest event read. */
  private async catchUp(frame: Reload, attempt = 0): Promise<void> {
    const stream = frame.stream;
    const cursor = this.cursors.get(stream);
    if (cursor === undefined || this.stopped || (attempt === 0 && this.catchingUp.has(stream))) return;
    this.catchingUp.add(stream);
    const plan = reloadPlan(frame, cursor);
    if (plan.reset) {
      this.cursors.set(stream, 0);
      this.handlers.onReset?.(stream);
    }
    const load = this.handlers.history?.(stream) ?? null;
    try {
      if (load) {
        const { events } = await fetchHistory(load, this.cursor(stream));
        events.forEach((e) => this.apply(stream, e, true));
      } else if (this.cursors.has(stream)) {
        this.cursors.set(stream, Math.max(this.cursor(stream), frame.last_seq));
      }
    } catch {
      // The server or the network failed: try again a little later, from where we got to.
      window.setTimeout(() => void this.catchUp({ ...frame, reason: "too_far_behind" }, attempt + 1), Math.min(15000, 1000 * 2 ** attempt));
      return;
    }
    this.catchingUp.delete(stream);
    if (this.cursors.has(stream)) this.resubscribe(stream);
  }

  private setState(state: State): void {
    this.state = state;
    this.handlers.onState?.(state);
  }

  /** Drop the current link without waiting for it to report closing, and reconnect. */
  private abandon(): void {
    if (!this.link || this.stopped) return;
    this.link.close();
    this.link = null;
    this.reconnect();
  }

  private connect(): void {
    if (this.stopped) return;
    this.link = this.open(this.linkState.kind);
  }

  /** A new link of `kind` whose frames and end are handled only while it is current (or, for a
   *  WebSocket tried from the event stream, until it says `welcome` or fails). */
  private open(kind: TransportKind): Link {
    const events = {
      frame: (frame: ServerFrame) => {
        if (link === this.probe) return this.probed(link, frame);
        if (link !== this.link) return;
        this.lastHeard = Date.now();
        this.receive(frame);
      },
      reply: (frame: ServerFrame) => {
        if (!this.stopped) this.receive(frame);
      },
      closed: (welcomed: boolean) => {
        if (link === this.probe) return this.probeFailed();
        if (link !== this.link) return;
        this.link = null;
        this.linkState = nextLink(this.linkState, { type: "closed", welcomed, online: navigator.onLine }, this.policy);
        this.reconnect();
      },
    };
    const link: Link =
      kind === "websocket"
        ? new WebSocketLink(this.url, this.token, events)
        : new StreamLink({ headers: () => this.headers(), cursors: () => this.followed() }, events);
    return link;
  }

  private headers(): Record<string, string> {
    return { ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}), ...this.handlers.headers?.() };
  }

  /** The streams a new event stream must follow: all but those being read over REST. */
  private followed(): [string, number][] {
    return [...this.cursors].filter(([stream]) => !this.catchingUp.has(stream));
  }

  /** Connect again after a backoff (over the transport `nextLink` chose). */
  private reconnect(): void {
    window.clearInterval(this.pingTimer);
    window.clearTimeout(this.probeTimer);
    this.probe?.close();
    this.probe = null;
    if (this.stopped) return;
    this.setState("reconnecting");
    const delay = Math.min(15000, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => this.connect(), this.attempt === 1 && navigator.onLine ? 0 : delay);
  }

  /** While on the event stream, try a WebSocket again after a while. */
  private scheduleProbe(): void {
    window.clearTimeout(this.probeTimer);
    this.probeTimer = window.setTimeout(() => {
      if (this.stopped || this.probe || this.link?.kind !== "sse" || this.state !== "open") return;
      const probe = this.open("websocket");
      this.probe = probe;
      // A proxy may also leave the upgrade hanging: give up on it after a while.
      this.probeTimer = window.setTimeout(() => {
        if (this.probe === probe) {
          probe.close();
          this.probeFailed();
        }
      }, 10000);
    }, this.linkState.retryMs);
  }

  private probeFailed(): void {
    this.probe = null;
    this.linkState = nextLink(this.linkState, { type: "probe", ok: false }, this.policy);
    this.scheduleProbe();
  }

  /** A frame on the WebSocket tried from the event stream: on `welcome`, it replaces the stream
   *  and everything is resubscribed from the cursors and resent, as after any reconnect. */
  private probed(probe: Link, frame: ServerFrame): void {
    if (frame.type !== "welcome") return;
    window.clearTimeout(this.probeTimer);
    window.clearInterval(this.pingTimer);
    this.probe = null;
    this.link?.close();
    this.link = probe;
    this.linkState = nextLink(this.linkState, { type: "probe", ok: true }, this.policy);
    this.lastHeard = Date.now();
    this.opened(frame);
  }

  /** The first `welcome` of a link: resubscribe from the cursors and resend what is pending. */
  private opened(frame: Welcome): void {
    this.attempt = 0;
    this.heartbeatMs = (frame.heartbeat_s ?? 20) * 1000;
    this.setState("open");
    this.cursors.forEach((_after, stream) => this.resubscribe(stream));
    this.pending.forEach((p) => this.raw(p.frame));
    if (this.link?.kind === "websocket") this.pingTimer = window.setInterval(() => this.raw({ type: "ping" }), 25000);
    else this.scheduleProbe();
  }

  private receive(frame: ServerFrame): void {
    switch (frame.type) {
      case "welcome":
        // An event stream says `welcome` again each time it is reopened for new subscriptions.
        if (this.state === "open") this.heartbeatMs = (frame.heartbeat_s ?? 20) * 1000;
        else this.opened(frame);
        break;
      case "event": {
        const cursor = this.cursors.get(frame.stream);
        if (cursor === undefined || this.catchingUp.has(frame.stream)) return;
        // A gap cannot happen on one connection; if it does, ask again from the cursor.
        if (frame.event.seq > cursor + 1) {
          if (this.live.has(frame.stream)) this.resubscribe(frame.stream);
          return;
        }
        this.apply(frame.stream, frame.event, !this.live.has(frame.stream));
        return;
      }
      case "subscribed":
        this.live.add(frame.stream);
        break;
      case "unsubscribed":
        if (frame.reason) {
          this.cursors.delete(frame.stream);
          this.live.delete(frame.stream);
        }
        break;
      case "reload":
        void this.catchUp(frame);
        return;
      case "ack": {
        const p = this.pending.get(frame.client_id);
        this.pending.delete(frame.client_id);
        p?.resolve(frame);
        return;
      }
      case "error":
        if (frame.code === "unauthorized" || frame.code === "bad_token") this.stopped = true;
        if (frame.ref && this.pending.has(frame.ref) && frame.code !== "unavailable") {
          this.pending.get(frame.ref)!.reject(frame);
          this.pending.delete(frame.ref);
          return;
        }
        break;
    }
    const ref = "ref" in frame ? frame.ref : undefined;
    if (ref && this.waiting.has(ref)) {
      this.waiting.get(ref)!(frame);
      this.waiting.delete(ref);
      return;
    }
    this.handlers.onFrame?.(frame);
  }
}

export function wsUrl(): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
}
