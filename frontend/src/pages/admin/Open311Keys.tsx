/** Open311-nycklar: issue, list and withdraw the API keys of fault-report apps (`/v1/open311/keys`, intake). */
import { useState, type FormEvent } from "react";
import { api } from "../../api";
import { useOutcome } from "../../components/outcome";
import { Alert, Loading, useErrorText } from "../../components/bits";
import { DataTable } from "../../components/DataTable";
import { focusFirstError, Options, SelectField, TextField } from "../../components/Field";
import { formatDateTime } from "../../format";
import { usePolling, useServedOrganizations } from "../../hooks";
import { useI18n } from "../../i18n";

interface ApiKey {
  id: string;
  name: string;
  organizations: string[];
  requests_per_hour: number;
  requests_per_day: number;
  created_by: string;
  created_at: string;
}

interface Issued extends ApiKey {
  key: string;
}

/** "" → null (the default); a whole number above zero → it; anything else → undefined (invalid). */
function parseLimit(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (!trimmed) return null;
  return /^[1-9]\d{0,6}$/.test(trimmed) ? Number(trimmed) : undefined;
}

export function Open311KeysSection() {
  const { t } = useI18n();
  const errorText = useErrorText();
  const organizations = useServedOrganizations();
  const orgName = (id: string) => organizations.find((o) => o.id === id)?.name ?? id;
  const [values, setValues] = useState({ name: "", organization: "", perHour: "", perDay: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const outcome = useOutcome();
  const [issued, setIssued] = useState<Issued | null>(null);
  const list = usePolling((signal) => api<{ items: ApiKey[] }>("/v1/open311/keys", { signal }), []);
  const organization = values.organization || (organizations.length === 1 ? organizations[0].id : "");

  async function issue(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    const perHour = parseLimit(values.perHour);
    const perDay = parseLimit(values.perDay);
    if (!values.name.trim()) found.name = t("open311.appNameMissing");
    if (!organization) found.organization = t("open311.organizationMissing");
    if (perHour === undefined) found.perHour = t("open311.limitInvalid");
    if (perDay === undefined) found.perDay = t("open311.limitInvalid");
    setErrors(found);
    if (focusFirstError(found, "open311")) return;
    await outcome.attempt(async () => {
      const key = await api<Issued>("/v1/open311/keys", {
        method: "POST",
        json: { name: values.name.trim(), organizations: [organization], requests_per_hour: perHour, requests_per_day: perDay },
      });
      setIssued(key);
      setValues((v) => ({ ...v, name: "", perHour: "", perDay: "" }));
      await list.reload();
      return t("open311.issued", { name: key.name });
    });
  }

  async function withdraw(key: ApiKey) {
    setIssued(null);
    await outcome.attempt(async () => {
      await api(`/v1/open311/keys/${encodeURIComponent(key.id)}`, { method: "DELETE" });
      await list.reload();
      return t("open311.withdrawn", { name: key.name });
    });
  }

  return (
    <section aria-labelledby="open311-heading">
      <h2 id="open311-heading">{t("open311.title")}</h2>
      <p className="hint">{t("open311.lead")}</p>
      {outcome.alerts}
      {issued ? (
        <div className="panel narrow-form">
          <TextField id="open311-issued" label={t("open311.keyLabel", { name: issued.name })} value={issued.key} readOnly onFocus={(e) => e.currentTarget.select()} />
        </div>
      ) : null}
      {list.error ? <Alert>{errorText(list.error)}</Alert> : null}
      {!list.data ? (
        list.error ? null : <Loading />
      ) : (
        <DataTable
          id="open311-keys"
          caption={t("open311.caption")}
          columns={[t("open311.name"), t("open311.organizations"), t("open311.limits"), t("open311.created"), <span className="visually-hidden">{t("admin.actions")}</span>]}
          rows={list.data.items}
          rowKey={(k) => k.id}
          empty={t("open311.none")}
          cells={(k) => (
            <>
              <th scope="row">{k.name}</th>
              <td>{k.organizations.map(orgName).join(", ")}</td>
              <td>
                {k.requests_per_hour} / {k.requests_per_day}
              </td>
              <td>{t("open311.createdBy", { date: formatDateTime(k.created_at), user: k.created_by })}</td>
              <td>
                <button type="button" className="button button--danger button--small" onClick={() => void withdraw(k)}>
                  {t("open311.withdraw")}
                  <span className="visually-hidden"> {t("open311.withdrawWhat", { name: k.name })}</span>
                </button>
              </td>
            </>
          )}
        />
      )}
      <form onSubmit={issue} noValidate className="panel narrow-form" aria-labelledby="open311-new-heading">
        <h3 id="open311-new-heading">{t("open311.new")}</h3>
        <TextField id="open311-name" label={t("open311.appName")} hint={t("open311.appNameHint")} error={errors.name} maxLength={100} value={values.name} onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))} />
        {organizations.length > 1 ? (
          <SelectField id="open311-organization" label={t("open311.organization")} error={errors.organization} value={values.organization} onChange={(e) => setValues((v) => ({ ...v, organization: e.target.value }))}>
            <option value="">{t("open311.chooseOrganization")}</option>
            <Options items={organizations} />
          </SelectField>
        ) : null}
        <TextField id="open311-perHour" label={t("open311.perHour")} hint={t("open311.limitHint")} inputMode="numeric" error={errors.perHour} value={values.perHour} onChange={(e) => setValues((v) => ({ ...v, perHour: e.target.value }))} />
        <TextField id="open311-perDay" label={t("open311.perDay")} hint={t("open311.limitHint")} inputMode="numeric" error={errors.perDay} value={values.perDay} onChange={(e) => setValues((v) => ({ ...v, perDay: e.target.value }))} />
        <button type="submit" className="button">
          {t("open311.create")}
        </button>
      </form>
    </section>
  );
}
