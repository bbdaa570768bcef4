/** The directory, the active ruleset and the simulator (routing's API). */
import { useState, type FormEvent } from "react";
import { api } from "../../api";
import { Alert, Loading, useErrorText } from "../../components/bits";
import { Options, SelectField, TextArea, TextField } from "../../components/Field";
import { directoryNames, useDirectory, usePolling } from "../../hooks";
import { useI18n } from "../../i18n";
import type { RoutingDecision } from "../../types";

export function DirectorySection() {
  const { t, label } = useI18n();
  const directory = useDirectory();
  const names = directoryNames(directory);
  if (!directory) return <Loading />;
  return (
    <section aria-labelledby="directory-heading">
      <h2 id="directory-heading">{t("admin.directory")}</h2>
      {directory.organizations.map((org) => (
        <section key={org.id} className="panel" aria-labelledby={`org-${org.id}`}>
          <h3 id={`org-${org.id}`}>
            {org.name} <span className="hint">({org.code}{org.default ? `, ${t("admin.default")}` : ""})</span>
          </h3>
          <div className="table-wrap" role="region" aria-labelledby={`dept-${org.id}`} tabIndex={0}>
            <table className="table table--compact">
              <caption id={`dept-${org.id}`}>{t("admin.departments", { org: org.name })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("admin.id")}</th>
                  <th scope="col">{t("admin.name")}</th>
                  <th scope="col">{t("form.email")}</th>
                  <th scope="col">{t("admin.onCall")}</th>
                  <th scope="col">{t("case.confidential")}</th>
                </tr>
              </thead>
              <tbody>
                {org.departments.map((d) => (
                  <tr key={d.id}>
                    <td>{d.id}</td>
                    <td>{d.name}</td>
                    <td>{d.email ?? "–"}</td>
                    <td>{d.on_call_phone ?? "–"}</td>
                    <td>{d.confidential ? t("common.yes") : t("common.no")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="table-wrap" role="region" aria-labelledby={`groups-${org.id}`} tabIndex={0}>
            <table className="table table--compact">
              <caption id={`groups-${org.id}`}>{t("admin.answerGroups", { org: org.name })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("admin.id")}</th>
                  <th scope="col">{t("admin.name")}</th>
                  <th scope="col">{t("admin.ivr")}</th>
                  <th scope="col">{t("admin.servesDepartments")}</th>
                </tr>
              </thead>
              <tbody>
                {org.answer_groups.map((g) => (
                  <tr key={g.id}>
                    <td>{g.id}</td>
                    <td>{g.name}</td>
                    <td>{g.ivr_digit ?? "–"}</td>
                    <td>{(g.departments ?? []).map((d) => names.department(d)).join(", ") || "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <details>
            <summary>{t("admin.categories", { count: org.categories.length })}</summary>
            <div className="table-wrap" role="region" aria-label={t("admin.categoriesOf", { org: org.name })} tabIndex={0}>
              <table className="table table--compact">
                <thead>
                  <tr>
                    <th scope="col">{t("admin.id")}</th>
                    <th scope="col">{t("admin.name")}</th>
                    <th scope="col">{t("case.department")}</th>
                    <th scope="col">{t("case.rosa")}</th>
                    <th scope="col">{t("case.handledBy")}</th>
                  </tr>
                </thead>
                <tbody>
                  {org.categories.map((c) => (
                    <tr key={c.id}>
                      <td>{c.id}</td>
                      <td>{c.name}</td>
                      <td>{names.department(c.department)}</td>
                      <td>{c.rosa_level ?? "–"}</td>
                      <td>{label("handledBy", c.handled_by)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </section>
      ))}
    </section>
  );
}

interface Ruleset {
  version?: number | string;
  rules?: Record<string, unknown>[];
  active?: boolean;
  [key: string]: unknown;
}

export function RulesSection() {
  const { t } = useI18n();
  const errorText = useErrorText();
  const rules = usePolling((signal) => api<Ruleset>("/v1/rules", { signal }), []);
  return (
    <section aria-labelledby="rules-heading">
      <h2 id="rules-heading">{t("admin.rules")}</h2>
      {rules.error ? <Alert>{errorText(rules.error)}</Alert> : null}
      {!rules.data ? (
        rules.error ? null : <Loading />
      ) : (
        <>
          <p>{t("admin.rulesVersion", { version: String(rules.data.version ?? "–") })}</p>
          {rules.data.rules?.length ? (
            <ol className="rules">
              {rules.data.rules.map((rule, i) => (
                <li key={String(rule.id ?? i)} className="panel panel--quiet">
                  <p>
                    <strong>{String(rule.name ?? rule.id ?? t("admin.rule", { n: i + 1 }))}</strong>
                    {rule.description ? ` – ${String(rule.description)}` : ""}
                  </p>
                  <pre className="code" tabIndex={0}>{JSON.stringify({ when: rule.when ?? rule.conditions, then: rule.then ?? rule.actions }, null, 2)}</pre>
                </li>
              ))}
            </ol>
          ) : (
            <p>{t("admin.noRules")}</p>
          )}
          <details>
            <summary>{t("admin.rawRules")}</summary>
            <pre className="code" tabIndex={0}>{JSON.stringify(rules.data, null, 2)}</pre>
          </details>
        </>
      )}
    </section>
  );
}

const SIM_CHANNELS = ["email", "webform", "facebook", "phone", "visit", "letter", "open311"];

export function SimulationSection() {
  const { t, label } = useI18n();
  const errorText = useErrorText();
  const directory = useDirectory();
  const names = directoryNames(directory);
  const [values, setValues] = useState({ organization: "", channel: "email", text: "", form_id: "", category_hint: "", ivr_choice: "" });
  const [decision, setDecision] = useState<RoutingDecision | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const set = (field: keyof typeof values) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: e.target.value }));
  const organization = values.organization || directory?.organizations.find((o) => o.default)?.id || directory?.organizations[0]?.id || "";

  async function simulate(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    if (!values.text.trim()) {
      setError(t("admin.simTextMissing"));
      document.getElementById("sim-text")?.focus();
      return;
    }
    setError(null);
    const body: Record<string, unknown> = { channel: values.channel, organization, text: values.text.trim() };
    if (values.form_id.trim()) body.form_id = values.form_id.trim();
    if (values.category_hint.trim()) body.category_hint = values.category_hint.trim();
    if (values.ivr_choice.trim()) body.ivr_choice = values.ivr_choice.trim();
    try {
      const result = await api<{ decision: RoutingDecision }>("/v1/rules/simulate", { json: body });
      setDecision(result.decision);
    } catch (caught) {
      setDecision(null);
      setFailure(errorText(caught));
    }
  }

  return (
    <section aria-labelledby="sim-heading">
      <h2 id="sim-heading">{t("admin.simulate")}</h2>
      <p className="hint">{t("admin.simLead")}</p>
      <form onSubmit={simulate} noValidate className="narrow-form">
        <SelectField label={t("case.organization")} value={organization} onChange={set("organization")}>
          <Options items={(directory?.organizations ?? [])} />
        </SelectField>
        <SelectField label={t("case.channel")} value={values.channel} onChange={set("channel")}>
          {SIM_CHANNELS.map((c) => (
            <option key={c} value={c}>
              {label("channel", c)}
            </option>
          ))}
        </SelectField>
        <TextArea id="sim-text" label={t("admin.simText")} error={error} value={values.text} onChange={set("text")} rows={4} />
        <details>
          <summary>{t("admin.simMore")}</summary>
          <TextField label={t("admin.simForm")} value={values.form_id} onChange={set("form_id")} />
          <TextField label={t("admin.simHint")} value={values.category_hint} onChange={set("category_hint")} />
          <TextField label={t("admin.simIvr")} value={values.ivr_choice} onChange={set("ivr_choice")} inputMode="numeric" />
        </details>
        <button type="submit" className="button">
          {t("admin.simRun")}
        </button>
      </form>
      {failure ? <Alert>{failure}</Alert> : null}
      <div aria-live="polite">
        {decision ? (
          <section className="panel" aria-labelledby="decision-heading">
            <h3 id="decision-heading">{t("admin.decision")}</h3>
            <dl className="facts">
              <dt>{t("case.handledBy")}</dt>
              <dd>{label("handledBy", decision.handled_by)}</dd>
              <dt>{t("case.category")}</dt>
              <dd>
                {names.category(decision.category)} ({decision.category})
              </dd>
              <dt>{t("case.answerGroup")}</dt>
              <dd>{names.answerGroup(decision.answer_group)}</dd>
              <dt>{t("case.department")}</dt>
              <dd>{names.department(decision.department)}</dd>
              <dt>{t("case.rosa")}</dt>
              <dd>{decision.rosa_level ?? "–"}</dd>
              <dt>{t("case.priority")}</dt>
              <dd>{label("priority", decision.priority)}</dd>
              <dt>{t("case.confidential")}</dt>
              <dd>{decision.confidential ? t("common.yes") : t("common.no")}</dd>
              <dt>{t("admin.matchedRules")}</dt>
              <dd>{decision.matched_rules?.join(", ") || "–"}</dd>
            </dl>
            <h4>{t("admin.explanation")}</h4>
            <p className="explanation">{decision.explanation}</p>
          </section>
        ) : null}
      </div>
    </section>
  );
}
