/** The reply composer: answer the citizen or write an internal note, with the knowledge bank at hand. */
import { useRef, useState, type FormEvent } from "react";
import { api } from "../../api";
import { useAuth } from "../../auth";
import { useAnnounce } from "../../components/Announcer";
import { Alert, useErrorText } from "../../components/bits";
import { SelectField, TextArea, TextField } from "../../components/Field";
import { useI18n } from "../../i18n";
import type { Article, CaseDetail } from "../../types";
import { may } from "./permissions";

const REPLY_CHANNELS = ["email", "phone", "letter", "facebook"];

export function Composer({ detail, onDone }: { detail: CaseDetail; onDone: () => Promise<void> }) {
  const { t, label } = useI18n();
  const { user } = useAuth();
  const announce = useAnnounce();
  const errorText = useErrorText();
  const [kind, setKind] = useState<"reply" | "note">("reply");
  const [channel, setChannel] = useState("");
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const textRef = useRef<HTMLTextAreaElement>(null);

  const canReply = may("reply", user!.role, detail.status);
  const canNote = may("note", user!.role, detail.status);
  if (!canReply && !canNote) return null;
  const effectiveKind = canReply ? kind : "note";

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSent(null);
    setFailure(null);
    if (!text.trim()) {
      setError(t("composer.textMissing"));
      textRef.current?.focus();
      return;
    }
    setError(null);
    setBusy(true);
    try {
      await api(`/v1/cases/${encodeURIComponent(detail.ref)}/messages`, {
        json: { kind: effectiveKind, text: text.trim(), channel: effectiveKind === "reply" && channel ? channel : null },
      });
      const done = effectiveKind === "reply" ? t("composer.replySent") : t("composer.noteSaved");
      setText("");
      setSent(done);
      announce(done);
      await onDone();
    } catch (caught) {
      setFailure(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  function insert(article: Article) {
    setText((current) => (current.trim() ? `${current.trimEnd()}\n\n${article.body}` : article.body));
    announce(t("kb.inserted", { title: article.title }));
    textRef.current?.focus();
  }

  return (
    <section className="panel" aria-labelledby="composer-heading">
      <h2 id="composer-heading">{t("composer.title")}</h2>
      <KnowledgeBank organization={detail.organization} onInsert={insert} />
      <form onSubmit={submit} noValidate>
        {canReply ? (
          <fieldset className="fieldset fieldset--inline">
            <legend>{t("composer.kind")}</legend>
            <label className="radio">
              <input type="radio" name="kind" value="reply" checked={effectiveKind === "reply"} onChange={() => setKind("reply")} />
              {t("composer.reply")}
            </label>
            {canNote ? (
              <label className="radio">
                <input type="radio" name="kind" value="note" checked={effectiveKind === "note"} onChange={() => setKind("note")} />
                {t("composer.note")}
              </label>
            ) : null}
          </fieldset>
        ) : null}
        {effectiveKind === "reply" ? (
          <SelectField label={t("composer.channel")} hint={t("composer.channelHint")} value={channel} onChange={(e) => setChannel(e.target.value)}>
            <option value="">{t("composer.channelAuto")}</option>
            {REPLY_CHANNELS.map((c) => (
              <option key={c} value={c}>
                {label("channel", c)}
              </option>
            ))}
          </SelectField>
        ) : null}
        <TextArea
          ref={textRef}
          id="composer-text"
          label={t("composer.text")}
          error={error}
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={8}
          maxLength={20000}
        />
        {failure ? <Alert>{failure}</Alert> : null}
        {sent ? <Alert kind="success">{sent}</Alert> : null}
        <button type="submit" className="button" disabled={busy}>
          {effectiveKind === "reply" ? t("composer.sendReply") : t("composer.saveNote")}
        </button>
      </form>
    </section>
  );
}

function KnowledgeBank({ organization, onInsert }: { organization: string; onInsert: (a: Article) => void }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<Article[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function search(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    try {
      setResults(await api<Article[]>("/v1/kb/articles", { query: { q: query.trim() || undefined, organization, limit: 10 } }));
    } catch (caught) {
      setFailure(errorText(caught));
    }
  }

  async function use(article: Article) {
    try {
      onInsert(await api<Article>(`/v1/kb/articles/${encodeURIComponent(article.id)}/use`, { method: "POST" }));
    } catch {
      onInsert(article); // counting the use failed; the text is still right
    }
  }

  return (
    <div className="kb">
      <form role="search" aria-label={t("kb.title")} onSubmit={search} className="kb__search">
        <TextField label={t("kb.search")} type="search" value={query} onChange={(e) => setQuery(e.target.value)} maxLength={200} />
        <button type="submit" className="button button--secondary">
          {t("kb.searchButton")}
        </button>
      </form>
      {failure ? <Alert>{failure}</Alert> : null}
      <div role="status" aria-live="polite" className="visually-hidden">
        {results ? t("kb.found", { count: results.length }) : ""}
      </div>
      {results ? (
        results.length ? (
          <ul className="kb__results" aria-label={t("kb.results")}>
            {results.map((article) => (
              <li key={article.id} className="kb__article">
                <h3>{article.title}</h3>
                {article.review_due ? <p className="badge badge--late">{t("kb.reviewDue")}</p> : null}
                <p className="kb__body">{article.body}</p>
                {article.checklist.length ? (
                  <>
                    <p className="kb__checklist-title">{t("kb.checklist")}</p>
                    <ul className="kb__checklist">
                      {article.checklist.map((item) => (
                        <li key={item}>{item}</li>
                      ))}
                    </ul>
                  </>
                ) : null}
                <button type="button" className="button button--small" onClick={() => void use(article)}>
                  {t("kb.insert")}
                  <span className="visually-hidden"> {t("kb.insertWhat", { title: article.title })}</span>
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t("kb.none")}</p>
        )
      ) : null}
    </div>
  );
}
