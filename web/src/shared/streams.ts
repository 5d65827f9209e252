// The names of the streams a client follows (docs/protocol.md, "Streams"): one per
// conversation, and a staff member's own inbox. Built and read here only.

/** The signed-in staff member's inbox: offers, their chats' changes, their status. */
export const INBOX = "inbox";

export function conversationStream(conversationId: number): string {
  return `conversation:${conversationId}`;
}

/** The conversation a stream name denotes, or null for any other stream. */
export function conversationOf(stream: string): number | null {
  const m = /^conversation:([0-9]+)$/.exec(stream);
  return m ? Number(m[1]) : null;
}
