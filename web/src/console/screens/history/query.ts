// The history search as data: the filters a person sets, the request they become, and how the
// list of results grows page by page. Pure, so it is unit-tested (web/tests/history.test.ts).

export type HistoryFilters = {
  q: string;
  state: "" | "closed" | "abandoned" | "wrap-up";
  since: string; // yyyy-mm-dd or ""
  until: string; // yyyy-mm-dd or "": the day itself is included
  customer: string;
};

export const EMPTY: HistoryFilters = { q: "", state: "", since: "", until: "", customer: "" };
export const PAGE = 25;

export type Found = { id: number; topic: string; state: string; created_at: string; ended_at?: string | null; resolution_code?: string | null; snippet?: string | null; team_id: number };

/** The query string for `GET /api/v1/conversations`: finished chats unless a state is chosen,
 * `until` made exclusive (the day after), and `before_id` for the next page. */
export function historyQuery(f: HistoryFilters, beforeId: number | null = null): string {
  const p = new URLSearchParams();
  const q = f.q.trim();
  if (q) p.set("q", q);
  for (const s of f.state ? [f.state] : ["closed", "abandoned", "wrap-up"]) p.append("state", s);
  if (f.since) p.set("since", f.since);
  if (f.until) p.set("until", dayAfter(f.until));
  const customer = f.customer.trim();
  if (customer) p.set("customer", customer);
  if (beforeId !== null) p.set("before_id", String(beforeId));
  p.set("limit", String(PAGE));
  return p.toString();
}

export function dayAfter(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export type Results = { items: Found[]; more: boolean };

/** Add a page to the results: a first page replaces them; later pages append, without
 * repeating a conversation already shown. */
export function addPage(old: Results, page: Found[], first: boolean): Results {
  const base = first ? [] : old.items;
  const known = new Set(base.map((c) => c.id));
  return { items: [...base, ...page.filter((c) => !known.has(c.id))], more: page.length === PAGE };
}
