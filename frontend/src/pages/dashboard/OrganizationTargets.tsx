/**
 * With every organisation chosen, each organisation's figures against its own targets (mål): one
 * row per organisation with the value, its target and whether it is met. Several organisations'
 * figure together has no target when theirs differ (docs/figures.md), so this table is where the
 * targets are read.
 */
import { api } from "../../api";
import { Alert, useErrorText } from "../../components/bits";
import { formatPercent } from "../../format";
import { directoryNames, useDirectory, usePolling } from "../../hooks";
import { useI18n, type MessageKey } from "../../i18n";
import { config } from "../../config";
import type { Period } from "./figures";

type Json = Record<string, unknown>;

/** figure → (value field, target field, met field) of stats' answers. */
const COLUMNS: { figure: string; path: string; value: string; target: string; met: string; title: MessageKey }[] = [
  { figure: "answer-rate", path: "answer-rate", value: "answer_rate", target: "target", met: "met", title: "targets.answerRate" },
  { figure: "service-level", path: "answer-rate", value: "service_level", target: "service_level_target", met: "service_level_met", title: "targets.serviceLevel" },
  { figure: "email-response", path: "email-response", value: "share", target: "target", met: "met", title: "targets.emailResponse" },
  { figure: "resolution", path: "resolution", value: "rate", target: "target", met: "met", title: "targets.resolution" },
];

interface Cell {
  value: number | null;
  target: number | null;
  met: boolean | null;
}

const num = (v: unknown): number | null => (typeof v === "number" && !Number.isNaN(v) ? v : null);

async function load(period: Period, signal: AbortSignal): Promise<Map<string, Map<string, Cell>>> {
  const query = { from: period.from, to: period.to, group_by: "organization" };
  const paths = [...new Set(COLUMNS.map((c) => c.path))];
  const answers = await Promise.all(
    paths.map((path) => api<Json>(`/v1/stats/${path}`, { query, signal }).catch((caught: unknown) => ({ failed: caught }) as Json)),
  );
  const byPath = new Map(paths.map((path, i) => [path, answers[i]]));
  const rows = new Map<string, Map<string, Cell>>();
  for (const column of COLUMNS) {
    const answer = byPath.get(column.path);
    const groups = Array.isArray(answer?.groups) ? (answer.groups as Json[]) : [];
    for (const group of groups) {
      const org = String(group.key);
      if (!rows.has(org)) rows.set(org, new Map());
      const met = group[column.met];
      rows.get(org)!.set(column.figure, { value: num(group[column.value]), target: num(group[column.target]), met: typeof met === "boolean" ? met : null });
    }
  }
  return rows;
}

export function OrganizationTargets({ period, organization }: { period: Period; organization: string }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const names = directoryNames(useDirectory());
  const figures = usePolling((signal) => (organization ? Promise.resolve(null) : load(period, signal)), [period.from, period.to, organization], config.pollFiguresMs);
  if (organization) return null;
  const rows = [...(figures.data ?? new Map<string, Map<string, Cell>>()).entries()];
  return (
    <section className="panel figure figure--wide" aria-labelledby="organization-targets-title">
      <h2 id="organization-targets-title">{t("targets.perOrganization")}</h2>
      <p className="hint">{t("targets.perOrganizationHint")}</p>
      {figures.error ? <Alert>{errorText(figures.error)}</Alert> : null}
      {figures.data && !rows.length ? <p>{t("dashboard.noData")}</p> : null}
      {rows.length ? (
        <div className="table-wrap" role="region" aria-labelledby="organization-targets-title" tabIndex={0}>
          <table className="table table--compact" data-testid="organization-targets">
            <thead>
              <tr>
                <th scope="col">{t("dashboard.organization")}</th>
                {COLUMNS.map((c) => (
                  <th key={c.figure} scope="col">
                    {t(c.title)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map(([org, cells]) => (
                <tr key={org}>
                  <th scope="row">{names.organization(org)}</th>
                  {COLUMNS.map((c) => {
                    const cell = cells.get(c.figure);
                    return (
                      <td key={c.figure}>
                        <strong>{formatPercent(cell?.value)}</strong>
                        {cell?.target != null ? <span className="kpi__target"> {t("dashboard.target", { value: formatPercent(cell.target) })}</span> : null}
                        {cell?.met != null ? (
                          <>
                            {" "}
                            <span className={`badge ${cell.met ? "badge--met" : "badge--late"}`}>
                              <span aria-hidden="true">{cell.met ? "✓ " : "✗ "}</span>
                              {t(cell.met ? "dashboard.met" : "dashboard.notMet")}
                            </span>
                          </>
                        ) : null}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
