// Admin: teams and users, created and changed here instead of through the API; canned responses
// and resolution codes (Catalog.tsx) and the widget's settings (Widget.tsx) in their own modules.
import { useEffect, useState } from "preact/hooks";
import { errorCode, errorMessage } from "../../../shared/http";
import { api } from "../../api";
import { CannedResponses, ResolutionCodes } from "./Catalog";
import { WidgetSettings } from "./Widget";
import { useFirstFieldFocus, useOpener } from "./focus";
import { type Failure, ROLES, type Team, type User, afterEdit, changes, errorField, parseTags, showTags } from "./forms";

// What to say when the server refuses a field's format (its own message names paths, not fixes).
const FORMAT_HINTS: Record<string, string> = {
  skills: "Use lower-case letters, digits, - and _ only, separated by commas.",
  languages: "Use language codes such as en, es or pt-br, separated by commas.",
  email: "Enter an e-mail address such as ana@example.com.",
};

function failure(err: unknown): Failure {
  const field = errorField(err);
  const hint = errorCode(err) === "invalid" ? FORMAT_HINTS[field] : undefined;
  return { field, message: hint ?? errorMessage(err) };
}

/** A label and its input, with the server's message under it when the error is about it. */
function Field(props: { label: string; name: string; error: Failure; children: preact.ComponentChildren }) {
  const id = `f-${props.name}`;
  const bad = props.error?.field === props.name;
  return (
    <div class={bad ? "field bad" : "field"}>
      <label for={id}>{props.label}</label>
      {props.children}
      {bad && <p class="error" id={`${id}-error`} role="alert">{props.error?.message}</p>}
    </div>
  );
}

export function Admin() {
  const [tab, setTab] = useState<"teams" | "users" | "canned" | "codes" | "widget">("teams");
  const [teams, setTeams] = useState<Team[]>([]);
  const [users, setUsers] = useState<User[]>([]);
  const reload = async () => {
    const [t, u] = await Promise.all([api<Team[]>("GET", "/teams"), api<User[]>("GET", "/users")]);
    setTeams(t);
    setUsers(u);
  };
  useEffect(() => { void reload(); }, []);
  return (
    <main class="admin">
      <h2>Administration</h2>
      <nav class="subtabs" aria-label="Administration">
        <button class={tab === "teams" ? "tab on" : "tab"} aria-current={tab === "teams" ? "page" : undefined} onClick={() => setTab("teams")}>Teams</button>
        <button class={tab === "users" ? "tab on" : "tab"} aria-current={tab === "users" ? "page" : undefined} onClick={() => setTab("users")}>Users</button>
        <button class={tab === "canned" ? "tab on" : "tab"} aria-current={tab === "canned" ? "page" : undefined} onClick={() => setTab("canned")}>Canned responses</button>
        <button class={tab === "codes" ? "tab on" : "tab"} aria-current={tab === "codes" ? "page" : undefined} onClick={() => setTab("codes")}>Resolution codes</button>
        <button class={tab === "widget" ? "tab on" : "tab"} aria-current={tab === "widget" ? "page" : undefined} onClick={() => setTab("widget")}>Widget</button>
      </nav>
      {tab === "teams" && <Teams teams={teams} onSaved={reload} />}
      {tab === "users" && <Users users={users} teams={teams} onSaved={reload} />}
      {tab === "canned" && <CannedResponses teams={teams} />}
      {tab === "codes" && <ResolutionCodes />}
      {tab === "widget" && <WidgetSettings />}
    </main>
  );
}

