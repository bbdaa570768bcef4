/** The staff directory's upkeep: administrators keep everyone, a department's handlers their own. */
import { useEffect, useState, type FormEvent } from "react";
import { api, withQuery } from "../../api";
import { useAnnounce } from "../../components/Announcer";
import { Alert, PageHeading, useErrorText } from "../../components/bits";
import { Options, SelectField, TextField } from "../../components/Field";
import { useAuth } from "../../auth";
import { useDirectory, usePageTitle } from "../../hooks";
import { useI18n } from "../../i18n";
import type { Organization } from "../../types";
import { inSwedishOrder, searchStaff, type ImportResult, type StaffEntry, type StaffWrite } from "./staff";

const EMPTY: StaffWrite = { organization: "", name: "", title: "", department: "", phone: null, email: null, errand_types: [], account: null };

export function StaffPage() {
  const { t } = useI18n();
  usePageTitle(t("staff.title"));
  const { user } = useAuth();
  const directory = useDirectory();
  const errorText = useErrorText();
  const announce = useAnnounce();
  const organizations = (directory?.organizations ?? []).filter(
    (o) => user?.organizations.length === 0 ? user.role === "admin" : user?.organizations.includes(o.id),
  );
  const [organization, setOrganization] = useState("");
  const [q, setQ] = useState("");
  const [people, setPeople] = useState<StaffEntry[]>([]);
  const [editing, setEditing] = useState<{ id: string | null; body: StaffWrite } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const org = organizations.find((o) => o.id === organization) ?? organizations[0];
  const keepable = (department: string) => user?.role === "admin" || (user?.departments ?? []).includes(department);

  useEffect(() => {
    if (!org) return;
    const controller = new AbortController();
    searchStaff(q, org.id, controller.signal)
      .then((found) => setPeople(inSwedishOrder(found)))
      .catch((caught: unknown) => {
        if (!(caught instanceof DOMException && caught.name === "AbortError")) setFailure(errorText(caught));
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q, org?.id, version]);

  function told(message: string) {
    setNotice(message);
    setFailure(null);
    announce(message);
    setVersion((v) => v + 1);
  }

  async function remove(person: StaffEntry) {
    try {
      await api(`/v1/staff/${encodeURIComponent(person.id)}`, { method: "DELETE" });
      told(t("staff.removed", { name: person.name }));
    } catch (caught) {
      setFailure(errorText(caught));
    }
  }

  return (
    <>
      <PageHeading>{t("staff.title")}</PageHeading>
      <p>{t("staff.lead")}</p>
      <div className="filters">
        <SelectField label={t("switchboard.organization")} value={org?.id ?? ""} onChange={(e) => setOrganization(e.target.value)}>
          <Options items={organizations} />
        </SelectField>
        <TextField label={t("switchboard.search")} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      {failure && <Alert>{failure}</Alert>}
      {notice && <Alert kind="success">{notice}</Alert>}
      {org && (
        <div className="button-row">
          <button type="button" className="button" onClick={() => setEditing({ id: null, body: { ...EMPTY, organization: org.id } })}>
            {t("staff.add")}
          </button>
        </div>
      )}
      {editing && org && (
        <StaffForm
          organization={org}
          editing={editing}
          keepable={keepable}
          onDone={(message) => {
            setEditing(null);
            if (message) told(message);
          }}
        />
      )}
      <div className="table-wrap">
        <table className="table table--compact">
          <thead>
            <tr>
              <th scope="col">{t("staff.name")}</th>
              <th scope="col">{t("staff.titleField")}</th>
              <th scope="col">{t("staff.department")}</th>
              <th scope="col">{t("staff.phone")}</th>
              <th scope="col">{t("staff.email")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("staff.editButton")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {people.map((p) => (
              <tr key={p.id}>
                <th scope="row">{p.name}</th>
                <td>{p.title}</td>
                <td>{p.department_name ?? p.department}</td>
                <td className="nowrap">{p.phone}</td>
                <td>{p.email}</td>
                <td>
                  <div className="button-row">
                    {keepable(p.department) && (
                      <>
                        <button
                          type="button"
                          className="button button--secondary button--small"
                          aria-label={t("staff.editLabel", { name: p.name })}
                          onClick={() => setEditing({ id: p.id, body: { ...p } })}
                        >
                          {t("staff.editButton")}
                        </button>
                        <button
                          type="button"
                          className="button button--danger button--small"
                          aria-label={t("staff.removeLabel", { name: p.name })}
                          onClick={() => void remove(p)}
                        >
                          {t("staff.remove")}
                        </button>
                      </>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {org && <ImportForm organization={org} onDone={told} />}
    </>
  );
}

function StaffForm({
  organization,
  editing,
  keepable,
  onDone,
}: {
  organization: Organization;
  editing: { id: string | null; body: StaffWrite };
  keepable: (department: string) => boolean;
  onDone: (message?: string) => void;
}) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [body, setBody] = useState<StaffWrite>(editing.body);
  const [types, setTypes] = useState(editing.body.errand_types.join(", "));
  const [errors, setErrors] = useState<{ name?: string; department?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);

  async function save(event: FormEvent) {
    event.preventDefault();
    const problems = {
      name: body.name.trim() ? undefined : t("staff.nameMissing"),
      department: body.department ? undefined : t("staff.departmentMissing"),
    };
    setErrors(problems);
    if (problems.name || problems.department) return;
    const sent = { ...body, errand_types: types.split(",").map((s) => s.trim()).filter(Boolean), phone: body.phone || null, email: body.email || null, account: body.account || null };
    try {
      const path = editing.id ? `/v1/staff/${encodeURIComponent(editing.id)}` : "/v1/staff";
      await api(path, { method: editing.id ? "PUT" : "POST", json: sent });
      onDone(t("staff.saved", { name: body.name }));
    } catch (caught) {
      setFailure(errorText(caught));
    }
  }

  const set = (field: keyof StaffWrite) => (e: { target: { value: string } }) => setBody({ ...body, [field]: e.target.value });
  return (
    <form className="panel narrow-form" onSubmit={save} noValidate aria-labelledby="staff-form-title">
      <h2 id="staff-form-title">{editing.id ? t("staff.edit", { name: editing.body.name }) : t("staff.add")}</h2>
      {failure && <Alert>{failure}</Alert>}
      <TextField label={t("staff.name")} value={body.name} error={errors.name} maxLength={200} onChange={set("name")} />
      <TextField label={t("staff.titleField")} value={body.title} maxLength={200} onChange={set("title")} />
      <SelectField label={t("staff.department")} value={body.department} error={errors.department} onChange={set("department")}>
        <option value="">{t("staff.chooseDepartment")}</option>
        {organization.departments
          .filter((d) => keepable(d.id))
          .map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
      </SelectField>
      <TextField label={t("staff.phone")} type="tel" value={body.phone ?? ""} maxLength={32} onChange={set("phone")} />
      <TextField label={t("staff.email")} type="email" value={body.email ?? ""} maxLength={254} onChange={set("email")} />
      <TextField label={t("staff.errandTypes")} hint={t("staff.errandTypesHint")} value={types} onChange={(e) => setTypes(e.target.value)} />
      <TextField label={t("staff.account")} hint={t("staff.accountHint")} value={body.account ?? ""} maxLength={200} onChange={set("account")} />
      <div className="button-row">
        <button type="submit" className="button">
          {t("staff.save")}
        </button>
        <button type="button" className="button button--secondary" onClick={() => onDone()}>
          {t("switchboard.cancel")}
        </button>
      </div>
    </form>
  );
}

function ImportForm({ organization, onDone }: { organization: Organization; onDone: (message: string) => void }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function send(event: FormEvent) {
    event.preventDefault();
    if (!file) {
      setFailure(t("staff.chooseFile"));
      return;
    }
    try {
      const answer = await api<ImportResult>(withQuery("/v1/staff/import", { organization: organization.id }), {
        method: "POST",
        body: file,
        headers: { "Content-Type": "text/csv" },
      });
      setResult(answer);
      setFailure(null);
      onDone(t("staff.imported", { created: answer.created, updated: answer.updated }));
    } catch (caught) {
      setFailure(errorText(caught));
    }
  }

  return (
    <form className="panel" onSubmit={send} aria-labelledby="staff-import-title">
      <h2 id="staff-import-title">{t("staff.import")}</h2>
      <p className="hint">{t("staff.importHint")}</p>
      {failure && <Alert>{failure}</Alert>}
      <TextField label={t("staff.importFile")} type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      <button type="submit" className="button">
        {t("staff.importButton")}
      </button>
      {result && result.errors.length > 0 && (
        <>
          <h3>{t("staff.importErrors")}</h3>
          <ul>
            {result.errors.map((e) => (
              <li key={`${e.line}-${e.field}`}>{t("staff.importLine", { line: e.line, message: e.message })}</li>
            ))}
          </ul>
        </>
      )}
    </form>
  );
}
