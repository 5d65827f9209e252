// The two ways a `Connection` reaches the server (docs/protocol.md, sections 3 and 9): a
// WebSocket, or, where a proxy refuses the upgrade, an event stream read with `fetch` plus one
// POST per client frame. Both carry the same frames; the `Connection` above them keeps the
// cursors, the pending sends and the catch-up, so a switch between them loses and repeats nothing.
//
// `nextLink` (which transport to use next) and `parseSse` (the event-stream reader) are pure;
// the classes are thin adapters around the browser's WebSocket and fetch.

import type { ClientFrame, ServerFrame } from "./generated/protocol";

export type TransportKind = "websocket" | "sse";

/** What the `Connection` learns from a link; a link reports `closed` once, never after `close()`. */
export interface LinkEvents {
  frame(frame: ServerFrame): void;
  /** The answer to a frame sent; it may arrive after the link was closed, and still counts. */
  reply(frame: ServerFrame): void;
  /** The link ended by itself; `welcomed` says whether it had said `welcome` first. */
  closed(welcomed: boolean): void;
}

/** One transport session. `follow` asks the server to (re)start a stream from `after`. */
export interface Link {
  readonly kind: TransportKind;
  send(frame: ClientFrame): void;
  follow(stream: string, after: number): void;
  unfollow(stream: string): void;
  close(): void;
}

// ---------------------------------------------------------------------------------------------
// Choosing the transport

export type LinkPolicy = {
  /** Fall back to the event stream after this many WebSockets in a row ended before `welcome`. */
  fallbackAfter: number;
  /** While on the event stream, try a WebSocket again after this long, doubling on failure... */
  retryMs: number;
  /** ...up to this long. */
  maxRetryMs: number;
};

export type LinkState = {
  kind: TransportKind;
  /** WebSockets in a row that ended before `welcome`. */
  failures: number;
  /** How long to wait, on the event stream, before the next WebSocket try. */
  retryMs: number;
};

export type LinkNews =
  | { type: "closed"; welcomed: boolean; online: boolean } // the current link ended
  | { type: "probe"; ok: boolean } // a WebSocket tried while on the event stream
  | { type: "online" }; // the browser is back online

/** Every client starts on a WebSocket, with a retry interval tests may shorten by setting
 *  `window.HELPLINE_WS_RETRY_MS` before the page loads. */
export function defaultPolicy(): LinkPolicy {
  const forced = Number((globalThis as { HELPLINE_WS_RETRY_MS?: unknown }).HELPLINE_WS_RETRY_MS);
  return { fallbackAfter: 2, retryMs: forced > 0 ? forced : 60000, maxRetryMs: forced > 0 ? forced * 8 : 600000 };
}

export function initialLink(policy: LinkPolicy): LinkState {
  return { kind: "websocket", failures: 0, retryMs: policy.retryMs };
}

/** The transport for the next attempt, given what just happened.
 *
 *  - A WebSocket that ends before `welcome` (an upgrade refused by a proxy, or a proxy that closes
 *    it) counts as a failure; `fallbackAfter` failures in a row switch to the event stream.
 *    Failures while the browser is offline say nothing about proxies and are not counted.
 *  - An event stream that ends before `welcome` means HTTP fails too (the server is down): try a
 *    WebSocket once more, and come back to the stream if that fails as well.
 *  - While on the event stream, a WebSocket is tried every `retryMs`; a `welcome` on it switches
 *    back, a failure doubles the wait up to `maxRetryMs`.
 *  - Back online, start again from a WebSocket. */
export function nextLink(state: LinkState, news: LinkNews, policy: LinkPolicy): LinkState {
  switch (news.type) {
    case "online":
      return { ...state, kind: "websocket", failures: 0 };
    case "probe":
      if (news.ok) return { ...state, kind: "websocket", failures: 0 };
      return { ...state, retryMs: Math.min(policy.maxRetryMs, state.retryMs * 2) };
    case "closed":
      if (news.welcomed) return { ...state, failures: 0 };
      if (state.kind === "sse") return { ...state, kind: "websocket", failures: policy.fallbackAfter - 1 };
      if (!news.online) return state;
      if (state.failures + 1 >= policy.fallbackAfter) return { ...state, kind: "sse", failures: 0 };
      return { ...state, failures: state.failures + 1 };
  }
}

// ---------------------------------------------------------------------------------------------
// Reading an event stream

/** Splits event-stream text into the `data` of each complete event.
 *
 *  `rest` is what the previous call returned (text of an event not finished yet); pass it back
 *  with the next chunk. Lines end in `\n` or `\r\n`; comment lines (`: ...`) and fields other than
 *  `data` are skipped; the lines of a multi-line `data` are joined with `\n`; an event without
 *  `data` (a comment-only heartbeat) yields nothing. */
export function parseSse(rest: string, chunk: string): { data: string[]; rest: string } {
  const text = rest + chunk;
  const data: string[] = [];
  let lines: string[] = [];
  let eventStart = 0;
  let lineStart = 0;
  for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", lineStart)) {
    const line = text.slice(lineStart, text[end - 1] === "\r" ? end - 1 : end);
    lineStart = end + 1;
    if (line === "") {
      if (lines.length) data.push(lines.join("\n"));
      lines = [];
      eventStart = lineStart;
      continue;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== "data") continue; // comments have an empty field name
    const value = colon === -1 ? "" : line.slice(colon + 1);
    lines.push(value.startsWith(" ") ? value.slice(1) : value);
  }
  return { data, rest: text.slice(eventStart) };
}

