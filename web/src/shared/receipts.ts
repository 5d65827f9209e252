// Read receipts: what to report as read, and sending it at most once a second, only forward.
import type { Event } from "./protocol";

/** The seq to report as read when `events` are on screen, or null: the newest event shown,
 *  once an agent message newer than `sent` is among them. */
export function readTarget(events: (Event | null)[], sent: number): number | null {
  let newest = 0;
  let fresh = false;
  for (const e of events) {
    if (!e) continue;
    newest = Math.max(newest, e.seq);
    if (e.type === "message" && e.sender?.kind === "agent" && e.seq > sent) fresh = true;
  }
  return fresh && newest > sent ? newest : null;
}

export type Clock = { now: () => number; setTimeout: (f: () => void, ms: number) => unknown; clearTimeout: (t: any) => void };

/** Sends read receipts through `post` (which says whether the frame went out): never one that
 *  does not move forward, and at most one every `gapMs`; a later one waits for the gap. */
export class ReadReceipts {
  private sent = 0;
  private wanted = 0;
  private last = -Infinity;
  private timer: unknown = null;

  constructor(
    private post: (seq: number) => boolean,
    private clock: Clock = { now: () => Date.now(), setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (t) => clearTimeout(t) },
    private gapMs = 1000,
  ) {}

  /** The newest seq reported (or known to be recorded). */
  get position(): number {
    return this.sent;
  }

  /** Everything up to `seq` is on screen now. */
  seen(seq: number): void {
    if (seq <= this.sent) return;
    this.wanted = Math.max(this.wanted, seq);
    this.schedule();
  }

  /** The server recorded a read up to `seq` (this tab's or another's): no need to send it. */
  recorded(seq: number): void {
    this.sent = Math.max(this.sent, seq);
  }

  /** Try again what could not be sent (the connection is back). */
  retry(): void {
    if (this.wanted > this.sent) this.schedule();
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const wait = this.last + this.gapMs - this.clock.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  private flush(): void {
    if (this.wanted <= this.sent) return;
    if (!this.post(this.wanted)) return;
    this.sent = this.wanted;
    this.last = this.clock.now();
  }
}
