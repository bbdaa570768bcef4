/**
 * Crisis notices on top of every page: the workspace shows the notices of the organisations the
 * person works for, with the knowledge article first line answers from; the citizens' pages show
 * the public ones of this installation's organisation. Each notice is shown in the page's language
 * when it has one, else in Swedish (marked with its own lang and dir).
 */
import { Link } from "react-router";
import "./knowledge.css";
import { api } from "../api";
import { config } from "../config";
import { formatDateTime } from "../format";
import { usePolling } from "../hooks";
import { directionOf, isMessageKey, useI18n, type Language } from "../i18n";

export type Severity = "info" | "warning" | "crisis";

export interface ShownNotice {
  id: string;
  organization: string;
  severity: Severity;
  title: Record<string, string>;
  text: Record<string, string>;
  starts_at: string;
  ends_at: string;
  article_id?: string | null;
  article_title?: string | null;
}

const POLL_MS = 30_000;

/** The text in ``language`` if the notice has it, else Swedish; with the language it is in. */
export function inLanguage(texts: Record<string, string>, language: Language): { text: string; lang: Language } {
  if (texts[language]) return { text: texts[language], lang: language };
  return { text: texts.sv ?? Object.values(texts)[0] ?? "", lang: "sv" };
}

export function NoticeBanner({ audience }: { audience: "staff" | "citizen" }) {
  const { t, language } = useI18n();
  const { data } = usePolling(
    (signal) =>
      audience === "staff"
        ? api<ShownNotice[]>("/v1/kb/notices", { query: { current: true, limit: 10 }, signal })
        : api<ShownNotice[]>("/v1/public/notices", { query: { organization: config.organization }, anonymous: true, signal }),
    [audience],
    POLL_MS,
  );
  if (!data || data.length === 0) return null;
  return (
    <section className="notice-banner" aria-label={t("notice.region")}>
      {data.map((notice) => {
        const title = inLanguage(notice.title, language);
        const text = inLanguage(notice.text, language);
        const kind = `notice.severity.${notice.severity}`;
        return (
          <article key={notice.id} className={`notice notice--${notice.severity}`}>
            <h2>
              <span className="notice__kind">{isMessageKey(kind) ? t(kind) : notice.severity}: </span>
              <span lang={title.lang} dir={directionOf(title.lang)}>
                {title.text}
              </span>
            </h2>
            <p lang={text.lang} dir={directionOf(text.lang)}>
              {text.text}
            </p>
            <p className="notice__meta">
              {t("notice.until", { at: formatDateTime(notice.ends_at) })}
              {audience === "staff" && notice.article_id ? (
                <>
                  {" · "}
                  <Link to={`/arbetsyta/kunskapsbank/${encodeURIComponent(notice.article_id)}`}>
                    {t("notice.article", { title: notice.article_title ?? notice.article_id })}
                  </Link>
                </>
              ) : null}
            </p>
          </article>
        );
      })}
    </section>
  );
}
