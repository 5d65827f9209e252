// The console's REST calls: cookie session, CSRF token on every write.

let csrf = "";

export function setCsrf(token: string): void {
  csrf = token;
}

/** The header cookie-authenticated writes need; the real-time fallback's POSTs send it too. */
export function csrfHeader(): Record<string, string> {
  return { "X-CSRF-Token": csrf };
}

export async function api(method: string, path: string, body?: unknown): Promise<any> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  const r = await fetch(`/api/v1${path}`, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) throw Object.assign(new Error(data?.message ?? `Request failed (${r.status})`), { code: data?.code, status: r.status, details: data?.details });
  return data;
}