// ---------------------------------------------------------------------------------------------
// Adapters

/** A WebSocket that says `hello` as soon as it opens. */
export class WebSocketLink implements Link {
  readonly kind = "websocket";
  private ws: WebSocket;
  private welcomed = false;
  private done = false;

  constructor(url: string, token: string | null, private events: LinkEvents) {
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify(token ? { type: "hello", v: 1, token } : { type: "hello", v: 1 }));
    ws.onmessage = (msg) => {
      const frame = JSON.parse(String(msg.data)) as ServerFrame;
      if (frame.type === "welcome") this.welcomed = true;
      this.events.frame(frame);
    };
    ws.onclose = () => this.end();
    ws.onerror = () => ws.close();
  }

  send(frame: ClientFrame): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  follow(stream: string, after: number): void {
    this.send({ type: "subscribe", stream, after });
  }

  unfollow(stream: string): void {
    this.send({ type: "unsubscribe", stream });
  }

  /** Drop the socket without waiting for a close handshake (it may be half-open). */
  close(): void {
    this.done = true;
    this.ws.onclose = this.ws.onmessage = this.ws.onerror = null;
    this.ws.close();
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    this.events.closed(this.welcomed);
  }
}

export type StreamOptions = {
  /** Credentials for every request: a visitor's bearer token, or staff's CSRF header. */
  headers: () => Record<string, string>;
  /** The streams to follow, with their cursors, when a stream is (re)opened. */
  cursors: () => [string, number][];
  /** How long a burst of subscription changes is gathered into one new stream. */
  debounceMs?: number;
};

/** The fallback: `POST /api/v1/rt/stream` read as it arrives, and `POST /api/v1/rt/frames`.
 *
 *  Subscriptions go on the stream request, so changing them opens a new stream with every current
 *  cursor and aborts the old one; the server replays from the cursors and the `Connection`'s
 *  cursor rule drops what it already has. Frames arriving on an aborted stream are ignored. */
export class StreamLink implements Link {
  readonly kind = "sse";
  private controller: AbortController | null = null;
  private requested = new Map<string, number>(); // what the current stream was opened with
  private welcomed = false;
  private done = false;
  private reopenTimer = 0;
  private posting: Promise<void> = Promise.resolve();

  constructor(private options: StreamOptions, private events: LinkEvents) {
    this.open();
  }

  /** POST one frame once the frames before it are answered: concurrent requests could reach the
   *  server in another order, and a WebSocket keeps the order. A reply that only says `ok` to a
   *  frame without `ref` is dropped: a WebSocket sends none. */
  send(frame: ClientFrame): void {
    this.posting = this.posting.then(async () => {
      if (this.done) return; // the next link resends what is still pending
      let reply: ServerFrame;
      try {
        reply = (await (await fetch("/api/v1/rt/frames", this.request(frame))).json()) as ServerFrame;
      } catch {
        return this.end(); // the network failed: start over, which resends what is pending
      }
      if (reply.type !== "ok" || reply.ref !== undefined) this.events.reply(reply);
    });
  }

  /** Open a new stream unless the current one already follows `stream` from `after`. */
  follow(stream: string, after: number): void {
    if (this.requested.get(stream) !== after) this.reopenSoon();
  }

  unfollow(stream: string): void {
    if (this.requested.has(stream)) this.reopenSoon();
  }

  close(): void {
    this.done = true;
    window.clearTimeout(this.reopenTimer);
    this.controller?.abort();
  }

  private request(body: unknown): RequestInit {
    return {
      method: "POST",
      headers: { "Content-Type": "application/json", ...this.options.headers() },
      credentials: "same-origin",
      body: JSON.stringify(body),
    };
  }

  private reopenSoon(): void {
    window.clearTimeout(this.reopenTimer);
    this.reopenTimer = window.setTimeout(() => this.open(), this.options.debounceMs ?? 50);
  }

  private open(): void {
    if (this.done) return;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const cursors = this.options.cursors();
    this.requested = new Map(cursors);
    const body = { v: 1, subscribe: cursors.map(([stream, after]) => ({ stream, after })) };
    void this.read(controller, body).then(
      () => controller === this.controller && this.end(),
      () => controller === this.controller && this.end(),
    );
  }

  private async read(controller: AbortController, body: unknown): Promise<void> {
    const r = await fetch("/api/v1/rt/stream", { ...this.request(body), signal: controller.signal });
    if (!r.ok || !r.body) {
      // Refused (bad credentials, a bad request): the error frame is in the body.
      const error = (await r.json().catch(() => null)) as ServerFrame | null;
      if (error?.type === "error" && controller === this.controller) this.events.frame(error);
      return;
    }
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done || controller !== this.controller) return;
      const parsed = parseSse(rest, decoder.decode(value, { stream: true }));
      rest = parsed.rest;
      for (const text of parsed.data) {
        if (controller !== this.controller) return;
        this.receive(JSON.parse(text) as ServerFrame);
      }
    }
  }

  private receive(frame: ServerFrame): void {
    if (frame.type === "welcome") this.welcomed = true;
    // The server no longer follows a stream it answered with `reload`, `unsubscribed` or an
    // error: the next `follow` of it must open a new stream even from the same cursor.
    if (frame.type === "reload" || frame.type === "unsubscribed") this.requested.delete(frame.stream);
    this.events.frame(frame);
  }

  private end(): void {
    if (this.done) return;
    this.close();
    this.events.closed(this.welcomed);
  }
}
