/**
 * Kategori × hanterad av: per category, the cases first line and the departments handled, most
 * handled by departments first — the questions a contact centre may take over (docs/figures.md).
 */
import { api, ApiError } from "../../api";
import { Alert, useErrorText } from "../../components/bits";
import { DataTable } from "../../components/DataTable";
import { config } from "../../config";
import { formatInteger, formatPercent } from "../../format";
import { directoryNames, useDirectory, usePolling } from "../../hooks";
import { useI18n } from "../../i18n";
import type { Period } from "./figures";

export interface CategoryHandlingRow {
  key: string | null;
  cases: number;
  routed_first_line: number;
  routed_department: number;
  resolved_first_line: number;
  handled_by_department: number;
  handed_off: number;
  pending: number;
  rate: number | null;
}

interface CategoryHandling extends Omit<CategoryHandlingRow, "key"> {
  categories: CategoryHandlingRow[];
}

/** Null when stats does not have the figure (an older stats answers 404). */
async function load(period: Period, organization: string, signal: AbortSignal): Promise<CategoryHandling | null> {
  try {
    return await api<CategoryHandling>("/v1/stats/category-handling", {
      query: { from: period.from, to: period.to, organization: organization || undefined },
      signal,
    });
  } catch (caught) {
    if (caught instanceof ApiError && caught.status === 404) return null;
    throw caught;
  }
}

export function CategoryHandlingCard({ period, organization }: { period: Period; organization: string }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const names = directoryNames(useDirectory());
  const figure = usePolling((signal) => load(period, organization, signal), [period.from, period.to, organization], config.pollFiguresMs);
  const data = figure.data;
  const category = (key: string | null) => (key == null ? t("handling.noCategory") : names.category(key));
  return (
    <section className="panel figure figure--wide" aria-labelledby="category-handling-title" data-testid="category-handling">
      <h2 id="category-handling-title">{t("handling.title")}</h2>
      {figure.error ? <Alert>{errorText(figure.error)}</Alert> : null}
      {figure.loading && !data ? <p className="hint">{t("handling.loading")}</p> : null}
      {!figure.loading && !figure.error && data === null ? <p className="hint">{t("dashboard.notYet")}</p> : null}
      {data ? (
        <>
          <p className="kpi">
            {t("handling.summary", {
              department: formatInteger(data.handled_by_department),
              firstLine: formatInteger(data.resolved_first_line),
              cases: formatInteger(data.cases),
            })}
          </p>
          <DataTable
            id="category-handling-table"
            caption={t("handling.caption")}
            columns={[
              t("handling.category"),
              t("handling.cases"),
              t("handling.routedFirstLine"),
              t("handling.routedDepartment"),
              t("handling.resolvedFirstLine"),
              t("handling.handledByDepartment"),
              t("handling.handedOff"),
              t("handling.pending"),
              t("handling.rate"),
            ]}
            rows={data.categories}
            rowKey={(row) => String(row.key)}
            empty={t("dashboard.noData")}
            cells={(row) => (
              <>
                <td>{category(row.key)}</td>
                <td>{formatInteger(row.cases)}</td>
                <td>{formatInteger(row.routed_first_line)}</td>
                <td>{formatInteger(row.routed_department)}</td>
                <td>{formatInteger(row.resolved_first_line)}</td>
                <td>
                  <strong>{formatInteger(row.handled_by_department)}</strong>
                </td>
                <td>{formatInteger(row.handed_off)}</td>
                <td>{formatInteger(row.pending)}</td>
                <td>{formatPercent(row.rate)}</td>
              </>
            )}
          />
          <p className="hint">{t("handling.explain")}</p>
        </>
      ) : null}
    </section>
  );
}
