// Unit tests for the shared fetch wrapper (src/shared/http.ts), with a fake fetch. Run: npm test.
import assert from "node:assert/strict";
import { afterEach, test } from "vitest";
import { ApiError, apiError, errorCode, errorMessage, requestJson } from "../src/shared/http";

type Seen = { url: string; init: RequestInit };
const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

/** Answers every request with `status` and `body` (a string is sent as it is), recording it. */
function answer(status: number, body: unknown, seen: Seen[] = []): Seen[] {
  globalThis.fetch = async (url, init) => {
    seen.push({ url: String(url), init: init ?? {} });
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status });
  };
  return seen;
}

test("apiError keeps the server's code, message and details", () => {
  const err = apiError(422, { code: "invalid", message: "Check the form.", details: { fields: ["skills.0"] } });
  assert.ok(err instanceof ApiError && err instanceof Error);
  assert.deepEqual([err.code, err.status, err.message, err.details], ["invalid", 422, "Check the form.", { fields: ["skills.0"] }]);
});

test("apiError says what it can when the body is not the server's error", () => {
  for (const body of [null, "Bad gateway", [1], { message: 5, code: null, details: "x" }]) {
    const err = apiError(502, body);
    assert.deepEqual([err.code, err.status, err.message, err.details], ["http_error", 502, "Request failed (502)", {}]);
  }
});

test("requestJson sends JSON with the caller's headers and returns the answer", async () => {
  const seen = answer(200, { id: 7 });
  const got = await requestJson<{ id: number }>("POST", "/api/v1/x", { headers: { Authorization: "Bearer t" }, body: { a: 1 } });
  assert.deepEqual(got, { id: 7 });
  assert.equal(seen[0].url, "/api/v1/x");
  assert.equal(seen[0].init.method, "POST");
  assert.equal(seen[0].init.body, '{"a":1}');
  assert.equal(seen[0].init.credentials, "same-origin");
  assert.deepEqual(seen[0].init.headers, { "Content-Type": "application/json", Authorization: "Bearer t" });
});

test("requestJson sends no body on a GET and returns null for 204", async () => {
  const seen = answer(204, null);
  assert.equal(await requestJson("DELETE", "/api/v1/x"), null);
  assert.equal(seen[0].init.body, undefined);
});

test("requestJson throws an ApiError for a refused request, JSON or not", async () => {
  answer(409, { code: "shortcut_taken", message: "That shortcut is taken." });
  await assert.rejects(requestJson("POST", "/x", { body: {} }), (err: unknown) => err instanceof ApiError && err.code === "shortcut_taken" && err.status === 409 && err.message === "That shortcut is taken.");
  answer(500, "<html>oops</html>");
  await assert.rejects(requestJson("GET", "/x"), (err: unknown) => err instanceof ApiError && err.code === "http_error" && err.message === "Request failed (500)");
});

test("errorCode and errorMessage read anything thrown", () => {
  const refused = new ApiError("Too many chats.", "rate_limited", 429);
  assert.equal(errorCode(refused), "rate_limited");
  assert.equal(errorCode(new TypeError("Failed to fetch")), undefined);
  assert.equal(errorMessage(refused), "Too many chats.");
  assert.equal(errorMessage(new TypeError("Failed to fetch")), "Failed to fetch");
  assert.equal(errorMessage("boom"), "Something went wrong.");
  assert.equal(errorMessage(new Error(""), "Search failed."), "Search failed.");
});
