// The widget's REST calls. The visitor token lives in localStorage and travels in a header only.
import { type Method, requestJson } from "../shared/http";

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

/** `/api/v1/widget{path}` with the visitor's token, if there is one, answered as `T`. */
export function call<T>(method: Method, path: string, token: string | null, body?: unknown): Promise<T> {
  return requestJson<T>(method, `/api/v1/widget${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {}, body });
}
