// The console's REST calls: cookie session, CSRF token on every write.
import { type Method, requestJson } from "../shared/http";

export { ApiError } from "../shared/http";

let csrf = "";

export function setCsrf(token: string): void {
  csrf = token;
}

/** The header cookie-authenticated writes need; the real-time fallback's POSTs send it too. */
export function csrfHeader(): Record<string, string> {
  return { "X-CSRF-Token": csrf };
}

/** `/api/v1{path}`, answered as `T` (see `requestJson`). */
export function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  return requestJson<T>(method, `/api/v1${path}`, { headers: method === "GET" ? {} : csrfHeader(), body });
}
