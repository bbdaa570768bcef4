/**
 * The citizens' web forms: "Kontakta oss", "Lämna synpunkt" and "Felanmälan" (with pictures and an
 * optional position), posted to intake's `POST /v1/contacts/webform`.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, ApiError } from "../../api";
import { useAnnounce } from "../../components/Announcer";
import { Alert, PageHeading, useErrorText } from "../../components/bits";
import { TextArea, TextField } from "../../components/Field";
import { config } from "../../config";
import { formatBytes } from "../../format";
import { usePageTitle } from "../../hooks";
import { CITIZEN_LANGUAGES, useI18n, type Language, type MessageKey } from "../../i18n";
import { FaultMap } from "./FaultMap";
import { FeedbackKindField } from "./FeedbackKindField";

import { ANSWER_LANGUAGES, EMAIL, EMPTY, FORMS, MAX_FILE_BYTES, MAX_FILES, ORDER, PHONE, type Field, type FormKind, type Values } from "./contactForms";

export type { FormKind } from "./contactForms";

export function ContactFormPage({ kind }: { kind: FormKind }) {
  const { t, language } = useI18n();
  const form = FORMS[kind];
  const key = (suffix: string) => `${form.prefix}.${suffix}` as MessageKey;
  usePageTitle(t(key("title")));
  const announce = useAnnounce();
  const errorText = useErrorText();
  const [values, setValues] = useState<Values>(EMPTY);
  const [files, setFiles] = useState<File[]>([]);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [receipt, setReceipt] = useState<string | null>(null);
  const [locating, setLocating] = useState(false);
  const [answerLanguage, setAnswerLanguage] = useState<Language>(language);
  const [feedbackKind, setFeedbackKind] = useState(""); // the synpunkt form's kind; none chosen is fine
  const summaryRef = useRef<HTMLDivElement>(null);
  const receiptRef = useRef<HTMLHeadingElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setValues(EMPTY);
    setFeedbackKind("");
    setFiles([]);
    setErrors({});
    setReceipt(null);
    setFailure(null);
  }, [kind]);

  useEffect(() => {
    if (receipt) receiptRef.current?.focus();
  }, [receipt]);

  useEffect(() => setAnswerLanguage(language), [language]);

  const set = (field: keyof Values) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  function validate(): Partial<Record<Field, string>> {
    const found: Partial<Record<Field, string>> = {};
    if (!values.message.trim()) found.message = t(key("messageMissing"));
    if (values.email.trim() && !EMAIL.test(values.email.trim())) found.email = t("form.emailInvalid");
    if (!PHONE.test(values.phone)) found.phone = t("form.phoneInvalid");
    if (!form.anonymous && !values.email.trim() && !values.phone.trim()) found.email = t("form.contactMissing");
    if (form.location && (values.lat.trim() || values.lon.trim())) {
      const lat = Number(values.lat.replace(",", "."));
      const lon = Number(values.lon.replace(",", "."));
      if (!values.lat.trim() || Number.isNaN(lat) || lat < -90 || lat > 90) found.lat = t("form.latInvalid");
      if (!values.lon.trim() || Number.isNaN(lon) || lon < -180 || lon > 180) found.lon = t("form.lonInvalid");
    }
    if (files.length > MAX_FILES) found.attachments = t("form.tooManyFiles", { max: MAX_FILES });
    else if (files.some((f) => f.size > MAX_FILE_BYTES)) found.attachments = t("form.fileTooLarge", { max: "10 MB" });
    return found;
  }

  function body(): Record<string, unknown> {
    const subject = kind === "report" && values.place.trim() ? `${t("citizen.report.subjectPrefix")}: ${values.place.trim()}` : values.subject.trim();
    const data: Record<string, unknown> = {
      form_id: form.formId,
      name: values.name.trim() || undefined,
      email: values.email.trim() || undefined,
      phone: values.phone.trim() || undefined,
      subject: subject || undefined,
      message: values.message.trim(),
      website: values.website,
      language: answerLanguage,
    };
    if (config.organization) data.organization = config.organization;
    if (kind === "feedback" && feedbackKind) data.feedback_kind = feedbackKind;
    if (kind === "report" && values.place.trim()) data.address = values.place.trim();
    if (form.location && values.lat.trim() && values.lon.trim()) {
      data.location = { lat: Number(values.lat.replace(",", ".")), lon: Number(values.lon.replace(",", ".")) };
    }
    return data;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length) {
      setTimeout(() => summaryRef.current?.focus(), 0);
      return;
    }
    setSending(true);
    try {
      const data = body();
      let result: { contact_id: string };
      if (files.length) {
        const multipart = new FormData();
        for (const [name, value] of Object.entries(data)) {
          if (value === undefined) continue;
          multipart.append(name, typeof value === "object" ? JSON.stringify(value) : String(value));
        }
        for (const file of files) multipart.append("attachments", file, file.name);
        result = await api("/v1/contacts/webform", { form: multipart, anonymous: true });
      } else {
        result = await api("/v1/contacts/webform", { json: data, anonymous: true });
      }
      setReceipt(result.contact_id);
      announce(t("citizen.receipt.heading"));
    } catch (caught) {
      const fields = caught instanceof ApiError ? caught.fieldErrors() : {};
      const mapped: Partial<Record<Field, string>> = {};
      for (const [field, problem] of Object.entries(fields)) {
        if (field === "location") mapped.lat = problem;
        else if ((ORDER as string[]).includes(field)) mapped[field as Field] = field === "email" ? t(/valid/.test(problem) ? "form.emailInvalid" : "form.contactMissing") : problem;
      }
      if (Object.keys(mapped).length) {
        setErrors(mapped);
        setTimeout(() => summaryRef.current?.focus(), 0);
      } else {
        setFailure(errorText(caught));
      }
    } finally {
      setSending(false);
    }
  }

  /** The fields' position when both hold a coordinate in range: what the map's pin shows. */
  function typedPosition(): { lat: number; lon: number } | null {
    if (!values.lat.trim() || !values.lon.trim()) return null;
    const lat = Number(values.lat.replace(",", "."));
    const lon = Number(values.lon.replace(",", "."));
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
    return { lat, lon };
  }

  const placePin = useCallback((lat: number, lon: number) => {
    setValues((v) => ({ ...v, lat: lat.toFixed(6), lon: lon.toFixed(6) }));
    setErrors((e) => ({ ...e, lat: undefined, lon: undefined }));
  }, []);

  function locateMe() {
    if (!("geolocation" in navigator)) {
      setErrors((e) => ({ ...e, lat: t("citizen.report.noGeolocation") }));
      return;
    }
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setLocating(false);
        setValues((v) => ({ ...v, lat: position.coords.latitude.toFixed(6), lon: position.coords.longitude.toFixed(6) }));
        announce(t("citizen.report.positionSet"));
      },
      () => {
        setLocating(false);
        setErrors((e) => ({ ...e, lat: t("citizen.report.positionFailed") }));
      },
      { timeout: 10_000 },
    );
  }

  if (receipt) {
    const anonymous = !values.email.trim() && !values.phone.trim();
    return (
      <>
        <PageHeading>{t(key("title"))}</PageHeading>
        <div className="panel panel--success">
          <h2 ref={receiptRef} tabIndex={-1}>
            {t("citizen.receipt.heading")}
          </h2>
          <p>{t("citizen.receipt.number", { id: receipt })}</p>
          <p>{anonymous ? t("citizen.receipt.anonymous") : t("citizen.receipt.followUp")}</p>
          <p>
            <Link to="/folj-arende">{t("citizen.follow.title")}</Link>
          </p>
          <button
            type="button"
            className="button button--secondary"
            onClick={() => {
              setValues(EMPTY);
              setFeedbackKind("");
              setFiles([]);
              setReceipt(null);
            }}
          >
            {t("citizen.receipt.another")}
          </button>
        </div>
      </>
    );
  }

  const errorList = ORDER.filter((f) => errors[f]);
  const fieldId = (field: Field) => `${form.formId}-${field}`;
  const optional = t("form.optional");

  return (
    <>
      <PageHeading>{t(key("title"))}</PageHeading>
      <p className="lead">{t(key("lead"))}</p>
      {errorList.length ? (
        <div className="error-summary" ref={summaryRef} tabIndex={-1} aria-labelledby="error-summary-title">
          <h2 id="error-summary-title">{t("form.errorSummary")}</h2>
          <ul>
            {errorList.map((field) => (
              <li key={field}>
                <a
                  href={`#${fieldId(field)}`}
                  onClick={(event) => {
                    event.preventDefault();
                    document.getElementById(fieldId(field))?.focus();
                  }}
                >
                  {errors[field]}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {failure ? <Alert>{failure}</Alert> : null}
      <form noValidate onSubmit={submit} aria-describedby={`${form.formId}-privacy`}>
        <TextArea
          id={fieldId("message")}
          label={t(key("message"))}
          hint={t(key("messageHint"))}
          marker={t("form.required")}
          error={errors.message}
          value={values.message}
          onChange={set("message")}
          required
          rows={8}
          maxLength={20000}
        />
        {kind === "report" ? (
          <>
            <TextField
              id={fieldId("place")}
              label={t("map.address")}
              hint={t("map.addressHint")}
              marker={optional}
              value={values.place}
              onChange={set("place")}
              maxLength={200}
            />
            <fieldset className="fieldset">
              <legend>{t("citizen.report.position")}</legend>
              <p className="hint">{t("citizen.report.positionHint")}</p>
              <FaultMap id={`${form.formId}-map`} position={typedPosition()} onPlace={placePin}>
                <button type="button" className="button button--secondary" onClick={locateMe} disabled={locating}>
                  {locating ? t("citizen.report.locating") : t("citizen.report.useMyPosition")}
                </button>
              </FaultMap>
              <div className="field-row field-row--secondary" role="group" aria-label={t("map.coordinates")}>
                <TextField
                  id={fieldId("lat")}
                  label={t("citizen.report.lat")}
                  inputMode="decimal"
                  error={errors.lat}
                  value={values.lat}
                  onChange={set("lat")}
                  autoComplete="off"
                />
                <TextField
                  id={fieldId("lon")}
                  label={t("citizen.report.lon")}
                  inputMode="decimal"
                  error={errors.lon}
                  value={values.lon}
                  onChange={set("lon")}
                  autoComplete="off"
                />
              </div>
            </fieldset>
          </>
        ) : null}
        {form.files ? (
          <div className={`field${errors.attachments ? " field--invalid" : ""}`}>
            <label htmlFor={fieldId("attachments")}>
              {t(kind === "report" ? "citizen.report.files" : "form.files")}
              <span className="field-marker"> {optional}</span>
            </label>
            <p className="hint" id={`${fieldId("attachments")}-hint`}>
              {t("form.filesHint", { max: MAX_FILES, size: "10 MB" })}
            </p>
            {errors.attachments ? (
              <p className="field-error" id={`${fieldId("attachments")}-error`}>
                <span aria-hidden="true">⚠ </span>
                {errors.attachments}
              </p>
            ) : null}
            <input
              ref={fileInput}
              id={fieldId("attachments")}
              type="file"
              multiple
              accept="image/*,application/pdf"
              aria-invalid={errors.attachments ? true : undefined}
              aria-describedby={`${fieldId("attachments")}-hint${errors.attachments ? ` ${fieldId("attachments")}-error` : ""}`}
              onChange={(event) => setFiles(Array.from(event.target.files ?? []))}
            />
            {files.length ? (
              <ul className="file-list" aria-label={t("form.chosenFiles")}>
                {files.map((file) => (
                  <li key={file.name + file.size}>
                    {file.name} ({formatBytes(file.size)})
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        <fieldset className="fieldset">
          <legend>{t(form.anonymous ? "form.contactOptional" : "form.contactRequired")}</legend>
          <p className="hint">{t(form.anonymous ? "form.contactOptionalHint" : "form.contactRequiredHint")}</p>
          <TextField id={fieldId("name")} label={t("form.name")} marker={optional} value={values.name} onChange={set("name")} autoComplete="name" maxLength={200} />
          <TextField
            id={fieldId("email")}
            label={t("form.email")}
            type="email"
            error={errors.email}
            value={values.email}
            onChange={set("email")}
            autoComplete="email"
            maxLength={320}
          />
          <TextField
            id={fieldId("phone")}
            label={t("form.phone")}
            type="tel"
            error={errors.phone}
            value={values.phone}
            onChange={set("phone")}
            autoComplete="tel"
            maxLength={40}
          />
        </fieldset>
        {kind === "feedback" ? <FeedbackKindField value={feedbackKind} onChange={setFeedbackKind} /> : null}
        <fieldset className="fieldset">
          <legend>{t("form.language")}</legend>
          <p className="hint">{t("form.languageHint")}</p>
          {CITIZEN_LANGUAGES.map((code) => (
            <div key={code} className="checkbox">
              <input
                type="radio"
                id={`${form.formId}-language-${code}`}
                name="language"
                value={code}
                checked={answerLanguage === code}
                onChange={() => setAnswerLanguage(code)}
              />
              <label htmlFor={`${form.formId}-language-${code}`} lang={code}>
                {ANSWER_LANGUAGES[code]}
              </label>
            </div>
          ))}
        </fieldset>
        {kind === "contact" ? (
          <TextField id={fieldId("subject")} label={t("form.subject")} marker={optional} value={values.subject} onChange={set("subject")} maxLength={300} />
        ) : null}
        {/* A honeypot: people never see or reach it; robots fill it in and intake refuses them. */}
        <div className="honeypot" aria-hidden="true">
          <label htmlFor={fieldId("website")}>{t("form.honeypot")}</label>
          <input id={fieldId("website")} name="website" type="text" tabIndex={-1} autoComplete="off" value={values.website} onChange={set("website")} />
        </div>
        <p className="hint" id={`${form.formId}-privacy`}>
          {t("form.privacy")}
        </p>
        <button type="submit" className="button" disabled={sending}>
          {sending ? t("form.sending") : t("form.send")}
        </button>
      </form>
    </>
  );
}
