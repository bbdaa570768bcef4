/** Department subscriptions (webhooks) and deliveries with a retry button (notify's API). */
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../api";
import { useAnnounce } from "../../components/Announcer";
import { useOutcome } from "../../components/outcome";
import { Alert, Loading, useErrorText } from "../../components/bits";
import { DataTable } from "../../components/DataTable";
import { Checkbox, focusFirstError, Options, SelectField, TextField } from "../../components/Field";
import { formatDateTime, isoOf } from "../../format";
import { directoryNames, useDirectory, usePolling, useServedOrganizations } from "../../hooks";
import { useI18n } from "../../i18n";
import type { Delivery, Subscription } from "../../types";

const EVENT_TYPES = [
  "case.handed_off",
  "case.reminder_due",
  "case.returned",
  "case.resolved",
  "case.created",
  "case.closed",
  "case.recategorised",
  "case.registered",
  "case.feedback_classified",
  "notice.published",
  "notice.withdrawn",
  "notice.expired",
  "kb.review_due",
  "report.monthly",
  "report.tertial",
];

export function SubscriptionsSection() {
  const { t, label } = useI18n();
  const errorText = useErrorText();
  const directory = useDirectory();
  const names = directoryNames(directory);
  const list = usePolling((signal) => api<Subscription[]>("/v1/subscriptions", { signal }), [], 15000);
  // An administrator whose token lists organisations manages those only; one listing none, all.
  const organizations = useServedOrganizations();
  const onlyOrganization = organizations.length === 1 ? organizations[0].id : "";
  const [values, setValues] = useState({ organization: "", department: "", url: "", secret: "" });
  const [types, setTypes] = useState<string[]>(["case.handed_off", "case.reminder_due"]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const outcome = useOutcome();
  const organization = values.organization || onlyOrganization;
  const departments = organizations.find((o) => o.id === organization)?.departments ?? [];
  const set = (field: keyof typeof values) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: e.target.value }));
  const setOrganization = (e: { target: { value: string } }) => {
    const chosen = e.target.value;
    const kept = organizations.find((o) => o.id === chosen)?.departments.some((d) => d.id === values.department);
    setValues((v) => ({ ...v, organization: chosen, department: kept ? v.department : "" }));
  };

  async function create(event: FormEvent) {
    event.preventDefault();
    outcome.clear();
    const found: Record<string, string> = {};
    if (!organization) found.organization = t("admin.subOrganizationMissing");
    if (!values.department) found.department = t("admin.subDepartmentMissing");
    // Reports alone may go by e-mail only: no webhook address and no secret then.
    const byEmailOnly = !values.url.trim() && !values.secret && types.length > 0 && types.every((e) => e.startsWith("report."));
    if (!byEmailOnly) {
      if (!/^https?:\/\/\S+$/.test(values.url.trim())) found.url = t("admin.subUrlInvalid");
      if (values.secret.length < 16) found.secret = t("admin.subSecretShort");
    }
    if (!types.length) found.types = t("admin.subTypesMissing");
    setErrors(found);
    if (focusFirstError(found, "sub")) return;
    await outcome.attempt(async () => {
      const webhook = byEmailOnly ? {} : { url: values.url.trim(), secret: values.secret };
      try {
        await api("/v1/subscriptions", { json: { organization, department: values.department, ...webhook, event_types: types } });
      } catch (caught) {
        if (caught instanceof ApiError) setErrors(caught.fieldErrors());
        throw caught;
      }
      setValues({ organization: values.organization, department: "", url: "", secret: "" });
      await list.reload();
      return t("admin.subCreated", { department: names.department(values.department), organization: names.organization(organization) });
    });
  }

  async function remove(sub: Subscription) {
    await outcome.attempt(async () => {
      await api(`/v1/subscriptions/${encodeURIComponent(sub.id)}`, { method: "DELETE" });
      await list.reload();
      return t("admin.subDeleted", { url: sub.url ?? t("admin.byEmail") });
    });
  }

  return (
    <section aria-labelledby="subs-heading">
      <h2 id="subs-heading">{t("admin.subscriptions")}</h2>
      <p className="hint">{t("admin.subLead")}</p>
      {outcome.alerts}
      {list.error ? <Alert>{errorText(list.error)}</Alert> : null}
      {!list.data ? (
        list.error ? null : <Loading />
      ) : (
        <DataTable
          id="subs"
          caption={t("admin.subList", { count: list.data.length })}
          columns={[
            t("case.organization"),
            t("case.department"),
            t("admin.url"),
            t("admin.eventTypes"),
            t("admin.active"),
            t("admin.created"),
            <span className="visually-hidden">{t("admin.actions")}</span>,
          ]}
          rows={list.data}
          rowKey={(sub) => sub.id}
          empty={t("admin.noSubscriptions")}
          cells={(sub) => (
            <>
              <td>{sub.organization ? names.organization(sub.organization) : <strong>{t("admin.subNoOrganization")}</strong>}</td>
              <td>{names.department(sub.department)}</td>
              <td className="break">{sub.url ?? t("admin.byEmail")}</td>
              <td>{sub.event_types.map((e) => label("event", e)).join(", ")}</td>
              <td>{sub.active ? t("common.yes") : t("common.no")}</td>
              <td>
                <time dateTime={isoOf(sub.created_at)}>{formatDateTime(sub.created_at)}</time>
              </td>
              <td>
                <button type="button" className="button button--danger button--small" onClick={() => void remove(sub)}>
                  {t("admin.delete")}
                  <span className="visually-hidden"> {t("admin.deleteWhat", { url: sub.url ?? t("admin.byEmail") })}</span>
                </button>
              </td>
            </>
          )}
        />
      )}
      <form onSubmit={create} noValidate className="panel narrow-form" aria-labelledby="sub-new-heading">
        <h3 id="sub-new-heading">{t("admin.subNew")}</h3>
        <SelectField id="sub-organization" label={t("case.organization")} hint={t("admin.subOrganizationHint")} error={errors.organization} value={organization} onChange={setOrganization}>
          {onlyOrganization ? null : <option value="">{t("admin.subOrganizationMissing")}</option>}
          <Options items={organizations} />
        </SelectField>
        <SelectField id="sub-department" label={t("case.department")} error={errors.department} value={values.department} onChange={set("department")} disabled={!organization}>
          <option value="">{organization ? t("actions.chooseDepartment") : t("admin.subChooseOrganizationFirst")}</option>
          <Options items={departments} />
        </SelectField>
        <TextField id="sub-url" label={t("admin.url")} hint={t("admin.urlHint")} type="url" error={errors.url} value={values.url} onChange={set("url")} />
        <TextField id="sub-secret" label={t("admin.secret")} hint={t("admin.secretHint")} type="password" autoComplete="new-password" error={errors.secret} value={values.secret} onChange={set("secret")} />
        <fieldset className="fieldset" aria-describedby={errors.types ? "sub-types-error" : undefined}>
          <legend>{t("admin.eventTypes")}</legend>
          {errors.types ? (
            <p className="field-error" id="sub-types-error">
              {errors.types}
            </p>
          ) : null}
          {EVENT_TYPES.map((type, i) => (
            <Checkbox
              key={type}
              id={i === 0 ? "sub-types" : undefined}
              label={label("event", type)}
              checked={types.includes(type)}
              onChange={(e) => setTypes(e.target.checked ? [...types, type] : types.filter((x) => x !== type))}
            />
          ))}
        </fieldset>
        <button type="submit" className="button">
          {t("admin.subCreate")}
        </button>
      </form>
    </section>
  );
}

