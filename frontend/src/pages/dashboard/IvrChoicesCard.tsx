/**
 * Knappval: calls per choice of the phone menu, with the abandon rate per choice, and the calls per
 * hour of day and weekday (GET /v1/stats/ivr-choices; docs/figures.md "Knappval"). stats gives the
 * digit; the names come from the directory: the answer group with that `ivr_digit`, or the
 * organisation's `ivr_connect_digit`.
 */
import { useState } from "react";
import { api, ApiError } from "../../api";
import { Alert, useErrorText } from "../../components/bits";
import { SelectField } from "../../components/Field";
import { config } from "../../config";
import { formatInteger, formatPercent } from "../../format";
import { useDirectory, usePolling } from "../../hooks";
import { useI18n, type MessageKey } from "../../i18n";
import type { Directory } from "../../types";
import { FigureChart } from "./charts";
import type { Figure, Period } from "./figures";

interface Counts {
  calls: number;
  answered: number;
  abandoned: number;
  short_abandoned: number;
  callbacks: number;
  pending: number;
  transferred: number;
  abandon_rate: number | null;
  by_hour: { hour: number; calls: number }[];
  by_weekday: { weekday: number; calls: number }[];
}

interface ChoiceRow extends Counts {
  organization: string;
  choice: string;
}

interface IvrChoices {
  choices: ChoiceRow[];
  total: Counts;
}

const COLUMNS: [keyof Counts, MessageKey][] = [
  ["calls", "ivr.calls"],
  ["answered", "ivr.answered"],
  ["abandoned", "ivr.abandoned"],
  ["short_abandoned", "ivr.shortAbandoned"],
  ["callbacks", "ivr.callbacks"],
  ["pending", "ivr.pending"],
  ["transferred", "ivr.transferred"],
];

async function load(period: Period, organization: string, signal: AbortSignal): Promise<Figure<IvrChoices>> {
  const query = { from: period.from, to: period.to, organization: organization || undefined };
  try {
    return { state: "ok", data: await api<IvrChoices>("/v1/stats/ivr-choices", { query, signal }) };
  } catch (caught) {
    if (caught instanceof ApiError && (caught.status === 404 || caught.status === 501)) return { state: "missing" };
    if (caught instanceof ApiError) return { state: "error", error: caught };
    throw caught;
  }
}

/** "4 – Bygg, gata, park och miljö", "6 – Koppla till person", "Inget val (direktnummer)". */
function useChoiceName(directory: Directory | null, several: boolean) {
  const { t } = useI18n();
  return (row: { organization: string; choice: string }) => {
    const org = directory?.organizations.find((o) => o.id === row.organization);
    let name: string;
    if (row.choice === "none") name = t("ivr.none");
    else if (org?.ivr_connect_digit === row.choice) name = t("ivr.digit", { digit: row.choice, name: t("ivr.connect") });
    else {
      const group = org?.answer_groups.find((g) => g.ivr_digit === row.choice);
      name = group ? t("ivr.digit", { digit: row.choice, name: group.name }) : t("ivr.unknownDigit", { digit: row.choice });
    }
    return several ? `${org?.name ?? row.organization}: ${name}` : name;
  };
}

export function IvrChoicesCard({ period, organization }: { period: Period; organization: string }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const directory = useDirectory();
  const [shown, setShown] = useState("");
  const loaded = usePolling((signal) => load(period, organization, signal), [period.from, period.to, organization], config.pollFiguresMs);
  const figure = loaded.data;
  const rows = figure?.state === "ok" ? figure.data.choices : [];
  const several = new Set(rows.map((r) => r.organization)).size > 1;
  const nameOf = useChoiceName(directory, several);
  const keyOf = (r: ChoiceRow) => `${r.organization}|${r.choice}`;
  const selected = rows.find((r) => keyOf(r) === shown);
  return (
    <section className="panel figure figure--wide" aria-labelledby="ivr-choices-title">
      <h2 id="ivr-choices-title">{t("ivr.title")}</h2>
      <p className="hint">{t("ivr.lead")}</p>
      {loaded.error ? <Alert>{errorText(loaded.error)}</Alert> : null}
      {figure?.state === "missing" ? <p className="hint">{t("dashboard.notYet")}</p> : null}
      {figure?.state === "error" ? <Alert>{errorText(figure.error)}</Alert> : null}
      {figure?.state === "ok" && !rows.length ? <p>{t("ivr.noCalls")}</p> : null}
      {figure?.state === "ok" && rows.length ? (
        <>
          <div className="table-wrap">
            <table className="table table--compact">
              <caption>{t("ivr.caption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("ivr.choice")}</th>
                  {COLUMNS.map(([, label]) => (
                    <th key={label} scope="col">
                      {t(label)}
                    </th>
                  ))}
                  <th scope="col">{t("ivr.abandonRate")}</th>
                </tr>
              </thead>
              <tbody>
                {[...rows.map((r) => ({ key: keyOf(r), name: nameOf(r), counts: r as Counts })), { key: "total", name: t("ivr.total"), counts: figure.data.total }].map(
                  ({ key, name, counts }) => (
                    <tr key={key}>
                      <th scope="row">{name}</th>
                      {COLUMNS.map(([field]) => (
                        <td key={field}>{formatInteger(counts[field] as number)}</td>
                      ))}
                      <td>{formatPercent(counts.abandon_rate)}</td>
                    </tr>
                  ),
                )}
              </tbody>
            </table>
          </div>
          <SelectField label={t("ivr.show")} value={selected ? shown : ""} onChange={(e) => setShown(e.target.value)}>
            <option value="">{t("ivr.allChoices")}</option>
            {rows.map((r) => (
              <option key={keyOf(r)} value={keyOf(r)}>
                {nameOf(r)}
              </option>
            ))}
          </SelectField>
          <Charts counts={selected ?? figure.data.total} name={selected ? nameOf(selected) : t("ivr.allChoices")} />
        </>
      ) : null}
    </section>
  );
}

function Charts({ counts, name }: { counts: Counts; name: string }) {
  const { t } = useI18n();
  const hours = counts.by_hour.map((h) => String(h.hour).padStart(2, "0"));
  const days = counts.by_weekday.map((d) => t(`ivr.weekday${d.weekday}` as MessageKey));
  const listed = (labels: string[], values: number[]) => labels.map((l, i) => `${l} ${formatInteger(values[i])}`).join(", ");
  const perHour = counts.by_hour.map((h) => h.calls);
  const perDay = counts.by_weekday.map((d) => d.calls);
  return (
    <div className="chart-pair">
      <div>
        <FigureChart
          caption={t("ivr.byHour")}
          labels={hours}
          series={[{ label: t("ivr.calls"), values: perHour }]}
          summary={t("ivr.hourSummary", { choice: name, values: listed(hours, perHour) })}
          format={formatInteger}
          integer
        />
      </div>
      <div>
        <FigureChart
          caption={t("ivr.byWeekday")}
          labels={days}
          series={[{ label: t("ivr.calls"), values: perDay }]}
          summary={t("ivr.weekdaySummary", { choice: name, values: listed(days, perDay) })}
          format={formatInteger}
          integer
        />
      </div>
    </div>
  );
}
