/** A printable receipt for a citizen who phoned, came to the desk or wrote a letter: the reference and
 * access code with which they follow the errand and answer the survey (`/arbetsyta/kvitto/:ref`).
 * The receipt is printed in the citizen's language, whatever the workspace's. */
import { useEffect, useState } from "react";
import { useParams } from "react-router";
import { Alert, Loading, PageHeading, useErrorText } from "../../components/bits";
import { formatDateTime } from "../../format";
import { usePageTitle } from "../../hooks";
import { translate, useI18n, type Language, type MessageKey } from "../../i18n";
import { receiptOfCase, spaced, type Receipt } from "./receipt";

const RECEIPT_LANGUAGES: readonly Language[] = ["sv", "en"];

export function ReceiptPage() {
  const { ref = "" } = useParams();
  const { t, language } = useI18n();
  usePageTitle(t("receipt.title", { ref }));
  const errorText = useErrorText();
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [printed, setPrinted] = useState<Language>(language === "en" ? "en" : "sv");

  useEffect(() => {
    const controller = new AbortController();
    receiptOfCase(ref, controller.signal)
      .then(setReceipt)
      .catch((caught) => {
        if (!controller.signal.aborted) setFailure(errorText(caught));
      });
    return () => controller.abort();
  }, [ref, errorText]);

  const r = (key: MessageKey, vars?: Record<string, string>) => translate(printed, key, vars);
  return (
    <>
      <div className="no-print">
        <PageHeading>{t("receipt.title", { ref })}</PageHeading>
        <p className="lead">{t("receipt.lead")}</p>
        {failure ? <Alert>{failure}</Alert> : null}
        <fieldset className="fieldset fieldset--inline">
          <legend>{t("receipt.language")}</legend>
          {RECEIPT_LANGUAGES.map((option) => (
            <label key={option} className="radio">
              <input type="radio" name="receipt-language" value={option} checked={printed === option} onChange={() => setPrinted(option)} />
              {translate(option, "receipt.languageName")}
            </label>
          ))}
        </fieldset>
        <button type="button" className="button" onClick={() => window.print()} disabled={!receipt}>
          {t("receipt.print")}
        </button>
      </div>
      {receipt ? (
        <section className="receipt" lang={printed} aria-labelledby="receipt-heading">
          <p className="receipt__organization">{receipt.organization_name}</p>
          <h2 id="receipt-heading">{r("receipt.heading")}</h2>
          <p>{r("receipt.intro")}</p>
          <dl className="receipt__facts">
            <dt>{r("receipt.reference")}</dt>
            <dd className="receipt__code">{receipt.ref}</dd>
            <dt>{r("receipt.code")}</dt>
            <dd className="receipt__code">{spaced(receipt.access_code)}</dd>
            <dt>{r("receipt.received")}</dt>
            <dd>{formatDateTime(receipt.received_at)}</dd>
          </dl>
          <p>{r("receipt.follow")}</p>
          <p className="receipt__address">{receipt.status_page}</p>
          <p>{r("receipt.survey")}</p>
          <p className="receipt__keep">{r("receipt.keep")}</p>
        </section>
      ) : failure ? null : (
        <Loading />
      )}
    </>
  );
}
