// Admin: canned responses (with a live preview of their variables) and resolution codes.
import { useEffect, useState } from "preact/hooks";
import { errorCode, errorMessage } from "../../../shared/http";
import { api } from "../../api";
import { VARIABLES, preview } from "./canned";
import { useFirstFieldFocus, useOpener } from "./focus";
import { type Failure, type Team, afterEdit, errorField } from "./forms";

type Canned = { id: number; team_id: number | null; shortcut: string; title: string; body: string };
type Code = { code: string; label: string; active: boolean };

const HINTS: Record<string, string> = {
  shortcut: "Use lower-case letters, digits, - and _ only, without spaces.",
  code: "Use lower-case letters, digits, - and _ only, without spaces.",
};

function failure(err: unknown): Failure {
  const code = errorCode(err);
  const field = errorField(err) || (code === "shortcut_taken" ? "shortcut" : "");
  return { field, message: (code === "invalid" && HINTS[field]) || errorMessage(err) };
}

function FieldError(props: { error: Failure; name: string }) {
  return props.error?.field === props.name ? <p class="error" role="alert">{props.error.message}</p> : null;
}

export function CannedResponses(props: { teams: Team[] }) {
  const [rows, setRows] = useState<Canned[]>([]);
  const [editing, setEditing] = useState<Canned | "new" | null>(null);
  const load = async () => setRows(await api<Canned[]>("GET", "/canned-responses"));
  useEffect(() => { void load(); }, []);
  const teamName = (id: number | null) => (id === null ? "All teams" : props.teams.find((t) => t.id === id)?.name ?? `#${id}`);
  const opener = useOpener();
  const open = (canned: Canned | "new") => (e: Event) => { opener.remember(e); setEditing(canned); };
  async function remove(c: Canned) {
    if (!window.confirm(`Delete the canned response /${c.shortcut}?`)) return;
    await api("DELETE", `/canned-responses/${c.id}`);
    await load();
  }
  return (
    <section aria-label="Canned responses">
      <button onClick={open("new")}>New canned response</button>
      {editing && <CannedForm key={editing === "new" ? "new" : editing.id} canned={editing === "new" ? null : editing} teams={props.teams} onDone={async (saved) => { setEditing(null); opener.giveBack(); if (saved) await load(); }} />}
      <table class="rows canned-list">
        <thead><tr><th class="w-l">Shortcut</th><th class="w-title">Title</th><th class="w-m">Team</th><th>Text</th><th class="w-act2"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id}>
              <td data-label="Shortcut">/{c.shortcut}</td><td data-label="Title">{c.title}</td><td data-label="Team">{teamName(c.team_id)}</td>
              <td data-label="Text"><span class="clip" title={c.body}>{c.body}</span></td>
              <td class="act">
                <button class="link" aria-label={`Edit /${c.shortcut}`} onClick={open(c)}>Edit</button>
                <button class="link" aria-label={`Delete /${c.shortcut}`} onClick={() => void remove(c)}>Delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function CannedForm(props: { canned: Canned | null; teams: Team[]; onDone: (saved: boolean) => Promise<void> }) {
  const c = props.canned;
  const [form, setForm] = useState({ team: c?.team_id === null || c === null ? "" : String(c.team_id), shortcut: c?.shortcut ?? "", title: c?.title ?? "", body: c?.body ?? "" });
  const [error, setError] = useState<Failure>(null);
  const ref = useFirstFieldFocus();
  const set = (key: keyof typeof form, field: string = key) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement }) => {
    const value = e.currentTarget.value;
    setForm((f) => ({ ...f, [key]: value }));
    setError((x) => afterEdit(x, field));
  };
  const shown = preview(form.body);
  async function save(e: Event) {
    e.preventDefault();
    const body = { team_id: form.team ? Number(form.team) : null, shortcut: form.shortcut.trim(), title: form.title.trim(), body: form.body };
    try {
      if (c) await api("PUT", `/canned-responses/${c.id}`, body);
      else await api("POST", "/canned-responses", body);
      await props.onDone(true);
    } catch (err) {
      setError(failure(err));
    }
  }
  return (
    <form ref={ref} class="editor wide" aria-label={c ? `Edit /${c.shortcut}` : "New canned response"} onSubmit={save}>
      <div class="field"><label for="c-shortcut">Shortcut (typed after /)</label><input id="c-shortcut" value={form.shortcut} onInput={set("shortcut")} required maxLength={40} /><FieldError error={error} name="shortcut" /></div>
      <div class="field"><label for="c-title">Title</label><input id="c-title" value={form.title} onInput={set("title")} required maxLength={100} /><FieldError error={error} name="title" /></div>
      <div class="field"><label for="c-team">Team</label><select id="c-team" value={form.team} onChange={set("team", "team_id")}><option value="">All teams</option>{props.teams.map((t) => <option key={t.id} value={String(t.id)}>{t.name}</option>)}</select><FieldError error={error} name="team_id" /></div>
      <div class="field full"><label for="c-body">Text</label><textarea id="c-body" rows={4} value={form.body} onInput={set("body")} required maxLength={4000} /><FieldError error={error} name="body" />
        <p class="muted">Variables: {VARIABLES.map((v) => <code key={v}>{`{{${v}}}`} </code>)}</p>
      </div>
      <div class="field full preview" aria-live="polite"><span class="muted">Preview with a sample customer</span><p class="bubble">{shown.text || "…"}</p>
        {shown.unknown.length > 0 && <p class="error" role="alert">Not a variable: {shown.unknown.join(", ")}. It would be left empty.</p>}
      </div>
      {error && !["shortcut", "title", "team_id", "body"].includes(error.field) && <p class="error" role="alert">{error.message}</p>}
      <div class="actions"><button type="submit">{c ? "Save canned response" : "Create canned response"}</button><button type="button" class="link" onClick={() => void props.onDone(false)}>Cancel</button></div>
    </form>
  );
}

