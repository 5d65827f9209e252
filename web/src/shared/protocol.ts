// A client for Helpline's real-time protocol v1 (docs/protocol.md).
//
// Keeps a cursor per stream and the sends that are not acknowledged yet. On every (re)connect it
// says hello, resubscribes each stream from its cursor and resends pending messages with their
// original client ids, so nothing is lost or duplicated across network drops.

export type Frame = { type: string; [key: string]: any };
export type Event = { type: string; seq: number; [key: string]: any };
export type State = "connecting" | "open" | "reconnecting" | "closed";

type Pending = { frame: Frame; resolve: (ack: Frame) => void; reject: (err: Frame) => void };

export function newId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Connection {
  state: State = "connecting";
  private ws: WebSocket | null = null;
  private cursors = new Map<string, number>();
  private pending = new Map<string, Pending>();
  private waiting = new Map<string, (f: Frame) => void>();
  private attempt = 0;
  private stopped = false;
  private pingTimer = 0;
  private lastHeard = Date.now();
  private retryTimer = 0;
  private heartbeatMs = 20000;

  constructor(
    private url: string,
    private token: string | null,
    private handlers: {
      onEvent: (stream: string, event: Event) => void;
      onFrame?: (frame: Frame) => void;
      onState?: (state: State) => void;
      onReload?: (stream: string) => void;
    },
  ) {
    // A dropped network often leaves a half-open socket that never reports closing: give up on
    // it when the browser says it is offline, or when the server's heartbeats stop arriving.
    window.addEventListener("offline", () => this.abandon());
    window.addEventListener("online", () => {
      if (this.state !== "open") {
        this.attempt = 0;
        this.abandon();
      }
    });
    window.setInterval(() => {
      if (this.state === "open" && Date.now() - this.lastHeard > this.heartbeatMs * 2.5) this.abandon();
    }, 5000);
    this.connect();
  }

  subscribe(stream: string, after = 0): void {
    if (!this.cursors.has(stream)) this.cursors.set(stream, after);
    if (this.state === "open") this.raw({ type: "subscribe", stream, after: this.cursors.get(stream) });
  }

  unsubscribe(stream: string): void {
    this.cursors.delete(stream);
    if (this.state === "open") this.raw({ type: "unsubscribe", stream });
  }

  cursor(stream: string): number {
    return this.cursors.get(stream) ?? 0;
  }

  /** Send a message (or note); resolves with the ack, once committed. Survives reconnects. */
  send(conversationId: number, text: string, kind: "send" | "note" = "send", clientId = newId()): Promise<Frame> {
    const frame = { type: kind, conversation_id: conversationId, client_id: clientId, text, ref: clientId };
    return new Promise((resolve, reject) => {
      this.pending.set(clientId, { frame, resolve, reject });
      if (this.state === "open") this.raw(frame);
    });
  }

  /** A request with a ref, answered by the frame carrying the same ref. */
  request(frame: Frame): Promise<Frame> {
    const ref = newId();
    return new Promise((resolve) => {
      this.waiting.set(ref, resolve);
      this.raw({ ...frame, ref });
    });
  }

  raw(frame: Frame): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  close(): void {
    this.stopped = true;
    window.clearInterval(this.pingTimer);
    this.ws?.close();
    this.setState("closed");
  }

  private setState(state: State): void {
    this.state = state;
    this.handlers.onState?.(state);
  }

  /** Drop the current socket without waiting for a close handshake, and reconnect. */
  private abandon(): void {
    const ws = this.ws;
    if (!ws || this.stopped) return;
    ws.onclose = ws.onmessage = ws.onerror = null;
    ws.close();
    this.ws = null;
    this.reconnect();
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify(this.token ? { type: "hello", v: 1, token: this.token } : { type: "hello", v: 1 }));
    ws.onmessage = (msg) => {
      this.lastHeard = Date.now();
      this.receive(JSON.parse(String(msg.data)));
    };
    ws.onclose = () => this.reconnect();
    ws.onerror = () => ws.close();
  }

  private reconnect(): void {
    window.clearInterval(this.pingTimer);
    if (this.stopped) return;
    this.setState("reconnecting");
    const delay = Math.min(15000, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => this.connect(), this.attempt === 1 && navigator.onLine ? 0 : delay);
  }

  private receive(frame: Frame): void {
    switch (frame.type) {
      case "welcome":
        this.attempt = 0;
        this.heartbeatMs = (frame.heartbeat_s ?? 20) * 1000;
        this.setState("open");
        this.cursors.forEach((after, stream) => this.raw({ type: "subscribe", stream, after }));
        this.pending.forEach((p) => this.raw(p.frame));
        this.pingTimer = window.setInterval(() => this.raw({ type: "ping" }), 25000);
        break;
      case "event": {
        const cursor = this.cursors.get(frame.stream);
        if (cursor === undefined || frame.event.seq <= cursor) return;
        this.cursors.set(frame.stream, frame.event.seq);
        this.handlers.onEvent(frame.stream, frame.event);
        return;
      }
      case "reload":
        this.cursors.delete(frame.stream);
        this.handlers.onReload?.(frame.stream);
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
    if (frame.ref && this.waiting.has(frame.ref)) {
      this.waiting.get(frame.ref)!(frame);
      this.waiting.delete(frame.ref);
      return;
    }
    this.handlers.onFrame?.(frame);
  }
}

export function wsUrl(): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
}
