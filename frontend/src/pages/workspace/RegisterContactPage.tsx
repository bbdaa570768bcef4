/** Visits, letters and phone errands registered by an agent (`POST /v1/contacts/manual`). Once the
 * contact is a case, its reference and access code are shown to read out, with a printable receipt. */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, ApiError } from "../../api";
import { useAuth } from "../../auth";
import { useAnnounce } from "../../components/Announcer";
import { Alert, PageHeading, useErrorText } from "../../components/bits";
import { Checkbox, Options, SelectField, TextArea, TextField } from "../../components/Field";
import { useDirectory, usePageTitle } from "../../hooks";
import { useI18n } from "../../i18n";
import { receiptOfContact, spaced, type Receipt } from "./receipt";

type Channel = "visit" | "letter" | "phone";
const EMPTY = { organization: "", name: "", email: "", phone: "", subject: "", message: "", call_id: "", received_at: "" };

export function RegisterContactPage() {
  const { t, label } = useI18n();
  usePageTitle(t("register.title"));
  const directory = useDirectory();
  const { user } = useAuth();
  const announce = useAnnounce();
  const errorText = useErrorText();
  const [channel, setChannel] = useState<Channel>("visit");
  const [values, setValues] = useState(EMPTY);
  const [noSurvey, setNoSurvey] = useState(false);
  const [files, setFiles] = useState<File[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [waiting, setWaiting] = useState(false);
  const [late, setLate] = useState(false);
  const polling = useRef<AbortController | null>(null);
  useEffect(() => () => polling.current?.abort(), []);
  // As intake decides: the organisations the token lists; none listed means every one for an agent
  // or supervisor (a shared contact centre), none for a handler.
  const everyOrganization = !user?.organizations.length && user?.role !== "handler";
  const organizations = (directory?.organizations ?? []).filter((o) => everyOrganization || user?.organizations.includes(o.id));
  const onlyOrganization = organizations.length === 1 ? organizations[0].id : "";
  // Left unchosen, intake takes the directory's default organisation: offered only to those who work for it.
  const defaultServed = organizations.some((o) => o.default);
  const organization = values.organization || onlyOrganization;
  const set = (field: keyof typeof EMPTY) => (event: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: event.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    setFailure(null);
    setReceipt(null);
    setLate(false);
    if (!organization && !defaultServed) {
      setErrors({ organization: t("register.chooseOrganization") });
      document.getElementById("register-organization")?.focus();
      return;
    }
    if (!values.message.trim()) {
      setErrors({ message: t("register.messageMissing") });
      document.getElementById("register-message")?.focus();
      return;
    }
    setErrors({});
    const body: Record<string, string> = { channel };
    for (const [key, value] of Object.entries({ ...values, organization })) {
      if (!value.trim()) continue;
      if (key === "call_id" && channel !== "phone") continue;
      body[key] = key === "received_at" ? new Date(value).toISOString() : value.trim();
    }
    if (noSurvey) body.no_survey = "true";
    setBusy(true);
    try {
      let result: { contact_id: string };
      if (files.length) {
        const form = new FormData();
        for (const [key, value] of Object.entries(body)) form.append(key, value);
        for (const file of files) form.append("attachments", file, file.name);
        result = await api("/v1/contacts/manual", { form });
      } else {
        result = await api("/v1/contacts/manual", { json: body });
      }
      const message = t("register.done", { id: result.contact_id });
      setDone(message);
      announce(message);
      setValues(EMPTY);
      setNoSurvey(false);
      setFiles([]);
      void awaitReceipt(result.contact_id);
    } catch (caught) {
      const fields = caught instanceof ApiError ? caught.fieldErrors() : {};
      if (Object.keys(fields).length) setErrors(fields);
      setFailure(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  async function awaitReceipt(contactId: string) {
    polling.current?.abort();
    const controller = new AbortController();
    polling.current = controller;
    setWaiting(true);
    try {
      const found = await receiptOfContact(contactId, controller.signal);
      if (controller.signal.aborted) return;
      if (found) {
        setReceipt(found);
        announce(t("register.receiptReady", { ref: found.ref, code: spaced(found.access_code) }));
      } else {
        setLate(true);
      }
    } catch {
      if (!controller.signal.aborted) setLate(true);
    } finally {
      if (polling.current === controller) setWaiting(false);
    }
  }

  return (
    <>
      <PageHeading>{t("register.title")}</PageHeading>
      <p className="lead">{t("register.lead")}</p>
      {done ? (
        <Alert kind="success">
          {done} <Link to="/arbetsyta?queue=first-line">{t("register.toQueue")}</Link>
        </Alert>
      ) : null}
      {waiting ? <p className="loading">{t("register.receiptWaiting")}</p> : null}
      {late ? <Alert kind="info">{t("register.receiptLate")}</Alert> : null}
      {receipt ? (
        <section className="receipt-panel" aria-labelledby="register-receipt">
          <h2 id="register-receipt">{t("register.receiptHeading")}</h2>
          <p>{t("register.receiptLead")}</p>
          <dl className="receipt__facts">
            <dt>{t("receipt.reference")}</dt>
            <dd className="receipt__code">{receipt.ref}</dd>
            <dt>{t("receipt.code")}</dt>
            <dd className="receipt__code">{spaced(receipt.access_code)}</dd>
          </dl>
          <p className="receipt-panel__links">
            <Link className="button" to={`/arbetsyta/kvitto/${encodeURIComponent(receipt.ref)}`}>
              {t("register.receiptPrint")}
            </Link>{" "}
            <Link to={`/arbetsyta/arenden/${encodeURIComponent(receipt.ref)}`}>{t("register.receiptCase", { ref: receipt.ref })}</Link>
          </p>
        </section>
      ) : null}
      {failure ? <Alert>{failure}</Alert> : null}
      <form onSubmit={submit} noValidate className="narrow-form">
        <fieldset className="fieldset fieldset--inline">
          <legend>{t("register.channel")}</legend>
          {(["visit", "letter", "phone"] as Channel[]).map((c) => (
            <label key={c} className="radio">
              <input type="radio" name="channel" value={c} checked={channel === c} onChange={() => setChannel(c)} />
              {label("channel", c)}
            </label>
          ))}
        </fieldset>
        <SelectField id="register-organization" label={t("register.organization")} error={errors.organization} value={organization} onChange={set("organization")}>
          {onlyOrganization ? null : <option value="">{t(defaultServed ? "register.defaultOrganization" : "register.chooseOrganization")}</option>}
          <Options items={organizations} />
        </SelectField>
        <TextField label={t("form.subject")} marker={t("form.optional")} value={values.subject} onChange={set("subject")} maxLength={300} />
        <TextArea id="register-message" label={t("register.message")} hint={t("register.messageHint")} error={errors.message} value={values.message} onChange={set("message")} rows={6} />
        <fieldset className="fieldset">
          <legend>{t("register.citizen")}</legend>
          <TextField label={t("form.name")} error={errors.name} value={values.name} onChange={set("name")} autoComplete="off" />
          <TextField label={t("form.email")} type="email" error={errors.email} value={values.email} onChange={set("email")} autoComplete="off" />
          <TextField label={t("form.phone")} type="tel" error={errors.phone} value={values.phone} onChange={set("phone")} autoComplete="off" />
          <Checkbox label={t("register.noSurvey")} hint={t("register.noSurveyHint")} checked={noSurvey} onChange={(e) => setNoSurvey(e.target.checked)} />
        </fieldset>
        {channel === "phone" ? <TextField label={t("register.callId")} hint={t("register.callIdHint")} error={errors.call_id} value={values.call_id} onChange={set("call_id")} /> : null}
        <TextField
          label={t(channel === "letter" ? "register.receivedLetter" : "register.receivedAt")}
          hint={t("register.receivedHint")}
          type="datetime-local"
          error={errors.received_at}
          value={values.received_at}
          onChange={set("received_at")}
        />
        {channel === "letter" ? (
          <div className="field">
            <label htmlFor="register-files">{t("register.scans")}</label>
            <input id="register-files" type="file" multiple accept="image/*,application/pdf" onChange={(e) => setFiles(Array.from(e.target.files ?? []))} />
          </div>
        ) : null}
        <button type="submit" className="button" disabled={busy}>
          {t("register.submit")}
        </button>
      </form>
    </>
  );
}
