// What the widget's and the console's composers share: Enter sends (Shift+Enter is a new line),
// and "is typing" notices that start at most every few seconds and stop once.
import { useEffect, useRef } from "preact/hooks";

/** Whether a key press in a composer sends the draft. */
export function sendsOnEnter(e: { key: string; shiftKey: boolean }): boolean {
  return e.key === "Enter" && !e.shiftKey;
}

export type TypingClock = { now: () => number; later: (f: () => void, ms: number) => () => void };

const SYSTEM_CLOCK: TypingClock = {
  now: () => Date.now(),
  later: (f, ms) => {
    const timer = setTimeout(f, ms);
    return () => clearTimeout(timer);
  },
};

/** Turns drafting into `typing` notices through `post`: "started" at most every `everyMs` while
 *  the draft changes, "stopped" once after a "started". With `idleMs`, a draft left alone that
 *  long counts as stopped. */
export class TypingNotices {
  private since = 0; // when "started" was last posted; 0: stopped
  private cancelIdle: (() => void) | null = null;

  constructor(
    private post: (active: boolean) => void,
    private options: { everyMs?: number; idleMs?: number } = {},
    private clock: TypingClock = SYSTEM_CLOCK,
  ) {}

  /** The draft changed; `active` is false when it no longer counts as typing (emptied). */
  changed(active: boolean): void {
    if (!active) return this.stop();
    this.cancel();
    const now = this.clock.now();
    if (now - this.since > (this.options.everyMs ?? 2000)) {
      this.post(true);
      this.since = now;
    }
    if (this.options.idleMs !== undefined) this.cancelIdle = this.clock.later(() => this.stop(), this.options.idleMs);
  }

  /** Typing stopped (sent, left, or turned to a note): say so, if "started" was said. */
  stop(): void {
    this.cancel();
    if (this.since) this.post(false);
    this.since = 0;
  }

  /** Forget the idle timer (the composer is gone). */
  cancel(): void {
    this.cancelIdle?.();
    this.cancelIdle = null;
  }
}

/** A `TypingNotices` for a component's lifetime; `post` may change between renders. */
export function useTypingNotices(post: (active: boolean) => void, options: { everyMs?: number; idleMs?: number } = {}): TypingNotices {
  const latest = useRef(post);
  latest.current = post;
  const notices = useRef<TypingNotices | null>(null);
  if (!notices.current) notices.current = new TypingNotices((active) => latest.current(active), options);
  const current = notices.current;
  useEffect(() => () => current.cancel(), [current]);
  return current;
}

/** How a draft measures up to the server's limit on a message's length. */
export type LengthCheck = {
  /** Characters the server counts: code points of the trimmed text, as `check_text` does. */
  count: number;
  limit: number;
  /** Too long to send: the server would refuse it. */
  over: boolean;
  /** Close enough to the limit (or past it) that a counter is worth showing. */
  near: boolean;
};

/** Measure `draft` against `limit` (the server's `max_message_chars`). A counter shows from
 *  nine tenths of the limit on. */
export function checkLength(draft: string, limit: number): LengthCheck {
  const count = [...draft.trim()].length;
  return { count, limit, over: count > limit, near: count >= limit * 0.9 };
}

const NUMBER = new Intl.NumberFormat("en");

/** The counter's words: "3,650 of 4,000 characters", or how many to cut when over. */
export function lengthText(check: LengthCheck): string {
  const of = `${NUMBER.format(check.count)} of ${NUMBER.format(check.limit)} characters`;
  return check.over ? `${of}: ${NUMBER.format(check.count - check.limit)} too many` : of;
}

/** Why a draft over the limit cannot be sent, and what to do. The same words whatever the
 *  count, so a screen reader announces them once rather than at every key. */
export function tooLongText(limit: number): string {
  return `Too long to send: the limit is ${NUMBER.format(limit)} characters. Shorten the message, or send it in parts.`;
}
