// What the widget and the console make of events: which ones belong to a conversation, and the
// line a chat shows for one that is not a message. The visitor and staff are told different
// things (staff also see routing and wrap-up, which the visitor never receives).
import type { ChatEvent, ConversationEvent, Sender } from "./generated/protocol";

/** Whether `e` happened in a conversation (rather than in a staff member's inbox). */
export function isConversationEvent(e: ChatEvent): e is ConversationEvent {
  return "sender" in e;
}

/** The client id of a message or note (what its sender's ack matches), else undefined. */
export function clientIdOf(e: ConversationEvent): string | undefined {
  return e.type === "message" || e.type === "note" ? e.client_id : undefined;
}

/** The name shown for whoever wrote or did something, if the event names them. */
export function senderName(sender: Sender): string | undefined {
  return sender.kind === "system" ? undefined : sender.name;
}

/** Who reads the line: the visitor in the widget, or staff in the console. */
export type Reader = "visitor" | "staff";

/** The line shown to `reader` for `e`, or null when `e` is shown otherwise (a message, a note, a
 *  handover) or not at all. */
export function systemLine(e: ConversationEvent, reader: Reader): string | null {
  return reader === "staff" ? staffLine(e) : visitorLine(e);
}

function visitorLine(e: ConversationEvent): string | null {
  switch (e.type) {
    case "agent_joined": return `${e.data.agent_name} joined the chat`;
    case "agent_left": return `${e.data.agent_name} left the chat; we are finding someone else`;
    case "transferring": return "Transferring you to a colleague";
    case "ended": return e.data.by === "visitor" ? "You ended the chat" : "The chat has ended";
    default: return null;
  }
}

function staffLine(e: ConversationEvent): string | null {
  switch (e.type) {
    case "started": return `Chat started${e.data.topic ? ` about ${e.data.topic}` : ""}`;
    case "assigned": return `Offered to ${e.data.agent_name} (${e.data.reason.rule})`;
    case "agent_joined": return `${e.data.agent_name} joined`;
    case "agent_left": return `${e.data.agent_name} left`;
    case "requeued": return `Back in the queue (${e.data.reason})`;
    case "transferring": return "Visitor told they are being transferred";
    case "ended": return `Chat ended by the ${e.data.by}`;
    case "closed": return `Closed: ${e.data.resolution_code}`;
    default: return null;
  }
}
