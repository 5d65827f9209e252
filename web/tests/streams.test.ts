// Unit tests for stream names (src/shared/streams.ts). Run: npm test.
import assert from "node:assert/strict";
import { test } from "vitest";
import { INBOX, conversationOf, conversationStream } from "../src/shared/streams";

test("a conversation's stream name is built and read back", () => {
  assert.equal(conversationStream(42), "conversation:42");
  for (const id of [1, 42, 123456789]) assert.equal(conversationOf(conversationStream(id)), id);
});

test("other streams and malformed names denote no conversation", () => {
  for (const name of [INBOX, "team:3", "conversation:", "conversation:4x", "conversation:-1", "xconversation:4", "conversation:4:5"]) {
    assert.equal(conversationOf(name), null, name);
  }
});
