/** Crisis notices for supervisors and administrators: publish one quickly, see what shows, withdraw it. */
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../api";
import { useAuth } from "../../auth";
import { useAnnounce } from "../../components/Announcer";
import { Alert, Loading, PageHeading, useErrorText } from "../../components/bits";
import { Options, SelectField, TextArea, TextField } from "../../components/Field";
import { inLanguage, type Severity, type ShownNotice } from "../../components/NoticeBanner";
import { formatDateTime } from "../../format";
import { usePageTitle, usePolling, useServedOrganizations } from "../../hooks";
import { useI18n } from "../../i18n";
import type { KnowledgeArticle } from "./knowledge";

interface Notice extends ShownNotice {
  state: "published" | "withdrawn" | "expired";
  showing: boolean;
  published_at: string;
  published_by: string;
  ended_at: string | null;
  ended_by: string | null;
}

const SEVERITIES: Severity[] = ["crisis", "warning", "info"];

/** A datetime-local value some hours from now, in the browser's time zone. */
function hoursAhead(hours: number): string {
  const at = new Date(Date.now() + hours * 3600_000);
  const local = new Date(at.getTime() - at.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function PublishForm({ onPublished }: { onPublished: () => void }) {
  const { t } = useI18n();
  const { user } = useAuth();
  const announce = useAnnounce();
  const errorText = useErrorText();
  const organizations = useServedOrganizations();
  const [organization, setOrganization] = useState(user?.organizations[0] ?? "karlskoga");
  const [severity, setSeverity] = useState<Severity>("crisis");
  const [titles, setTitles] = useState({ sv: "", en: "", ar: "" });
  const [texts, setTexts] = useState({ sv: "", en: "", ar: "" });
  const [endsAt, setEndsAt] = useState(hoursAhead(8));
  const [articleId, setArticleId] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const articles = usePolling(
    (signal) => api<KnowledgeArticle[]>("/v1/kb/articles", { query: { organization, limit: 100 }, signal }),
    [organization],
  );

  async function publish(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await api("/v1/kb/notices", {
        method: "POST",
        json: {
          organization,
          severity,
          title: { sv: titles.sv, en: titles.en || null, ar: titles.ar || null },
          text: { sv: texts.sv, en: texts.en || null, ar: texts.ar || null },
          ends_at: new Date(endsAt).toISOString(),
          article_id: articleId || null,
        },
      });
      setTitles({ sv: "", en: "", ar: "" });
      setTexts({ sv: "", en: "", ar: "" });
      announce(t("notices.published"));
      onPublished();
    } catch (caught) {
      setError(errorText(caught));
      setFields(caught instanceof ApiError ? caught.fieldErrors() : {});
    }
  }

  const optional = t("notices.optional");
  return (
    <form onSubmit={publish} className="panel" noValidate aria-labelledby="notices-publish">
      <h2 id="notices-publish">{t("notices.publish")}</h2>
      {error ? <Alert>{error}</Alert> : null}
      <SelectField label={t("notices.field.organization")} value={organization} onChange={(e) => setOrganization(e.target.value)}>
        <Options items={organizations} />
      </SelectField>
      <SelectField label={t("notices.field.severity")} value={severity} onChange={(e) => setSeverity(e.target.value as Severity)}>
        {SEVERITIES.map((s) => (
          <option key={s} value={s}>
            {t(`notice.severity.${s}`)}
          </option>
        ))}
      </SelectField>
      <TextField label={t("notices.field.titleSv")} value={titles.sv} onChange={(e) => setTitles({ ...titles, sv: e.target.value })} required maxLength={160} error={fields.title} />
      <TextArea label={t("notices.field.textSv")} value={texts.sv} onChange={(e) => setTexts({ ...texts, sv: e.target.value })} required maxLength={2000} rows={3} error={fields.text} />
      <TextField label={t("notices.field.titleEn")} marker={optional} lang="en" value={titles.en} onChange={(e) => setTitles({ ...titles, en: e.target.value })} maxLength={160} />
      <TextArea label={t("notices.field.textEn")} marker={optional} lang="en" value={texts.en} onChange={(e) => setTexts({ ...texts, en: e.target.value })} maxLength={2000} rows={3} />
      <TextField label={t("notices.field.titleAr")} marker={optional} lang="ar" dir="rtl" value={titles.ar} onChange={(e) => setTitles({ ...titles, ar: e.target.value })} maxLength={160} />
      <TextArea label={t("notices.field.textAr")} marker={optional} lang="ar" dir="rtl" value={texts.ar} onChange={(e) => setTexts({ ...texts, ar: e.target.value })} maxLength={2000} rows={3} />
      <TextField
        label={t("notices.field.endsAt")}
        hint={t("notices.field.endsHint")}
        type="datetime-local"
        value={endsAt}
        onChange={(e) => setEndsAt(e.target.value)}
        required
        error={fields.ends_at}
      />
      <SelectField label={t("notices.field.article")} marker={optional} value={articleId} onChange={(e) => setArticleId(e.target.value)} error={fields.article_id}>
        <option value="">{t("notices.field.noArticle")}</option>
        {(articles.data ?? []).map((a) => (
          <option key={a.id} value={a.id}>
            {a.title}
          </option>
        ))}
      </SelectField>
      <button type="submit" className="button">
        {t("notices.publish")}
      </button>
    </form>
  );
}

export function NoticesPage() {
  const { t, language } = useI18n();
  usePageTitle(t("notices.title"));
  const announce = useAnnounce();
  const errorText = useErrorText();
  const [failure, setFailure] = useState<string | null>(null);
  const notices = usePolling((signal) => api<Notice[]>("/v1/kb/notices", { query: { limit: 50 }, signal }), [], 30_000);

  async function withdraw(notice: Notice) {
    setFailure(null);
    try {
      await api(`/v1/kb/notices/${encodeURIComponent(notice.id)}/withdraw`, { method: "POST" });
      announce(t("notices.withdrawn"));
    } catch (caught) {
      setFailure(errorText(caught));
    }
    await notices.reload();
  }

  return (
    <>
      <PageHeading>{t("notices.title")}</PageHeading>
      <p>{t("notices.lead")}</p>
      <PublishForm onPublished={() => void notices.reload()} />
      <section aria-labelledby="notices-list">
        <h2 id="notices-list">{t("notices.list")}</h2>
        {failure ? <Alert>{failure}</Alert> : null}
        {notices.error ? <Alert>{errorText(notices.error)}</Alert> : null}
        {!notices.data ? <Loading /> : notices.data.length === 0 ? <p>{t("notices.none")}</p> : null}
        <ul className="notice-list">
          {(notices.data ?? []).map((notice) => (
            <li key={notice.id} className={`notice notice--${notice.severity}`}>
              <h3>{inLanguage(notice.title, language).text}</h3>
              <p>{inLanguage(notice.text, language).text}</p>
              <p className="notice__meta">
                <span className="badge">{notice.showing ? t("notices.state.showing") : t(`notices.state.${notice.state}`)}</span>{" "}
                {t("notices.period", { from: formatDateTime(notice.starts_at), to: formatDateTime(notice.ends_at) })} ·{" "}
                {t("notices.by", { by: notice.published_by, at: formatDateTime(notice.published_at) })}
                {notice.ended_by ? ` · ${t("notices.ended", { by: notice.ended_by, at: formatDateTime(notice.ended_at) })}` : ""}
              </p>
              {notice.state === "published" ? (
                <button type="button" className="button button--danger button--small" onClick={() => void withdraw(notice)}>
                  {t("notices.withdraw")}
                  <span className="visually-hidden">: {inLanguage(notice.title, language).text}</span>
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
