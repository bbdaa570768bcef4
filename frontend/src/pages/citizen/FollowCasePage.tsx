/** "Följ ditt ärende": status, dates and our replies, with the reference and access code from the receipt. */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { api, ApiError } from "../../api";
import { useAnnounce } from "../../components/Announcer";
import { Alert, PageHeading, useErrorText } from "../../components/bits";
import { TextField } from "../../components/Field";
import { formatLongDateTime, isoOf } from "../../format";
import { usePageTitle } from "../../hooks";
import { useI18n, type MessageKey } from "../../i18n";
import type { PublicCase } from "../../types";

const REF = /^[A-Za-z]{2,6}-\d{4}-\d{6}$/;
const QUESTIONS = ["bemotande", "kunskap", "tillganglighet"] as const;

export function FollowCasePage() {
  const { t } = useI18n();
  usePageTitle(t("citizen.follow.title"));
  const errorText = useErrorText();
  const [params] = useSearchParams();
  const [ref, setRef] = useState(params.get("ref") ?? "");
  const [code, setCode] = useState(params.get("code") ?? "");
  const [errors, setErrors] = useState<{ ref?: string; code?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [found, setFound] = useState<PublicCase | null>(null);
  const [busy, setBusy] = useState(false);
  const resultRef = useRef<HTMLHeadingElement>(null);

  async function look(refValue: string, codeValue: string) {
    const next: typeof errors = {};
    if (!REF.test(refValue.trim())) next.ref = t("citizen.follow.refInvalid");
    if (!codeValue.trim()) next.code = t("citizen.follow.codeMissing");
    setErrors(next);
    setFailure(null);
    if (Object.keys(next).length) {
      document.getElementById(next.ref ? "follow-ref" : "follow-code")?.focus();
      return;
    }
    setBusy(true);
    try {
      const data = await api<PublicCase>(`/v1/public/cases/${encodeURIComponent(refValue.trim().toUpperCase())}`, {
        query: { code: codeValue.trim() },
        anonymous: true,
      });
      setFound(data);
    } catch (caught) {
      setFound(null);
      setFailure(caught instanceof ApiError && caught.status === 404 ? t("citizen.follow.notFound") : errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    if (params.get("ref") && params.get("code")) void look(params.get("ref")!, params.get("code")!);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    if (found) resultRef.current?.focus();
  }, [found?.ref]);

  function submit(event: FormEvent) {
    event.preventDefault();
    void look(ref, code);
  }

  return (
    <>
      <PageHeading>{t("citizen.follow.title")}</PageHeading>
      <p className="lead">{t("citizen.follow.lead")}</p>
      <form noValidate onSubmit={submit} className="form-inline">
        <TextField
          id="follow-ref"
          label={t("citizen.follow.ref")}
          hint={t("citizen.follow.refHint")}
          error={errors.ref}
          value={ref}
          onChange={(e) => setRef(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          required
        />
        <TextField
          id="follow-code"
          label={t("citizen.follow.code")}
          hint={t("citizen.follow.codeHint")}
          error={errors.code}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          required
        />
        <button type="submit" className="button" disabled={busy}>
          {t("citizen.follow.show")}
        </button>
      </form>
      {failure ? <Alert>{failure}</Alert> : null}
      {found ? (
        <section className="panel" aria-labelledby="follow-result">
          <h2 id="follow-result" ref={resultRef} tabIndex={-1}>
            {t("citizen.follow.errand", { ref: found.ref })}
          </h2>
          <p className="status-line">
            {t("citizen.follow.status")} <strong className={`badge badge--${found.status}`}>{publicStatus(t, found)}</strong>
          </p>
          {/* The dates are Swedish words: dir="ltr" keeps "3 december 2026 kl. 10:14" in order on the Arabic page. */}
          <dl className="facts">
            <dt>{t("citizen.follow.received")}</dt>
            <dd>
              <time dir="ltr" dateTime={isoOf(found.received_at)}>{formatLongDateTime(found.received_at)}</time>
            </dd>
            {found.first_response_due && !found.resolved_at ? (
              <>
                <dt>{t("citizen.follow.answerBy")}</dt>
                <dd>
                  <time dir="ltr" dateTime={isoOf(found.first_response_due)}>{formatLongDateTime(found.first_response_due)}</time>
                </dd>
              </>
            ) : null}
            {found.resolved_at ? (
              <>
                <dt>{t("citizen.follow.resolved")}</dt>
                <dd>
                  <time dir="ltr" dateTime={isoOf(found.resolved_at)}>{formatLongDateTime(found.resolved_at)}</time>
                </dd>
              </>
            ) : null}
            <dt>{t("citizen.follow.updated")}</dt>
            <dd>
              <time dir="ltr" dateTime={isoOf(found.updated_at)}>{formatLongDateTime(found.updated_at)}</time>
            </dd>
          </dl>
          <h3>{t("citizen.follow.replies")}</h3>
          {found.replies.length ? (
            <ol className="replies">
              {found.replies.map((reply, index) => (
                <li key={index} className="message message--outbound">
                  <p className="message__meta">
                    <time dir="ltr" dateTime={isoOf(reply.at)}>{formatLongDateTime(reply.at)}</time>
                  </p>
                  <p className="message__text" dir="auto">{reply.text}</p>
                </li>
              ))}
            </ol>
          ) : (
            <p>{t("citizen.follow.noReplies")}</p>
          )}
          {found.status === "resolved" || found.status === "closed" ? <Survey refValue={found.ref} code={code} /> : null}
        </section>
      ) : null}
    </>
  );
}

function publicStatus(t: (key: MessageKey) => string, found: PublicCase): string {
  const key = `public.status.${found.status}` as MessageKey;
  const text = t(key);
  return text === key ? found.status_text : text;
}

/** The satisfaction survey (NKI): three questions, 1–5, once per errand. */
function Survey({ refValue, code }: { refValue: string; code: string }) {
  const { t } = useI18n();
  const announce = useAnnounce();
  const errorText = useErrorText();
  const [answers, setAnswers] = useState<Partial<Record<(typeof QUESTIONS)[number], number>>>({});
  const [missing, setMissing] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (QUESTIONS.some((q) => !answers[q])) {
      setMissing(true);
      return;
    }
    setMissing(false);
    try {
      await api(`/v1/public/cases/${encodeURIComponent(refValue)}/survey`, { json: answers, query: { code }, anonymous: true });
      setDone(t("survey.thanks"));
      announce(t("survey.thanks"));
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 409) {
        setDone(t("survey.already"));
      } else {
        setFailure(errorText(caught));
      }
    }
  }

  if (done) return <Alert kind="success">{done}</Alert>;
  return (
    <form className="survey" onSubmit={submit} noValidate aria-labelledby="survey-title">
      <h3 id="survey-title">{t("survey.title")}</h3>
      <p className="hint">{t("survey.lead")}</p>
      {missing ? <Alert>{t("survey.missing")}</Alert> : null}
      {failure ? <Alert>{failure}</Alert> : null}
      {QUESTIONS.map((question) => (
        <fieldset key={question} className="fieldset scale">
          <legend>{t(`survey.${question}` as MessageKey)}</legend>
          <div className="scale__options">
            {[1, 2, 3, 4, 5].map((score) => (
              <label key={score} className="scale__option">
                <input
                  type="radio"
                  name={question}
                  value={score}
                  checked={answers[question] === score}
                  onChange={() => setAnswers((a) => ({ ...a, [question]: score }))}
                />
                <span>{score}</span>
                <span className="visually-hidden"> {t(`survey.score${score}` as MessageKey)}</span>
              </label>
            ))}
          </div>
          <p className="scale__ends" aria-hidden="true">
            <span>1 = {t("survey.score1")}</span>
            <span>5 = {t("survey.score5")}</span>
          </p>
        </fieldset>
      ))}
      <button type="submit" className="button">
        {t("survey.send")}
      </button>
    </form>
  );
}
