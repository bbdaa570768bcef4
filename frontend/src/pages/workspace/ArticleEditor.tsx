/** Writing a knowledge article: a handler for their own departments, a supervisor or administrator for any. */
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../api";
import { useAuth } from "../../auth";
import { Alert, useErrorText } from "../../components/bits";
import { Options, SelectField, TextArea, TextField } from "../../components/Field";
import { useServedOrganizations } from "../../hooks";
import { useI18n } from "../../i18n";
import type { Organization } from "../../types";
import { articlePath, type ArticleWrite, type KnowledgeArticle } from "./knowledge";

function lines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

export function ArticleEditor({
  article,
  onSaved,
  onCancel,
}: {
  article?: KnowledgeArticle;
  onSaved: (saved: KnowledgeArticle) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const { user } = useAuth();
  const errorText = useErrorText();
  const organizations: Organization[] = useServedOrganizations();
  const [organization, setOrganization] = useState(article?.organization ?? user?.organizations[0] ?? "karlskoga");
  const departments = (organizations.find((o) => o.id === organization)?.departments ?? []).filter(
    (d) => user?.role !== "handler" || user.departments.includes(d.id),
  );
  const [owner, setOwner] = useState(article?.owner_department ?? (user?.role === "handler" ? (user.departments[0] ?? "") : ""));
  const [title, setTitle] = useState(article?.title ?? "");
  const [body, setBody] = useState(article?.body ?? "");
  const [checklist, setChecklist] = useState((article?.checklist ?? []).join("\n"));
  const [tags, setTags] = useState((article?.tags ?? []).join(", "));
  const [reviewDate, setReviewDate] = useState(article?.review_date ?? "");
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    const write: ArticleWrite = {
      organization,
      title: title.trim(),
      body: body.trim(),
      checklist: lines(checklist),
      tags: tags.split(",").map((tag) => tag.trim()).filter(Boolean),
      owner_department: owner || null,
      review_date: reviewDate || null,
    };
    setBusy(true);
    setError(null);
    try {
      const saved = article
        ? await api<KnowledgeArticle>(articlePath(article.id), { method: "PUT", json: write })
        : await api<KnowledgeArticle>("/v1/kb/articles", { method: "POST", json: write });
      onSaved(saved);
    } catch (caught) {
      setError(errorText(caught));
      setFields(caught instanceof ApiError ? caught.fieldErrors() : {});
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} className="panel kb-editor" noValidate>
      {error ? <Alert>{error}</Alert> : null}
      <SelectField label={t("kb.field.organization")} value={organization} onChange={(e) => setOrganization(e.target.value)} disabled={Boolean(article)}>
        <Options items={organizations} />
      </SelectField>
      <SelectField label={t("kb.field.owner")} value={owner} onChange={(e) => setOwner(e.target.value)} error={fields.owner_department}>
        {user?.role !== "handler" ? <option value="">{t("kb.noOwner")}</option> : null}
        <Options items={departments} />
      </SelectField>
      <TextField label={t("kb.field.title")} value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} error={fields.title} />
      <TextArea label={t("kb.field.body")} value={body} onChange={(e) => setBody(e.target.value)} required maxLength={20000} rows={10} error={fields.body} />
      <TextArea label={t("kb.field.checklist")} hint={t("kb.field.checklistHint")} value={checklist} onChange={(e) => setChecklist(e.target.value)} rows={4} />
      <TextField label={t("kb.field.tags")} hint={t("kb.field.tagsHint")} value={tags} onChange={(e) => setTags(e.target.value)} />
      <TextField
        label={t("kb.field.reviewDate")}
        hint={t("kb.field.reviewHint")}
        type="date"
        value={reviewDate}
        onChange={(e) => setReviewDate(e.target.value)}
        error={fields.review_date}
      />
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>
          {t("kb.save")}
        </button>
        <button type="button" className="button button--secondary" onClick={onCancel}>
          {t("kb.cancel")}
        </button>
      </div>
    </form>
  );
}
