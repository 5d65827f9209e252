// Read receipts: what to report as read, and sending it at most once a second, only forward.

/** What `readTarget` looks at in an event (any `ChatEvent` has it). */
export type Shown = { type: string; seq: number; sender?: { kind: string } };

/** The seq to report as read when `events` are on screen, or null: the newest event shown,
 *  once an agent message newer than `sent` is among them. */
export function readTarget(events: (Shown | null)[], sent: number): number | null {
  let newest = 0;
  let fresh = false;
  for (const e of events) {
    if (!e) continue;
    newest = Math.max(newest, e.seq);
    if (e.type === "message" && e.sender?.kind === "agent" && e.seq > sent) fresh = true;
  }
  return fresh && newest > sent ? newest : null;
}

/** Time for `ReadReceipts`: `later` runs `f` after `ms` and returns what cancels it. */
export type Clock = { now: () => number; later: (f: () => void, ms: number) => () => void };

const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  later: (f, ms) => {
    const timer = setTimeout(f, ms);
    return () => clearTimeout(timer);
  },
};

/** Sends read receipts through `post` (which says whether the frame went out): never one that
 *  does not move forward, and at most one every `gapMs`; a later one waits for the gap. */
export class ReadReceipts {
  private sent = 0;
  private wanted = 0;
  private last = -Infinity;
  private cancel: (() => void) | null = null;

  constructor(
    private post: (seq: number) => boolean,
    private clock: Clock = SYSTEM_CLOCK,
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
    this.cancel?.();
    this.cancel = null;
  }

  private schedule(): void {
    if (this.cancel !== null) return;
    const wait = this.last + this.gapMs - this.clock.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.cancel = this.clock.later(() => {
      this.cancel = null;
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
