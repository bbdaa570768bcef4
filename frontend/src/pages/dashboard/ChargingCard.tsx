/** Debitering: what each department is charged for in the period (`GET /v1/stats/invoice`). */
import { useState } from "react";
import { ApiError, api, download } from "../../api";
import { Alert, useErrorText } from "../../components/bits";
import { DataTable } from "../../components/DataTable";
import { config } from "../../config";
import { formatInteger } from "../../format";
import { directoryNames, useDirectory, usePolling } from "../../hooks";
import { useI18n, type MessageKey } from "../../i18n";
import type { Period } from "./figures";

export const UNITS = ["first_line", "handed_off", "calls_answered", "calls_transferred", "synpunkter"] as const;
export type Unit = (typeof UNITS)[number];

interface InvoiceUnit {
  unit: Unit;
  count: number;
  price: string | null;
  amount: string | null;
}

interface InvoiceLine {
  department: string | null;
  answer_group: string | null;
  departments: string[];
  name: string | null;
  in_directory: boolean;
  charged: boolean;
  units: InvoiceUnit[];
  amount: string | null;
  pending: number;
}

interface OrganizationInvoice {
  organization: string;
  lines: InvoiceLine[];
  amount: string;
  unpriced: number;
  pending: number;
}

interface Invoice {
  period: string;
  organizations: OrganizationInvoice[];
}

/** SEK as stats gives it ("1234.50") in Swedish writing: "1 234,50 kr" (English: "SEK 1,234.50"). */
export function formatSek(amount: string | null | undefined, language: string): string {
  if (amount == null) return "–";
  const [whole, part = "00"] = amount.split(".");
  const separator = language === "sv" ? "\u00a0" : ",";
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  return language === "sv" ? `${grouped},${part}\u00a0kr` : `SEK\u00a0${grouped}.${part}`;
}

function query(period: Period, organization: string): Record<string, string | undefined> {
  return {
    period: period.tertial,
    from: period.tertial ? undefined : period.from,
    to: period.tertial ? undefined : period.to,
    organization: organization || undefined,
  };
}

export function ChargingCard({ period, organization }: { period: Period; organization: string }) {
  const { t, language } = useI18n();
  const errorText = useErrorText();
  const names = directoryNames(useDirectory());
  const [downloadFailure, setDownloadFailure] = useState<string | null>(null);
  const invoice = usePolling(
    async (signal) => {
      try {
        return await api<Invoice>("/v1/stats/invoice", { query: query(period, organization), signal });
      } catch (caught) {
        if (caught instanceof ApiError && caught.status === 404) return null;
        throw caught;
      }
    },
    [period.from, period.to, period.tertial, organization],
    config.pollFiguresMs,
  );

  const lineName = (line: InvoiceLine) => {
    if (line.department) return line.in_directory ? names.department(line.department) : t("charging.notInDirectory", { id: line.department });
    if (line.answer_group) return t("charging.sharedGroup", { group: names.answerGroup(line.answer_group), departments: line.departments.map((d) => names.department(d)).join(", ") });
    return t("charging.noDepartment");
  };

  async function downloadCsv() {
    setDownloadFailure(null);
    try {
      await download("/v1/stats/invoice", `lotsen-debitering-${period.tertial ?? `${period.from}_${period.to}`}.csv`, {
        query: { ...query(period, organization), format: "csv" },
        headers: { Accept: "text/csv" },
      });
    } catch (caught) {
      setDownloadFailure(errorText(caught));
    }
  }

  const organizations = (invoice.data?.organizations ?? []).filter((o) => o.lines.length || organization);
  return (
    <section className="panel figure figure--wide" aria-labelledby="charging-title" data-testid="charging">
      <h2 id="charging-title">{t("charging.title")}</h2>
      <p className="hint">{t("charging.lead")}</p>
      {invoice.error ? <Alert>{errorText(invoice.error)}</Alert> : null}
      {downloadFailure ? <Alert>{downloadFailure}</Alert> : null}
      {invoice.data && !organizations.length ? <p>{t("charging.nothing")}</p> : null}
      {organizations.map((org) => (
        <div key={org.organization}>
          <DataTable
            id={`charging-${org.organization}`}
            caption={t("charging.caption", { org: names.organization(org.organization) })}
            columns={[t("charging.line"), ...UNITS.map((u) => t(`charging.unit.${u}` as MessageKey)), t("charging.pending"), t("charging.amount")]}
            rows={[...org.lines, null]}
            rowKey={(line) => (line ? `${line.department ?? ""}|${line.answer_group ?? ""}` : "total")}
            empty={t("charging.nothing")}
            cells={(line) =>
              line ? (
                <>
                  <th scope="row">{lineName(line)}</th>
                  {UNITS.map((u) => {
                    const unit = line.units.find((x) => x.unit === u);
                    return (
                      <td key={u}>
                        {formatInteger(unit?.count ?? 0)}
                        {line.charged && unit?.count && unit.amount != null ? <span className="hint"> ({formatSek(unit.amount, language)})</span> : null}
                      </td>
                    );
                  })}
                  <td>{formatInteger(line.pending)}</td>
                  <td>{line.charged ? formatSek(line.amount, language) : "–"}</td>
                </>
              ) : (
                <>
                  <th scope="row">{t("charging.total")}</th>
                  {UNITS.map((u) => (
                    <td key={u} />
                  ))}
                  <td>{formatInteger(org.pending)}</td>
                  <td>
                    <strong>{formatSek(org.amount, language)}</strong>
                  </td>
                </>
              )
            }
          />
          {org.unpriced ? <p className="hint">{t("charging.unpriced", { count: formatInteger(org.unpriced) })}</p> : null}
        </div>
      ))}
      <button type="button" className="button button--secondary" onClick={() => void downloadCsv()}>
        {t("charging.download")}
      </button>
    </section>
  );
}
