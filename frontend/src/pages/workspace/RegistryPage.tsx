/** The diary of public records for supervisors: a period and an organisation, a table, a CSV download. */
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, download, withQuery } from "../../api";
import { Alert, Loading, PageHeading, useErrorText } from "../../components/bits";
import { DataTable } from "../../components/DataTable";
import { Options, SelectField, TextField } from "../../components/Field";
import { formatDate, localDate } from "../../format";
import { directoryNames, useDirectory, usePageTitle, usePolling } from "../../hooks";
import { useI18n } from "../../i18n";
import type { Registration } from "./PublicRecords";
import { casePath } from "./routes";

interface Period {
  organization: string;
  from: string;
  to: string;
}

function parties(entry: Registration, role: "sender" | "recipient"): string {
  return entry.parties
    .filter((p) => p.role === role)
    .map((p) => [p.name, p.address ? `<${p.address}>` : ""].filter(Boolean).join(" "))
    .join("; ");
}

export function RegistryPage() {
  const { t, label } = useI18n();
  usePageTitle(t("registry.title"));
  const errorText = useErrorText();
  const directory = useDirectory();
  const names = directoryNames(directory);
  const today = localDate(new Date());
  const [draft, setDraft] = useState<Period>({ organization: "", from: `${today.slice(0, 4)}-01-01`, to: today });
  const [period, setPeriod] = useState<Period>(draft);
  const [failure, setFailure] = useState<string | null>(null);
  const query = { organization: period.organization, from: period.from, to: period.to };
  const result = usePolling(
    (signal) => api<{ items: Registration[] }>(withQuery("/v1/registry", query), { signal }),
    [period.organization, period.from, period.to],
  );

  function show(event: FormEvent) {
    event.preventDefault();
    setPeriod(draft);
  }

  async function downloadCsv() {
    setFailure(null);
    try {
      const name = `lotsen-diarium-${period.organization || "alla"}-${period.from}--${period.to}.csv`;
      await download(withQuery("/v1/registry", { ...query, format: "csv" }), name, { headers: { Accept: "text/csv" } });
    } catch (caught) {
      setFailure(errorText(caught));
    }
  }

  const rows = result.data?.items ?? [];
  return (
    <>
      <PageHeading>{t("registry.title")}</PageHeading>
      <p>{t("registry.lead")}</p>
      <form className="filters" onSubmit={show}>
        <SelectField
          label={t("registry.organization")}
          value={draft.organization}
          onChange={(e) => setDraft({ ...draft, organization: e.target.value })}
        >
          <option value="">{t("registry.allOrganizations")}</option>
          <Options items={(directory?.organizations ?? [])} />
        </SelectField>
        <TextField label={t("registry.from")} type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        <TextField label={t("registry.to")} type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        <button type="submit" className="button">
          {t("registry.show")}
        </button>{" "}
        <button type="button" className="button button--secondary" onClick={() => void downloadCsv()}>
          {t("registry.downloadCsv")}
        </button>
      </form>
      {failure ? <Alert>{failure}</Alert> : null}
      {result.error ? <Alert>{errorText(result.error)}</Alert> : null}
      {!result.data && !result.error ? (
        <Loading />
      ) : (
        <DataTable
          id="registry"
          caption={t("registry.caption", { from: formatDate(period.from), to: formatDate(period.to) })}
          columns={[
            t("registry.number"),
            t("registry.date"),
            t("registry.case"),
            t("registry.direction"),
            t("registry.subject"),
            t("registry.sender"),
            t("registry.recipient"),
            t("registry.secrecy"),
          ]}
          rows={rows}
          rowKey={(r) => r.diary_number}
          empty={t("registry.empty")}
          cells={(r) => (
            <>
              <td>{r.diary_number}</td>
              <td>{formatDate(r.registered_at)}</td>
              <td>
                <Link to={casePath(r.case_ref)}>{r.case_ref}</Link>
                <span className="hint"> {names.organization(r.organization)}</span>
              </td>
              <td>{label("direction", r.direction)}</td>
              <td>{r.masked ? <span title={t("registry.masked")}>{r.subject}</span> : r.subject}</td>
              <td>{parties(r, "sender")}</td>
              <td>{parties(r, "recipient")}</td>
              <td>{r.osl ?? (r.confidential ? "✓" : "–")}</td>
            </>
          )}
        />
      )}
    </>
  );
}
