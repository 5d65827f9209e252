// The widget's REST calls. The visitor token lives in localStorage and travels in a header only.

const KEY = "helpline.visitor";

export type Saved = { token: string; conversationId: number };

export function saved(): Saved | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Saved) : null;
  } catch {
    return null;
  }
}

export function save(value: Saved | null): void {
  try {
    if (value) localStorage.setItem(KEY, JSON.stringify(value));
    else localStorage.removeItem(KEY);
  } catch {
    /* storage disabled: the chat still works until the page closes */
  }
}

export async function call(method: string, path: string, token: string | null, body?: unknown): Promise<any> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(`/api/v1/widget${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = r.status === 204 ? null : await r.json();
  if (!r.ok) throw Object.assign(new Error(data?.message ?? "Request failed"), { code: data?.code, status: r.status });
  return data;
}
