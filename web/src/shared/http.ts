// The one fetch wrapper of the widget and the console: JSON in and out, and the server's error
// body (`{code, message, details}`, docs/protocol.md) as an `ApiError`. Each client adds only its
// credentials: the console its cookie and CSRF header (console/api.ts), the widget its visitor
// token (widget/api.ts).
import type { ErrorCode } from "./generated/protocol";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What the server's error body says, if anything, in details (`fields`: the fields at fault). */
export type ErrorDetails = { fields?: string[]; field_errors?: Record<string, string>; [key: string]: unknown };

/** A refused or failed request. `code` is the server's stable error code ("http_error" when the
 *  answer had none); `message` is meant for people. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode,
    readonly status: number,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The `ApiError` for a refused answer with status `status` and the parsed body `body` (any
 *  JSON, or null when the body was empty or not JSON). */
export function apiError(status: number, body: unknown): ApiError {
  const data = isRecord(body) ? body : {};
  const message = typeof data.message === "string" ? data.message : `Request failed (${status})`;
  const code = typeof data.code === "string" ? (data.code as ErrorCode) : "http_error";
  const details = isRecord(data.details) ? (data.details as ErrorDetails) : {};
  return new ApiError(message, code, status, details);
}

/** The server's error code, if `err` is an `ApiError`. */
export function errorCode(err: unknown): ErrorCode | undefined {
  return err instanceof ApiError ? err.code : undefined;
}

/** The message to show for anything a request threw (a network failure is a `TypeError`). */
export function errorMessage(err: unknown, fallback = "Something went wrong."): string {
  return err instanceof Error && err.message ? err.message : fallback;
}

/** Sends `body` as JSON to `url` and returns the JSON answer as `T` (null for 204 No Content);
 *  throws an `ApiError` when the status is not 2xx, and a `TypeError` when the network fails.
 *  `T` is the caller's word for the answer's shape: the server's REST answers are not checked. */
export async function requestJson<T>(method: Method, url: string, options: { headers?: Record<string, string>; body?: unknown } = {}): Promise<T> {
  const r = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", ...options.headers },
    credentials: "same-origin",
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const data: unknown = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) throw apiError(r.status, data);
  return data as T;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
