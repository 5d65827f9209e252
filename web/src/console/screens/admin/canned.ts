// A canned response's preview, filled the way the server fills it (src/helpline/canned/render.py),
// with sample values, so an admin sees what an agent will send before anyone uses it.

export const VARIABLES = [
  "customer.name", "customer.first_name", "customer.email", "customer.tier",
  "conversation.id", "conversation.topic", "agent.name", "agent.first_name",
] as const;

export const SAMPLE: Record<string, string> = {
  "customer.name": "Ada Lovelace",
  "customer.first_name": "Ada",
  "customer.email": "ada@example.com",
  "customer.tier": "gold",
  "conversation.id": "1042",
  "conversation.topic": "billing",
  "agent.name": "Sam Rivera",
  "agent.first_name": "Sam",
};

const VAR = /\{\{\s*([a-z_]+(?:\.[a-z_]+)*)\s*\}\}/g;

/** The body with each `{{variable}}` filled from `values`; `unknown` lists names that are not
 * variables at all (they would render empty for every customer). */
export function preview(body: string, values: Record<string, string> = SAMPLE): { text: string; unknown: string[] } {
  const unknown = new Set<string>();
  const text = body.replace(VAR, (_, name: string) => {
    if (!(VARIABLES as readonly string[]).includes(name)) unknown.add(name);
    return values[name] ?? "";
  });
  return { text, unknown: [...unknown] };
}
