/**
 * Synpunkter per department they concern, split by kind (docs/figures.md, "Synpunkter"): a table,
 * one row per department, a column per kind, from `GET /v1/stats/synpunkter`.
 */
import { ApiError, api } from "../../api";
import { Alert, useErrorText } from "../../components/bits";
import { config } from "../../config";
import { formatInteger } from "../../format";
import { directoryNames, useDirectory, usePolling } from "../../hooks";
import { useI18n, type MessageKey } from "../../i18n";
import type { Period } from "./figures";

const KINDS = ["praise", "complaint", "suggestion", "question", "unclassified"] as const;
type ByKind = Record<(typeof KINDS)[number], number>;

interface Synpunkter {
  count: number;
  by_kind: ByKind;
  groups: { key: string | null; count: number; by_kind: ByKind }[];
}

export function SynpunkterCard({ period, organization }: { period: Period; organization: string }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const names = directoryNames(useDirectory());
  const figure = usePolling(
    (signal) => api<Synpunkter>("/v1/stats/synpunkter", { query: { from: period.from, to: period.to, organization: organization || undefined }, signal }),
    [period.from, period.to, organization],
    config.pollFiguresMs,
  );
  const s = figure.data;
  const kindName = (kind: string) => t(`synpunkter.kind.${kind}` as MessageKey);
  return (
    <section className="panel figure figure--wide" aria-labelledby="synpunkter-title">
      <h2 id="synpunkter-title">{t("synpunkter.cardTitle")}</h2>
      {figure.error && !(figure.error instanceof ApiError && figure.error.status === 404) ? <Alert>{errorText(figure.error)}</Alert> : null}
      {s ? (
        <>
          <p className="kpi" data-testid="synpunkter-total">
            {t("synpunkter.cardTotal", { count: formatInteger(s.count) })}
          </p>
          {s.groups.length ? (
            <div className="table-wrap" role="region" aria-labelledby="synpunkter-caption" tabIndex={0}>
              <table className="table table--compact">
                <caption id="synpunkter-caption">{t("synpunkter.caption")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("synpunkter.columnDepartment")}</th>
                    {KINDS.map((kind) => (
                      <th scope="col" key={kind}>
                        {kindName(kind)}
                      </th>
                    ))}
                    <th scope="col">{t("synpunkter.columnTotal")}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.groups.map((g) => (
                    <tr key={g.key ?? "none"}>
                      <th scope="row">{g.key ? names.department(g.key) : t("dashboard.noDepartment")}</th>
                      {KINDS.map((kind) => (
                        <td key={kind}>{formatInteger(g.by_kind[kind])}</td>
                      ))}
                      <td>{formatInteger(g.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p>{t("synpunkter.none")}</p>
          )}
        </>
      ) : null}
    </section>
  );
}