export function ResolutionCodes() {
  const [rows, setRows] = useState<Code[]>([]);
  const [form, setForm] = useState({ code: "", label: "" });
  const [error, setError] = useState<Failure>(null);
  const load = async () => setRows(await api<Code[]>("GET", "/resolution-codes"));
  useEffect(() => { void load(); }, []);
  const set = (key: keyof typeof form) => (e: { currentTarget: HTMLInputElement }) => {
    const value = e.currentTarget.value;
    setForm((f) => ({ ...f, [key]: value }));
    setError((x) => afterEdit(x, key));
  };
  async function add(e: Event) {
    e.preventDefault();
    const code = form.code.trim();
    try {
      await api("POST", "/resolution-codes", { code, label: form.label.trim(), active: true });
      setForm({ code: "", label: "" });
      setError(null);
      await load();
    } catch (err) {
      setError(failure(err));
    }
  }
  return (
    <section aria-label="Resolution codes">
      <form class="editor" aria-label="New resolution code" onSubmit={add}>
        <div class="field"><label for="r-code">Code</label><input id="r-code" value={form.code} onInput={set("code")} required maxLength={40} /><FieldError error={error} name="code" /></div>
        <div class="field"><label for="r-label">Label</label><input id="r-label" value={form.label} onInput={set("label")} required maxLength={100} /><FieldError error={error} name="label" /></div>
        {error && !["code", "label"].includes(error.field) && <p class="error" role="alert">{error.message}</p>}
        <div class="actions"><button type="submit">Add code</button></div>
      </form>
      <table class="rows codes">
        <thead><tr><th class="w-l">Code</th><th>Label</th><th class="w-use">In use</th><th class="w-act2"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>{rows.map((r) => <CodeRow key={r.code} code={r} onSaved={load} />)}</tbody>
      </table>
    </section>
  );
}

/** One code, edited in place and saved with its own button; the row's form lives in the last
 * cell (a form may not wrap table cells) and its inputs join it through `form=`. */
function CodeRow(props: { code: Code; onSaved: () => Promise<void> }) {
  const r = props.code;
  const [draft, setDraft] = useState({ label: r.label, active: r.active });
  const [error, setError] = useState<Failure>(null);
  const [saved, setSaved] = useState("");
  const id = `code-${r.code}`;
  const edit = (change: Partial<typeof draft>, field: string) => {
    setDraft((d) => ({ ...d, ...change }));
    setError((x) => afterEdit(x, field));
    setSaved("");
  };
  async function save(e: Event) {
    e.preventDefault();
    const body = { code: r.code, label: draft.label.trim(), active: draft.active };
    try {
      await api("PUT", `/resolution-codes/${encodeURIComponent(r.code)}`, body);
      setError(null);
      setSaved("Saved");
      await props.onSaved();
    } catch (err) {
      setError(failure(err));
    }
  }
  return (
    <tr class={r.active ? "" : "inactive"}>
      <td data-label="Code"><span>{r.code}{!r.active && <span class="muted"> (retired)</span>}</span></td>
      <td data-label="Label">
        <input form={id} aria-label={`Label of ${r.code}`} value={draft.label} maxLength={100} required onInput={(e) => edit({ label: e.currentTarget.value }, "label")} />
        {error && <p class="error" role="alert">{error.message}</p>}
      </td>
      <td data-label="In use">
        <label class="check"><input form={id} type="checkbox" checked={draft.active} onChange={(e) => edit({ active: e.currentTarget.checked }, "active")} /> Offered at wrap-up</label>
      </td>
      <td class="act">
        <form id={id} aria-label={`Edit ${r.code}`} onSubmit={save}>
          <button type="submit" aria-label={`Save ${r.code}`}>Save</button>
          <span class="saved" role="status">{saved}</span>
        </form>
      </td>
    </tr>
  );
}
