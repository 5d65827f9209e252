// The widget's chat lines as data: the events the server sent, and the visitor's own messages
// that are not acknowledged yet. Pure, tested in web/tests/widget-lines.test.ts.
//
// The displayed order is always the server's: events by `seq`, then the visitor's pending (or
// failed) messages in the order they were written. An ack can arrive before or after other
// events (over the fallback transport the ack and the stream are two HTTP requests), so a line
// is placed by its seq when it becomes known, never where its pending line happened to be.
import { clientIdOf } from "../shared/events";
import type { ConversationEvent } from "../shared/generated/protocol";

export type Line = {
  key: string;
  event: ConversationEvent | null; // null while the visitor's message has no ack
  text: string;
  mine: boolean;
  pending: boolean;
  failed?: string;
};

/** Lines in display order: known events by seq, then lines without one in their own order. */
export function ordered(lines: Line[]): Line[] {
  const known = lines.filter((l) => l.event !== null).sort((a, b) => a.event!.seq - b.event!.seq);
  return [...known, ...lines.filter((l) => l.event === null)];
}

/** Add (or replace) the line for `e`: an acked message replaces its pending line, found by its
 *  client id; an event already shown (the ack and the stream both bring it) replaces itself. */
export function withEvent(lines: Line[], e: ConversationEvent): Line[] {
  const clientId = clientIdOf(e);
  const line: Line = {
    key: clientId ?? `e${e.seq}`,
    event: e,
    text: "text" in e ? e.text ?? "" : "",
    mine: e.sender.kind === "visitor",
    pending: false,
  };
  const rest = lines.filter((l) => l.key !== line.key && l.event?.seq !== e.seq);
  return ordered([...rest, line]);
}

/** Add the visitor's message `text`, sent with client id `key`, until its ack arrives. */
export function withPending(lines: Line[], key: string, text: string): Line[] {
  return ordered([...lines, { key, event: null, text, mine: true, pending: true }]);
}

/** The message sent with client id `key` was refused: say why where it stands. */
export function withFailure(lines: Line[], key: string, reason: string): Line[] {
  return lines.map((l) => (l.key === key && l.event === null ? { ...l, pending: false, failed: reason } : l));
}

/** After the history is dropped (read again from the start): keep only what has no ack yet. */
export function unacknowledged(lines: Line[]): Line[] {
  return lines.filter((l) => l.event === null);
}
