// The admin forms as data: tags typed as text, the changes a form makes to a record, and which
// field a server error belongs to. Pure, unit-tested in web/tests/admin.test.ts.
import { ApiError } from "../../../shared/http";

export type Team = { id: number; name: string; skills: string[]; languages: string[]; concurrency_cap: number; multi_chat: boolean; answer_timeout_s: number; relax_skills_after_s: number | null; is_default: boolean };
export type User = { id: number; email: string; name: string; role: string; skills: string[]; languages: string[]; is_active: boolean; team_ids: number[] };
export const ROLES = ["agent", "supervisor", "qa", "admin"] as const;
/** A refused save: the field it is about ("" for the whole form) and what to tell the admin. */
export type Failure = { field: string; message: string } | null;

/** "Billing, refunds  es" → ["billing", "refunds", "es"]: lower case, commas or spaces between. */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  for (const t of text.toLowerCase().split(/[\s,]+/)) if (t) seen.add(t);
  return [...seen];
}

export function showTags(tags: string[]): string {
  return tags.join(", ");
}

/** Only what changed, so a PATCH never rewrites a field nobody touched. */
export function changes<T extends Record<string, unknown>>(before: T, after: Partial<T>): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    const a = after[key];
    if (JSON.stringify(a) !== JSON.stringify(before[key])) out[key] = a;
  }
  return out;
}

/** Which form field a server error is about (`skills.0` is the skills field), or "" for the form
 * (and for anything thrown that is not an `ApiError`). Fields of the objects named in `nested`
 * keep their whole path (`prechat_fields.email`). */
export function errorField(err: unknown, nested: string[] = []): string {
  const path = (err instanceof ApiError && err.details.fields?.[0]) || "";
  const [head, next] = path.split(".");
  return nested.includes(head) && next ? `${head}.${next}` : head;
}

/** The error left once `field` is edited: the field's own error goes (the admin is fixing it);
 * an error about another field, or the whole form, stays until the next save. */
export function afterEdit(error: Failure, field: string): Failure {
  return error?.field === field ? null : error;
}