export function DeliveriesSection() {
  const { t, label } = useI18n();
  const announce = useAnnounce();
  const errorText = useErrorText();
  const directory = useDirectory();
  const names = directoryNames(directory);
  const [status, setStatus] = useState("failed");
  const [failure, setFailure] = useState<string | null>(null);
  const list = usePolling(
    async (signal) => {
      const data = await api<Delivery[] | { items: Delivery[] }>("/v1/deliveries", { query: { status: status || undefined }, signal });
      return Array.isArray(data) ? data : (data.items ?? []);
    },
    [status],
    10000,
  );

  async function retry(delivery: Delivery) {
    setFailure(null);
    try {
      await api(`/v1/deliveries/${encodeURIComponent(delivery.id)}/retry`, { method: "POST" });
      announce(t("admin.retried"));
      await list.reload();
    } catch (caught) {
      setFailure(errorText(caught));
    }
  }

  const missing = list.error?.status === 404 || list.error?.status === 405;
  return (
    <section aria-labelledby="deliveries-heading">
      <h2 id="deliveries-heading">{t("admin.deliveries")}</h2>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <SelectField label={t("admin.deliveryStatus")} value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="failed">{label("delivery", "failed")}</option>
          <option value="pending">{label("delivery", "pending")}</option>
          <option value="delivered">{label("delivery", "delivered")}</option>
          <option value="">{t("queue.any")}</option>
        </SelectField>
      </form>
      {failure ? <Alert>{failure}</Alert> : null}
      {missing ? <p className="hint">{t("admin.deliveriesNotYet")}</p> : list.error ? <Alert>{errorText(list.error)}</Alert> : null}
      {list.data ? (
        <DataTable
          id="deliveries"
          caption={t("admin.deliveryList", { count: list.data.length })}
          columns={[
            t("admin.when"),
            t("case.ref"),
            t("admin.eventType"),
            t("case.department"),
            t("admin.recipient"),
            t("admin.attempts"),
            t("admin.deliveryStatus"),
            t("admin.lastError"),
            <span className="visually-hidden">{t("admin.actions")}</span>,
          ]}
          rows={list.data}
          rowKey={(d) => d.id}
          empty={t("admin.noDeliveries")}
          cells={(d) => (
            <>
              <td>{formatDateTime(d.last_attempt_at ?? d.created_at ?? null)}</td>
              <td>{d.case_ref ?? "–"}</td>
              <td>{label("event", d.event_type ?? (d.type as string | undefined) ?? "")}</td>
              <td>{names.department(d.department ?? null)}</td>
              <td className="break">{d.recipient ?? d.url ?? "–"}</td>
              <td>{d.attempts ?? "–"}</td>
              <td>{label("delivery", d.status ?? "")}</td>
              <td className="break">{d.reason ?? d.last_error ?? d.error ?? "–"}</td>
              <td>
                {d.status === "failed" ? (
                  <button type="button" className="button button--small" onClick={() => void retry(d)}>
                    {t("admin.retry")}
                    <span className="visually-hidden"> {t("admin.retryWhat", { ref: d.case_ref ?? d.id })}</span>
                  </button>
                ) : null}
              </td>
            </>
          )}
        />
      ) : null}
    </section>
  );
}