function Teams(props: { teams: Team[]; onSaved: () => Promise<void> }) {
  const [editing, setEditing] = useState<Team | "new" | null>(null);
  const opener = useOpener();
  const open = (team: Team | "new") => (e: Event) => { opener.remember(e); setEditing(team); };
  return (
    <section aria-label="Teams">
      <button onClick={open("new")}>New team</button>
      {editing && <TeamForm key={editing === "new" ? "new" : editing.id} team={editing === "new" ? null : editing} onDone={async (saved) => { setEditing(null); opener.giveBack(); if (saved) await props.onSaved(); }} />}
      <table class="rows teams">
        <thead><tr><th>Name</th><th>Skills</th><th class="w-m">Languages</th><th class="w-s">Chats each</th><th class="w-s">Answer within</th><th class="w-m">Skills dropped after</th><th class="w-act"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {props.teams.map((t) => (
            <tr key={t.id}>
              <td data-label="Name">{t.name}</td><td data-label="Skills">{showTags(t.skills)}</td><td data-label="Languages">{showTags(t.languages)}</td>
              <td data-label="Chats each">{t.multi_chat ? t.concurrency_cap : 1}</td><td data-label="Answer within">{t.answer_timeout_s} s</td>
              <td data-label="Skills dropped after">{t.relax_skills_after_s == null ? "default" : `${t.relax_skills_after_s} s`}</td>
              <td class="act"><button class="link" aria-label={`Edit team ${t.name}`} onClick={open(t)}>Edit</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function TeamForm(props: { team: Team | null; onDone: (saved: boolean) => Promise<void> }) {
  const t = props.team;
  const [form, setForm] = useState({ name: t?.name ?? "", skills: showTags(t?.skills ?? []), languages: showTags(t?.languages ?? []), cap: String(t?.concurrency_cap ?? 2), multi: t?.multi_chat ?? true, timeout: String(t?.answer_timeout_s ?? 45), relax: t?.relax_skills_after_s == null ? "" : String(t.relax_skills_after_s) });
  const [error, setError] = useState<Failure>(null);
  const ref = useFirstFieldFocus();
  const set = (key: keyof typeof form, field: string = key) => (e: { currentTarget: HTMLInputElement }) => {
    const value = e.currentTarget.type === "checkbox" ? e.currentTarget.checked : e.currentTarget.value;
    setForm((f) => ({ ...f, [key]: value }));
    setError((x) => afterEdit(x, field));
  };
  async function save(e: Event) {
    e.preventDefault();
    const body = { name: form.name.trim(), skills: parseTags(form.skills), languages: parseTags(form.languages), concurrency_cap: Number(form.cap), multi_chat: form.multi, answer_timeout_s: Number(form.timeout), relax_skills_after_s: form.relax.trim() === "" ? null : Number(form.relax) };
    try {
      if (t) await api("PATCH", `/teams/${t.id}`, changes(t, body));
      else await api("POST", "/teams", body);
      await props.onDone(true);
    } catch (err) {
      setError(failure(err));
    }
  }
  return (
    <form ref={ref} class="editor" aria-label={t ? `Edit team ${t.name}` : "New team"} onSubmit={save}>
      <Field label="Name" name="name" error={error}><input id="f-name" value={form.name} onInput={set("name")} required maxLength={100} /></Field>
      <Field label="Skills (topics it answers)" name="skills" error={error}><input id="f-skills" value={form.skills} onInput={set("skills")} placeholder="billing, refunds" /></Field>
      <Field label="Languages" name="languages" error={error}><input id="f-languages" value={form.languages} onInput={set("languages")} placeholder="en, es" /></Field>
      <Field label="Chats per agent" name="concurrency_cap" error={error}><input id="f-concurrency_cap" type="number" min={1} max={20} value={form.cap} onInput={set("cap", "concurrency_cap")} /></Field>
      <Field label="Answer an offer within (seconds)" name="answer_timeout_s" error={error}><input id="f-answer_timeout_s" type="number" min={5} max={600} value={form.timeout} onInput={set("timeout", "answer_timeout_s")} /></Field>
      <Field label="Drop skills after (seconds)" name="relax_skills_after_s" error={error}><input id="f-relax_skills_after_s" type="number" min={0} max={86400} value={form.relax} onInput={set("relax", "relax_skills_after_s")} placeholder="server default" aria-describedby="f-relax-hint" /><small id="f-relax-hint">How long a chat waits for an agent with the skills it needs; empty uses the server's default.</small></Field>
      <div class="field check"><label><input type="checkbox" checked={form.multi} onChange={set("multi", "multi_chat")} /> Several chats at once</label></div>
      {error && !error.field && <p class="error" role="alert">{error.message}</p>}
      <div class="actions"><button type="submit">{t ? "Save team" : "Create team"}</button><button type="button" class="link" onClick={() => void props.onDone(false)}>Cancel</button></div>
    </form>
  );
}

function Users(props: { users: User[]; teams: Team[]; onSaved: () => Promise<void> }) {
  const [editing, setEditing] = useState<User | "new" | null>(null);
  const teamName = (id: number) => props.teams.find((t) => t.id === id)?.name ?? `#${id}`;
  const opener = useOpener();
  const open = (user: User | "new") => (e: Event) => { opener.remember(e); setEditing(user); };
  return (
    <section aria-label="Users">
      <button onClick={open("new")}>New user</button>
      {editing && <UserForm key={editing === "new" ? "new" : editing.id} user={editing === "new" ? null : editing} teams={props.teams} onDone={async (saved) => { setEditing(null); opener.giveBack(); if (saved) await props.onSaved(); }} />}
      <table class="rows users">
        <thead><tr><th>Name</th><th class="w-mail">E-mail</th><th class="w-m">Role</th><th>Teams</th><th>Skills</th><th class="w-act"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {props.users.map((u) => (
            <tr key={u.id} class={u.is_active ? "" : "inactive"}>
              <td data-label="Name">{u.name}{!u.is_active && " (deactivated)"}</td><td data-label="E-mail"><Email address={u.email} /></td><td data-label="Role">{u.role}</td>
              <td data-label="Teams">{u.team_ids.map(teamName).join(", ")}</td><td data-label="Skills">{showTags(u.skills)}</td>
              <td class="act"><button class="link" aria-label={`Edit user ${u.name}`} onClick={open(u)}>Edit</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** An address that breaks, when it must, before its @ rather than inside a word. */
function Email(props: { address: string }) {
  const at = props.address.lastIndexOf("@");
  if (at <= 0) return <>{props.address}</>;
  return <span>{props.address.slice(0, at)}<wbr />{props.address.slice(at)}</span>;
}

function UserForm(props: { user: User | null; teams: Team[]; onDone: (saved: boolean) => Promise<void> }) {
  const u = props.user;
  const [form, setForm] = useState({ email: u?.email ?? "", name: u?.name ?? "", role: u?.role ?? "agent", password: "", skills: showTags(u?.skills ?? []), languages: showTags(u?.languages ?? []), team_ids: u?.team_ids ?? [], active: u?.is_active ?? true });
  const [error, setError] = useState<Failure>(null);
  const ref = useFirstFieldFocus();
  const set = (key: keyof typeof form, field: string = key) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => {
    const value = e.currentTarget instanceof HTMLInputElement && e.currentTarget.type === "checkbox" ? e.currentTarget.checked : e.currentTarget.value;
    setForm((f) => ({ ...f, [key]: value }));
    setError((x) => afterEdit(x, field));
  };
  const toggleTeam = (id: number) => {
    setForm((f) => ({ ...f, team_ids: f.team_ids.includes(id) ? f.team_ids.filter((x) => x !== id) : [...f.team_ids, id] }));
    setError((x) => afterEdit(x, "team_ids"));
  };
  async function save(e: Event) {
    e.preventDefault();
    const common = { name: form.name.trim(), role: form.role, skills: parseTags(form.skills), languages: parseTags(form.languages), team_ids: form.team_ids };
    try {
      if (u) {
        const patch: Record<string, unknown> = changes(u, { ...common, is_active: form.active });
        if (form.password) patch.password = form.password;
        await api("PATCH", `/users/${u.id}`, patch);
      } else {
        await api("POST", "/users", { ...common, email: form.email.trim(), password: form.password });
      }
      await props.onDone(true);
    } catch (err) {
      setError(failure(err));
    }
  }
  return (
    <form ref={ref} class="editor" aria-label={u ? `Edit user ${u.name}` : "New user"} onSubmit={save}>
      {!u && <Field label="E-mail" name="email" error={error}><input id="f-email" type="email" value={form.email} onInput={set("email")} required maxLength={254} autoComplete="off" /></Field>}
      <Field label="Name" name="name" error={error}><input id="f-name" value={form.name} onInput={set("name")} required maxLength={100} /></Field>
      <Field label="Role" name="role" error={error}><select id="f-role" value={form.role} onChange={set("role")}>{ROLES.map((r) => <option key={r} value={r}>{r}</option>)}</select></Field>
      <Field label={u ? "New password (leave empty to keep; setting one ends their sessions)" : "Password"} name="password" error={error}><input id="f-password" type="password" value={form.password} onInput={set("password")} required={!u} autoComplete="new-password" maxLength={200} /></Field>
      <Field label="Skills" name="skills" error={error}><input id="f-skills" value={form.skills} onInput={set("skills")} placeholder="billing, refunds" /></Field>
      <Field label="Languages" name="languages" error={error}><input id="f-languages" value={form.languages} onInput={set("languages")} placeholder="en, es" /></Field>
      <fieldset class="field"><legend>Teams</legend>
        {props.teams.map((t) => <label key={t.id} class="check"><input type="checkbox" checked={form.team_ids.includes(t.id)} onChange={() => toggleTeam(t.id)} /> {t.name}</label>)}
        {error?.field === "team_ids" && <p class="error" role="alert">{error.message}</p>}
      </fieldset>
      {u && <div class="field check"><label><input type="checkbox" checked={form.active} onChange={set("active", "is_active")} /> Active (unticking signs them out everywhere)</label></div>}
      {error && !error.field && <p class="error" role="alert">{error.message}</p>}
      <div class="actions"><button type="submit">{u ? "Save user" : "Create user"}</button><button type="button" class="link" onClick={() => void props.onDone(false)}>Cancel</button></div>
    </form>
  );
}
