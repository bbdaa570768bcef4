/** The knowledge bank: search every article; a department's own articles, their review dates, a new one. */
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { api } from "../../api";
import { useAuth } from "../../auth";
import { Alert, Loading, PageHeading, useErrorText } from "../../components/bits";
import { TextField } from "../../components/Field";
import { formatDate } from "../../format";
import { useDirectory, usePageTitle, usePolling } from "../../hooks";
import { useI18n } from "../../i18n";
import { ArticleEditor } from "./ArticleEditor";
import { mayWriteAny, type KnowledgeArticle } from "./knowledge";

function ArticleList({ articles }: { articles: KnowledgeArticle[] }) {
  const { t } = useI18n();
  const directory = useDirectory();
  const departmentName = (article: KnowledgeArticle) =>
    directory?.organizations
      .find((o) => o.id === article.organization)
      ?.departments.find((d) => d.id === article.owner_department)?.name ?? article.owner_department ?? t("kb.noOwner");
  if (articles.length === 0) return <p>{t("kb.none")}</p>;
  return (
    <ul className="kb-list">
      {articles.map((article) => (
        <li key={article.id}>
          <Link to={`/arbetsyta/kunskapsbank/${encodeURIComponent(article.id)}`}>{article.title}</Link>{" "}
          {article.changed_since_read ? <span className="badge badge--changed">{t("kb.changed")}</span> : null}{" "}
          {article.review_due ? <span className="badge badge--review">{t("kb.reviewDue")}</span> : null}
          <br />
          <span className="hint">
            {t("kb.owner")}: {departmentName(article)}
            {article.review_date ? ` · ${t("kb.reviewBy")} ${formatDate(article.review_date)}` : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function KnowledgePage() {
  const { t } = useI18n();
  usePageTitle(t("kb.title"));
  const { user } = useAuth();
  const navigate = useNavigate();
  const errorText = useErrorText();
  const [query, setQuery] = useState("");
  const [asked, setAsked] = useState("");
  const [writing, setWriting] = useState(false);
  const found = usePolling(
    (signal) => api<KnowledgeArticle[]>("/v1/kb/articles", { query: { q: asked || undefined, limit: 50 }, signal }),
    [asked],
  );
  const ownDepartments = user?.role === "handler" ? user.departments : [];
  const mine = usePolling(
    (signal) => {
      if (ownDepartments.length === 0) return Promise.resolve([] as KnowledgeArticle[]);
      const params = new URLSearchParams({ limit: "100" });
      for (const department of ownDepartments) params.append("owner_department", department);
      return api<KnowledgeArticle[]>(`/v1/kb/articles?${params.toString()}`, { signal });
    },
    [ownDepartments.join(",")],
  );

  function search(event: FormEvent) {
    event.preventDefault();
    setAsked(query.trim());
  }

  return (
    <>
      <PageHeading>{t("kb.title")}</PageHeading>
      <p>{t("kb.lead")}</p>
      {user && mayWriteAny(user) && !writing ? (
        <button type="button" className="button" onClick={() => setWriting(true)}>
          {t("kb.new")}
        </button>
      ) : null}
      {writing ? (
        <ArticleEditor
          onCancel={() => setWriting(false)}
          onSaved={(saved) => navigate(`/arbetsyta/kunskapsbank/${encodeURIComponent(saved.id)}`)}
        />
      ) : null}
      {ownDepartments.length > 0 ? (
        <section aria-labelledby="kb-mine">
          <h2 id="kb-mine">{t("kb.mine")}</h2>
          {mine.error ? <Alert>{errorText(mine.error)}</Alert> : null}
          {mine.data ? <ArticleList articles={mine.data} /> : <Loading />}
        </section>
      ) : null}
      <section aria-labelledby="kb-all">
        <h2 id="kb-all">{t("kb.all")}</h2>
        <form onSubmit={search} className="inline-form" role="search">
          <TextField label={t("kb.search")} type="search" value={query} onChange={(e) => setQuery(e.target.value)} maxLength={200} />
          <button type="submit" className="button button--secondary">
            {t("kb.searchButton")}
          </button>
        </form>
        {found.error ? <Alert>{errorText(found.error)}</Alert> : null}
        {found.data ? <ArticleList articles={found.data} /> : <Loading />}
      </section>
    </>
  );
}
