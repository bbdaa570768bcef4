/** Debitering: the price per unit of an organisation (`GET|PUT /v1/stats/prices/{organization}`). */
import { useState, type FormEvent } from "react";
import { api } from "../../api";
import { useOutcome } from "../../components/outcome";
import { Alert, Loading, useErrorText } from "../../components/bits";
import { DataTable } from "../../components/DataTable";
import { focusFirstError, Options, SelectField, TextField } from "../../components/Field";
import { usePolling, useServedOrganizations } from "../../hooks";
import { useI18n, type MessageKey } from "../../i18n";
import { formatSek, UNITS, type Unit } from "../dashboard/ChargingCard";

interface Price {
  unit: Unit;
  valid_from: string;
  price: string;
}

interface Prices {
  organization: string;
  currency: string;
  prices: Price[];
}

/** "24,50" or "24.5" → "24.50"; null when it is not kronor with at most two decimals. */
export function parsePrice(text: string): string | null {
  const match = /^\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  return `${match[1]}.${(match[2] ?? "").padEnd(2, "0")}`;
}

export function PricesSection() {
  const { t, language } = useI18n();
  const errorText = useErrorText();
  const organizations = useServedOrganizations();
  const [chosen, setChosen] = useState("");
  const organization = chosen || (organizations.length === 1 ? organizations[0].id : "");
  const orgName = organizations.find((o) => o.id === organization)?.name ?? organization;
  const [values, setValues] = useState({ unit: "first_line" as Unit, month: "", price: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const outcome = useOutcome();
  const list = usePolling(
    (signal) => (organization ? api<Prices>(`/v1/stats/prices/${encodeURIComponent(organization)}`, { signal }) : Promise.resolve(null)),
    [organization],
  );
  const unitName = (unit: Unit) => t(`charging.unit.${unit}` as MessageKey);

  async function save(prices: Price[], message: string) {
    return outcome.attempt(async () => {
      await api(`/v1/stats/prices/${encodeURIComponent(organization)}`, { method: "PUT", json: { prices } });
      await list.reload();
      return message;
    });
  }

  async function add(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    const price = parsePrice(values.price);
    if (!/^\d{4}-\d{2}$/.test(values.month)) found.month = t("charging.validFromMissing");
    if (price === null) found.price = t("charging.priceInvalid");
    setErrors(found);
    if (focusFirstError(found, "price") || price === null) return;
    const entry: Price = { unit: values.unit, valid_from: `${values.month}-01`, price };
    const kept = (list.data?.prices ?? []).filter((p) => !(p.unit === entry.unit && p.valid_from === entry.valid_from));
    if (await save([...kept, entry], t("charging.saved", { unit: unitName(entry.unit), from: values.month }))) {
      setValues((v) => ({ ...v, price: "" }));
    }
  }

  async function remove(gone: Price) {
    const kept = (list.data?.prices ?? []).filter((p) => p !== gone);
    await save(kept, t("charging.removed", { unit: unitName(gone.unit), from: gone.valid_from.slice(0, 7) }));
  }

  return (
    <section aria-labelledby="prices-heading">
      <h2 id="prices-heading">{t("charging.prices")}</h2>
      <p className="hint">{t("charging.pricesLead")}</p>
      {organizations.length > 1 ? (
        <SelectField id="price-organization" label={t("charging.organization")} value={chosen} onChange={(e) => setChosen(e.target.value)}>
          <option value="">{t("charging.chooseOrganization")}</option>
          <Options items={organizations} />
        </SelectField>
      ) : null}
      {outcome.alerts}
      {list.error ? <Alert>{errorText(list.error)}</Alert> : null}
      {!organization ? null : !list.data ? (
        list.error ? null : <Loading />
      ) : (
        <>
          <DataTable
            id="prices"
            caption={t("charging.pricesOf", { org: orgName })}
            columns={[t("charging.unit"), t("charging.validFrom"), t("charging.price"), <span className="visually-hidden">{t("admin.actions")}</span>]}
            rows={list.data.prices}
            rowKey={(p) => `${p.unit}|${p.valid_from}`}
            empty={t("charging.noPrices")}
            cells={(p) => (
              <>
                <th scope="row">{unitName(p.unit)}</th>
                <td>{p.valid_from.slice(0, 7)}</td>
                <td>{formatSek(p.price, language)}</td>
                <td>
                  <button type="button" className="button button--danger button--small" onClick={() => void remove(p)}>
                    {t("charging.remove")}
                    <span className="visually-hidden"> {t("charging.removeWhat", { unit: unitName(p.unit), from: p.valid_from.slice(0, 7) })}</span>
                  </button>
                </td>
              </>
            )}
          />
          <form onSubmit={add} noValidate className="panel narrow-form" aria-labelledby="price-new-heading">
            <h3 id="price-new-heading">{t("charging.newPrice")}</h3>
            <SelectField id="price-unit" label={t("charging.unit")} value={values.unit} onChange={(e) => setValues((v) => ({ ...v, unit: e.target.value as Unit }))}>
              {UNITS.map((u) => (
                <option key={u} value={u}>
                  {unitName(u)}
                </option>
              ))}
            </SelectField>
            <TextField id="price-month" label={t("charging.validFrom")} hint={t("charging.validFromHint")} type="month" error={errors.month} value={values.month} onChange={(e) => setValues((v) => ({ ...v, month: e.target.value }))} />
            <TextField id="price-price" label={t("charging.price")} hint={t("charging.priceHint")} inputMode="decimal" error={errors.price} value={values.price} onChange={(e) => setValues((v) => ({ ...v, price: e.target.value }))} />
            <button type="submit" className="button">
              {t("charging.addPrice")}
            </button>
          </form>
        </>
      )}
    </section>
  );
}
