/** One knowledge article: what changed since you last read it, the text, its versions; edit it if yours. */
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { api } from "../../api";
import { useAuth } from "../../auth";
import { useAnnounce } from "../../components/Announcer";
import { Alert, Loading, PageHeading, useErrorText } from "../../components/bits";
import { formatDate, formatDateTime } from "../../format";
import { usePageTitle, usePolling } from "../../hooks";
import { useI18n } from "../../i18n";
import { ArticleEditor } from "./ArticleEditor";
import { articlePath, mayEdit, type ChangesSinceRead, type KnowledgeArticle, type VersionSummary } from "./knowledge";

interface Loaded {
  article: KnowledgeArticle;
  changes: ChangesSinceRead;
  versions: VersionSummary[];
}

function Changes({ changes, onRead }: { changes: ChangesSinceRead; onRead: () => void }) {
  const { t } = useI18n();
  return (
    <section className="kb-changes" aria-labelledby="kb-changes">
      <Alert kind="info">
        {t("kb.changedSince", {
          from: changes.last_read_version ?? "–",
          to: changes.current_version,
          by: changes.changed_by ?? "–",
          at: formatDateTime(changes.changed_at),
        })}
      </Alert>
      <h2 id="kb-changes">{t("kb.diffHeading")}</h2>
      <div className="kb-diff">
        {changes.diff.map((line, index) =>
          line.op === "added" ? (
            <ins key={index}>
              <span className="visually-hidden">{t("kb.added")}: </span>
              {line.text || " "}
            </ins>
          ) : line.op === "removed" ? (
            <del key={index}>
              <span className="visually-hidden">{t("kb.removed")}: </span>
              {line.text || " "}
            </del>
          ) : (
            <span key={index}>{line.text || " "}</span>
          ),
        )}
      </div>
      <button type="button" className="button" onClick={onRead}>
        {t("kb.markRead")}
      </button>
    </section>
  );
}

export function ArticlePage() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const { user } = useAuth();
  const announce = useAnnounce();
  const errorText = useErrorText();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<number | null>(null);
  const loaded = usePolling(
    async (signal): Promise<Loaded> => {
      const [article, changes, versions] = await Promise.all([
        api<KnowledgeArticle>(articlePath(id), { signal }),
        api<ChangesSinceRead>(`${articlePath(id)}/changes`, { signal }),
        api<VersionSummary[]>(`${articlePath(id)}/versions`, { signal }),
      ]);
      return { article, changes, versions };
    },
    [id],
  );
  usePageTitle(loaded.data?.article.title ?? t("kb.title"));
  const data = loaded.data;

  // Reading an article for the first time marks it read: there is nothing it changed from for you.
  const neverRead = data !== null && data.changes.last_read_version === null;
  useEffect(() => {
    if (neverRead) void api(`${articlePath(id)}/read`, { method: "POST" }).catch(() => undefined);
  }, [neverRead, id]);

  async function markRead() {
    await api(`${articlePath(id)}/read`, { method: "POST" });
    announce(t("kb.readDone"));
    await loaded.reload();
  }

  if (loaded.error && !data) return <Alert>{errorText(loaded.error)}</Alert>;
  if (!data) return <Loading />;
  const { article, changes, versions } = data;
  return (
    <>
      <p>
        <Link to="/arbetsyta/kunskapsbank">{t("kb.back")}</Link>
      </p>
      <PageHeading>{article.title}</PageHeading>
      <p className="hint">
        {t("kb.version", { version: article.version })} · {article.owner_department ?? t("kb.noOwner")}
        {article.review_date ? ` · ${t("kb.reviewBy")} ${formatDate(article.review_date)}` : ""}{" "}
        {article.review_due ? <span className="badge badge--review">{t("kb.reviewDue")}</span> : null}
      </p>
      {saved !== null ? <Alert kind="success">{t("kb.saved", { version: saved })}</Alert> : null}
      {changes.changed ? <Changes changes={changes} onRead={() => void markRead()} /> : null}
      {editing ? (
        <ArticleEditor
          article={article}
          onCancel={() => setEditing(false)}
          onSaved={(next) => {
            setEditing(false);
            setSaved(next.version);
            void loaded.reload();
          }}
        />
      ) : (
        <>
          <div className="kb-body">
            {article.body.split("\n").map((line, index) => (
              <p key={index}>{line}</p>
            ))}
          </div>
          {article.checklist.length > 0 ? (
            <>
              <h2>{t("kb.checklist")}</h2>
              <ul>
                {article.checklist.map((item) => (
                  <li key={item}>{item}</li>
                ))}
              </ul>
            </>
          ) : null}
          {article.tags.length > 0 ? (
            <p>
              {t("kb.tags")}: {article.tags.join(", ")}
            </p>
          ) : null}
          {user && mayEdit(user, article.organization, article.owner_department) ? (
            <button type="button" className="button button--secondary" onClick={() => setEditing(true)}>
              {t("kb.edit")}
            </button>
          ) : null}
        </>
      )}
      <h2>{t("kb.history")}</h2>
      <ol className="kb-versions" reversed>
        {versions.map((v) => (
          <li key={v.version}>
            {t("kb.version", { version: v.version })}: {t("kb.savedBy", { by: v.saved_by, at: formatDateTime(v.saved_at) })}
          </li>
        ))}
      </ol>
    </>
  );
}
