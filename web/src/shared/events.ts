// What the widget and the console make of events: which ones belong to a conversation, and the
// line a chat shows for one that is not a message. The visitor and staff are told different
// things (staff also see routing and wrap-up, which the visitor never receives).
import type { AssignedData, ChatEvent, ConversationEvent, RequeuedData, Sender } from "./generated/protocol";

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
    case "assigned": return assignedLine(e.data);
    case "agent_joined": return `${e.data.agent_name} joined`;
    case "agent_left": return `${e.data.agent_name} left`;
    case "requeued": return `Back in the queue: ${requeueReason(e.data)}`;
    case "transferring": return "Visitor told they are being transferred";
    case "ended": return `Chat ended by the ${e.data.by}`;
    case "closed": return `Closed: ${resolutionLabel(e.data.resolution_code)}`;
    default: return null;
  }
}

/** A tag as people read it: "paddles" as "Paddles", "white_water-kayaks" as "White water kayaks".
 *  Only for showing; the tag itself is what is sent and stored. */
export function humanise(tag: string): string {
  const words = tag.replace(/[-_]+/g, " ").replace(/\s+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A resolution code's label from `labels` (`GET /resolution-codes`: code to label), else the
 *  code humanised: an old event can name a code that was since renamed or removed. */
export function resolutionLabel(code: string, labels: Record<string, string> = {}): string {
  return labels[code] ?? humanise(code);
}

/** "Offered to Ana, the least busy agent": who was chosen and, in words, why. */
export function assignedLine(data: AssignedData): string {
  const reason = data.reason;
  switch (reason.rule) {
    case "least_load_then_longest_idle": {
      const relaxed = reason.skills_relaxed ? " (the topic's skills were dropped after a long wait)" : "";
      return `Offered to ${data.agent_name}, the least busy agent${relaxed}`;
    }
    case "manual_pick": return `Picked from the queue by ${data.agent_name}`;
    case "manual_transfer": return `Transferred to ${data.agent_name}`;
    default: return `Offered to ${data.agent_name}`;
  }
}

/** Why a chat went back to its queue, in words. */
export function requeueReason(data: RequeuedData): string {
  switch (data.reason) {
    case "no_answer": return `not answered in time by ${data.agent_name}`;
    case "agent_offline": return `${data.agent_name} went offline`;
    case "transferred": return "transferred to a team's queue";
    case "team_left": return `${data.agent_name} left the team`;
    default: return humanise(data.reason as string).toLowerCase();
  }
}
