// Admin: the widget's look and pre-chat form (GET/PUT /widget-settings), with a live preview.
// Widgets apply the settings the next time they load.
import { useEffect, useState } from "preact/hooks";
import { isHexColour, textOn } from "../../../shared/colour";
import { errorCode, errorMessage } from "../../../shared/http";
import { api } from "../../api";
import { type Failure, afterEdit, errorField, parseTags, showTags } from "./forms";

type Mode = "required" | "optional" | "hidden";
type Settings = { colour: string; greeting: string; position: "right" | "left"; prechat_fields: { name: Mode; email: Mode }; topics: string[]; updated_at: string | null };

const MODES: { value: Mode; label: string }[] = [
  { value: "required", label: "Required" },
  { value: "optional", label: "Optional" },
  { value: "hidden", label: "Not asked" },
];
// In the form's own words: the server's message for a format error names paths, not fixes.
const HINTS: Record<string, string> = {
  colour: "Enter a colour as # and six hex digits, such as #2454d6.",
  greeting: "Write one line of up to 80 characters.",
  topics: "Up to 20 topics of lower-case letters, digits, - and _ only, separated by commas.",
};

function failure(err: unknown): Failure {
  const field = errorField(err, ["prechat_fields"]);
  return { field, message: (errorCode(err) === "invalid" && HINTS[field]) || errorMessage(err) };
}

function FieldError(props: { error: Failure; name: string }) {
  return props.error?.field === props.name ? <p class="error" id={`w-error-${props.name}`} role="alert">{props.error.message}</p> : null;
}

const FIELDS = ["colour", "greeting", "position", "prechat_fields.name", "prechat_fields.email", "topics"];

export function WidgetSettings() {
  const [form, setForm] = useState<{ colour: string; greeting: string; position: string; name: Mode; email: Mode; topics: string } | null>(null);
  const [error, setError] = useState<Failure>(null);
  const [saved, setSaved] = useState("");
  useEffect(() => {
    api<Settings>("GET", "/widget-settings").then((s) => setForm({
      colour: s.colour, greeting: s.greeting, position: s.position, name: s.prechat_fields.name, email: s.prechat_fields.email, topics: showTags(s.topics),
    })).catch((err) => setError(failure(err)));
  }, []);
  if (!form) return <section aria-label="Widget">{error ? <p class="error" role="alert">{error.message}</p> : <p class="muted">Loading…</p>}</section>;
  const set = (key: keyof typeof form) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => {
    const value = e.currentTarget.value;
    setForm((f) => (f ? { ...f, [key]: value } : f));
    setError((x) => afterEdit(x, key === "name" || key === "email" ? `prechat_fields.${key}` : key));
    setSaved("");
  };
  const shown = isHexColour(form.colour) ? form.colour.toLowerCase() : null;
  const bad = (name: string) => (error?.field === name ? { "aria-invalid": true, "aria-describedby": `w-error-${name}` } : {});
  async function save(e: Event) {
    e.preventDefault();
    if (!form) return;
    const body = {
      colour: form.colour.trim(), greeting: form.greeting.trim(), position: form.position,
      prechat_fields: { name: form.name, email: form.email }, topics: parseTags(form.topics),
    };
    try {
      const s = await api<Settings>("PUT", "/widget-settings", body);
      setForm({ ...form, colour: s.colour, greeting: s.greeting, topics: showTags(s.topics) });
      setError(null);
      setSaved("Saved. Widgets use these settings the next time they load.");
    } catch (err) {
      setError(failure(err));
    }
  }
  return (
    <section aria-label="Widget">
      <form class="editor wide widget-settings" aria-label="Widget settings" onSubmit={save}>
        <div class={error?.field === "colour" ? "field bad" : "field"}>
          <label for="w-colour">Colour</label>
          <div class="colour-pick">
            <input type="color" aria-label="Pick the colour" value={shown ?? "#2454d6"} onInput={set("colour")} />
            <input id="w-colour" value={form.colour} onInput={set("colour")} maxLength={7} spellcheck={false} autoComplete="off" {...bad("colour")} />
          </div>
          <FieldError error={error} name="colour" />
        </div>
        <div class={error?.field === "greeting" ? "field bad" : "field"}>
          <label for="w-greeting">Greeting (the widget's title)</label>
          <input id="w-greeting" value={form.greeting} onInput={set("greeting")} required maxLength={80} {...bad("greeting")} />
          <FieldError error={error} name="greeting" />
        </div>
        <div class="field">
          <label for="w-position">Position</label>
          <select id="w-position" value={form.position} onChange={set("position")}>
            <option value="right">Bottom right</option>
            <option value="left">Bottom left</option>
          </select>
          <FieldError error={error} name="position" />
        </div>
        <div class="field">
          <label for="w-name">Name field</label>
          <select id="w-name" value={form.name} onChange={set("name")}>{MODES.map((m) => <option key={m.value} value={m.value}>{m.label}</option>)}</select>
          <FieldError error={error} name="prechat_fields.name" />
        </div>
        <div class="field">
          <label for="w-email">Email field</label>
          <select id="w-email" value={form.email} onChange={set("email")} aria-describedby="w-email-note">{MODES.map((m) => <option key={m.value} value={m.value}>{m.label}</option>)}</select>
          <p class="muted note" id="w-email-note">With no one online, the widget always asks for an e-mail.</p>
          <FieldError error={error} name="prechat_fields.email" />
        </div>
        <div class={error?.field === "topics" ? "field full bad" : "field full"}>
          <label for="w-topics">Topics offered (empty: the teams' skills)</label>
          <input id="w-topics" value={form.topics} onInput={set("topics")} placeholder="billing, returns" {...bad("topics")} />
          <FieldError error={error} name="topics" />
        </div>
        <Preview colour={shown} greeting={form.greeting} position={form.position} />
        {error && !FIELDS.includes(error.field) && <p class="error" role="alert">{error.message}</p>}
        <div class="actions"><button type="submit">Save widget settings</button>{saved && <span role="status">{saved}</span>}</div>
      </form>
    </section>
  );
}

/** The header, a send button and the launcher in the chosen colour and corner. */
function Preview(props: { colour: string | null; greeting: string; position: string }) {
  const colour = props.colour ?? "#2454d6";
  const paint = { background: colour, color: textOn(colour) };
  return (
    <div class="field full">
      <span class="muted" id="w-preview-label">Preview{props.colour ? "" : " (the colour is not valid yet)"}</span>
      <div class={`widget-preview ${props.position === "left" ? "left" : "right"}`} aria-labelledby="w-preview-label" role="group" data-testid="widget-preview">
        <div class="mock">
          <div class="mock-bar" style={paint}>{props.greeting.trim() || "…"}</div>
          <div class="mock-body"><span class="mock-send" style={paint}>Send</span></div>
        </div>
        <span class="mock-launcher" style={paint} aria-hidden="true">💬</span>
      </div>
    </div>
  );
}
