/**
 * Mål: an administrator sets an organisation's targets and its answer groups' (stats' API,
 * ``PUT /v1/stats/targets/{organization}``). An empty field falls back: answer group → organisation
 * → the setting, which each field shows as its hint. Shares are typed in per cent, NKI as 1–5.
 */
import { useEffect, useState, type FormEvent } from "react";
import { api } from "../../api";
import { useOutcome } from "../../components/outcome";
import { Alert, Loading, useErrorText } from "../../components/bits";
import { focusFirstError, Options, SelectField, TextField } from "../../components/Field";
import { formatDecimal, formatPercent } from "../../format";
import { usePolling, useServedOrganizations } from "../../hooks";
import { useI18n, type MessageKey } from "../../i18n";

const RATIOS = ["answer_rate", "service_level", "email_response", "resolution"] as const;
const QUESTIONS = ["bemotande", "kunskap", "tillganglighet"] as const;
type Field = (typeof RATIOS)[number] | (typeof QUESTIONS)[number];
const FIELDS: Field[] = [...RATIOS, ...QUESTIONS];

interface Level {
  answer_rate?: number | null;
  service_level?: number | null;
  email_response?: number | null;
  resolution?: number | null;
  satisfaction?: Record<string, number | null>;
}
interface OrganizationTargets {
  organization: string;
  set: Level & { answer_groups?: Record<string, Level> };
  effective: Level & { answer_groups?: Record<string, Level> };
}
interface Listing {
  defaults: Level;
  organizations: OrganizationTargets[];
}

/** Values as typed, per level ("" the organisation, else an answer group) and field. */
type Values = Record<string, Partial<Record<Field, string>>>;

const isRatio = (field: Field) => (RATIOS as readonly string[]).includes(field);

function valueOf(level: Level | undefined, field: Field): number | null {
  if (!level) return null;
  const value = isRatio(field) ? level[field as (typeof RATIOS)[number]] : level.satisfaction?.[field];
  return typeof value === "number" ? value : null;
}

function shown(value: number | null, field: Field): string {
  if (value == null) return "";
  return isRatio(field) ? String(Math.round(value * 10000) / 100).replace(".", ",") : String(value).replace(".", ",");
}

function valuesOf(targets: OrganizationTargets): Values {
  const out: Values = { "": {} };
  for (const field of FIELDS) out[""][field] = shown(valueOf(targets.set, field), field);
  for (const [group, level] of Object.entries(targets.set.answer_groups ?? {})) {
    out[group] = {};
    for (const field of FIELDS) out[group][field] = shown(valueOf(level, field), field);
  }
  return out;
}

export function TargetsSection() {
  const { t } = useI18n();
  const errorText = useErrorText();
  const listing = usePolling((signal) => api<Listing>("/v1/stats/targets", { signal }), []);
  const organizations = useServedOrganizations();
  const [chosen, setChosen] = useState("");
  const organization = organizations.find((o) => o.id === chosen) ?? organizations[0];
  const current = listing.data?.organizations.find((o) => o.organization === organization?.id);
  const [values, setValues] = useState<Values>({ "": {} });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const outcome = useOutcome();

  useEffect(() => {
    if (current) setValues(valuesOf(current));
  }, [current]);

  if (!listing.data || !organization) return listing.error ? <Alert>{errorText(listing.error)}</Alert> : <Loading />;

  const set = (level: string, field: Field) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [level]: { ...v[level], [field]: e.target.value } }));

  /** The level's targets as stats takes them, and the fields that are not numbers in range. */
  function parse(level: string, found: Record<string, string>): Level {
    const out: Level = { satisfaction: {} };
    for (const field of FIELDS) {
      const text = (values[level]?.[field] ?? "").trim().replace(",", ".").replace("%", "").trim();
      if (!text) continue;
      const number = Number(text);
      const key = `${level || "org"}-${field}`;
      if (isRatio(field)) {
        if (Number.isNaN(number) || number < 0 || number > 100) found[key] = t("targets.percentInvalid");
        else out[field as (typeof RATIOS)[number]] = Math.round(number * 100) / 10000;
      } else if (Number.isNaN(number) || number < 1 || number > 5) {
        found[key] = t("targets.scoreInvalid");
      } else {
        out.satisfaction![field] = number;
      }
    }
    return out;
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    outcome.clear();
    const found: Record<string, string> = {};
    const body: Level & { answer_groups: Record<string, Level> } = { ...parse("", found), answer_groups: {} };
    for (const group of organization.answer_groups) {
      const level = parse(group.id, found);
      if (Object.keys(level).length > 1 || Object.keys(level.satisfaction ?? {}).length) body.answer_groups[group.id] = level;
    }
    setErrors(found);
    if (focusFirstError(found, "target")) return;
    await outcome.attempt(async () => {
      await api(`/v1/stats/targets/${organization.id}`, { method: "PUT", json: body });
      await listing.reload();
      return t("targets.saved", { organization: organization.name });
    });
  }

  const defaults = listing.data.defaults;
  const fields = (level: string, fallback: Level | undefined) =>
    FIELDS.map((field) => {
      const above = valueOf(fallback, field);
      const hint = above == null ? t("targets.noTarget") : t("targets.otherwise", { value: isRatio(field) ? formatPercent(above) : formatDecimal(above) });
      return (
        <TextField
          key={field}
          id={`target-${level || "org"}-${field}`}
          label={t(`targets.field.${field}` as MessageKey)}
          hint={hint}
          inputMode="decimal"
          value={values[level]?.[field] ?? ""}
          onChange={set(level, field)}
          error={errors[`${level || "org"}-${field}`]}
        />
      );
    });

  return (
    <section aria-labelledby="targets-heading">
      <h2 id="targets-heading">{t("targets.title")}</h2>
      <p>{t("targets.lead")}</p>
      {organizations.length > 1 ? (
        <SelectField label={t("dashboard.organization")} value={organization.id} onChange={(e) => setChosen(e.target.value)}>
          <Options items={organizations} />
        </SelectField>
      ) : null}
      <form onSubmit={(e) => void save(e)} noValidate aria-labelledby="targets-heading">
        <fieldset className="panel">
          <legend>{t("targets.organizationLevel", { organization: organization.name })}</legend>
          {fields("", defaults)}
        </fieldset>
        {organization.answer_groups.map((group) => (
          <details key={group.id} open={Object.values(values[group.id] ?? {}).some(Boolean) || undefined}>
            <summary>{t("targets.groupLevel", { group: group.name })}</summary>
            <fieldset className="panel">
              <legend>{t("targets.groupLevel", { group: group.name })}</legend>
              {fields(group.id, current?.effective)}
            </fieldset>
          </details>
        ))}
        {outcome.alerts}
        <button type="submit" className="button">
          {t("targets.save")}
        </button>
      </form>
    </section>
  );
}
