// Admin: canned responses (with a live preview of their variables) and resolution codes.
import { useEffect, useState } from "preact/hooks";
import { errorCode, errorMessage } from "../../../shared/http";
import { api } from "../../api";
import { VARIABLES, preview } from "./canned";
import { type Team, errorField } from "./forms";

type Canned = { id: number; team_id: number | null; shortcut: string; title: string; body: string };
type Code = { code: string; label: string; active: boolean };
type Failure = { field: string; message: string } | null;

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
  async function remove(c: Canned) {
    if (!window.confirm(`Delete the canned response /${c.shortcut}?`)) return;
    await api("DELETE", `/canned-responses/${c.id}`);
    await load();
  }
  return (
    <section aria-label="Canned responses">
      <button onClick={() => setEditing("new")}>New canned response</button>
      {editing && <CannedForm canned={editing === "new" ? null : editing} teams={props.teams} onDone={async (saved) => { setEditing(null); if (saved) await load(); }} />}
      <table class="rows">
        <thead><tr><th>Shortcut</th><th>Title</th><th>Team</th><th>Text</th><th /></tr></thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id}>
              <td>/{c.shortcut}</td><td>{c.title}</td><td>{teamName(c.team_id)}</td><td class="clip">{c.body}</td>
              <td>
                <button class="link" aria-label={`Edit /${c.shortcut}`} onClick={() => setEditing(c)}>Edit</button>
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
  const set = (key: keyof typeof form) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement }) =>
    setForm((f) => ({ ...f, [key]: e.currentTarget.value }));
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
    <form class="editor wide" aria-label={c ? `Edit /${c.shortcut}` : "New canned response"} onSubmit={save}>
      <div class="field"><label for="c-shortcut">Shortcut (typed after /)</label><input id="c-shortcut" value={form.shortcut} onInput={set("shortcut")} required maxLength={40} /><FieldError error={error} name="shortcut" /></div>
      <div class="field"><label for="c-title">Title</label><input id="c-title" value={form.title} onInput={set("title")} required maxLength={100} /><FieldError error={error} name="title" /></div>
      <div class="field"><label for="c-team">Team</label><select id="c-team" value={form.team} onChange={set("team")}><option value="">All teams</option>{props.teams.map((t) => <option key={t.id} value={String(t.id)}>{t.name}</option>)}</select><FieldError error={error} name="team_id" /></div>
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
  async function put(code: Code) {
    try {
      await api("PUT", `/resolution-codes/${encodeURIComponent(code.code)}`, code);
      setError(null);
      await load();
      return true;
    } catch (err) {
      setError(failure(err));
      return false;
    }
  }
  return (
    <section aria-label="Resolution codes">
      <form class="editor" aria-label="New resolution code" onSubmit={async (e) => {
        e.preventDefault();
        if (await put({ code: form.code.trim(), label: form.label.trim(), active: true })) setForm({ code: "", label: "" });
      }}>
        <div class="field"><label for="r-code">Code</label><input id="r-code" value={form.code} onInput={(e) => setForm((f) => ({ ...f, code: e.currentTarget.value }))} required maxLength={40} /><FieldError error={error} name="code" /></div>
        <div class="field"><label for="r-label">Label</label><input id="r-label" value={form.label} onInput={(e) => setForm((f) => ({ ...f, label: e.currentTarget.value }))} required maxLength={100} /><FieldError error={error} name="label" /></div>
        {error && !["code", "label"].includes(error.field) && <p class="error" role="alert">{error.message}</p>}
        <div class="actions"><button type="submit">Add code</button></div>
      </form>
      <table class="rows">
        <thead><tr><th>Code</th><th>Label</th><th>In use</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.code} class={r.active ? "" : "inactive"}>
              <td>{r.code}</td>
              <td><input aria-label={`Label of ${r.code}`} value={r.label} maxLength={100} onChange={(e) => void put({ ...r, label: e.currentTarget.value })} /></td>
              <td><label class="check"><input type="checkbox" checked={r.active} onChange={(e) => void put({ ...r, active: e.currentTarget.checked })} /> {r.active ? "offered at wrap-up" : "retired"}</label></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
