/** "Ändra kategori": correct a misclassified case's category, with a required reason (docs/cases.md, "Correcting a case"). */
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api } from "../../api";
import { useAuth } from "../../auth";
import { useAnnounce } from "../../components/Announcer";
import { useOutcome } from "../../components/outcome";
import { Alert } from "../../components/bits";
import { focusFirstError, Options, SelectField, TextArea } from "../../components/Field";
import { useI18n, type Translate } from "../../i18n";
import type { CaseDetail, Organization } from "../../types";

/** What casestore answers: the corrected case, or that it became confidential to the caller. */
type Answer = CaseDetail | { ref: string; visible: false };

/** How a `recategorised` timeline entry reads: old → new category, and a department that changed. */
export function describeCorrection(
  data: Record<string, unknown>,
  names: { category: (id: string | null | undefined) => string; department: (id: string | null | undefined) => string },
  t: Translate,
): string[] {
  const before = (data.old ?? {}) as Record<string, unknown>;
  const after = (data.new ?? {}) as Record<string, unknown>;
  const id = (value: unknown) => (typeof value === "string" ? value : null);
  const parts = [`${names.category(id(before.category))} → ${names.category(id(after.category))}`];
  if (before.department !== after.department) parts.push(`${names.department(id(before.department))} → ${names.department(id(after.department))}`);
  if (after.confidential === true && before.confidential !== true) parts.push(t("timeline.becameConfidential"));
  return parts;
}

export function Recategorise({ detail, organization, onDone }: { detail: CaseDetail; organization: Organization | null; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const { user } = useAuth();
  const announce = useAnnounce();
  const [category, setCategory] = useState("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const outcome = useOutcome();
  const [gone, setGone] = useState<string | null>(null); // the case became confidential to this caller

  const handler = user?.role === "handler";
  // A handler corrects within their departments; anything else would be refused by casestore.
  const choices = (organization?.categories ?? [])
    .filter((c) => !handler || (c.department != null && user!.departments.includes(c.department)))
    .sort((a, b) => a.name.localeCompare(b.name, "sv"));
  const chosen = choices.find((c) => c.id === category);
  const departmentName = (id: string) => organization?.departments.find((d) => d.id === id)?.name ?? id;
  const confidential = chosen ? chosen.confidential || organization?.departments.find((d) => d.id === chosen.department)?.confidential : false;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!category) found.category = t("recategorise.categoryMissing");
    else if (category === detail.category) found.category = t("recategorise.same");
    if (!reason.trim()) found.reason = t("recategorise.reasonMissing");
    setErrors(found);
    if (focusFirstError(found, "recategorise")) return;
    const name = chosen?.name ?? category;
    await outcome.attempt(async () => {
      const answer = await api<Answer>(`/v1/cases/${encodeURIComponent(detail.ref)}/recategorise`, { json: { category, reason: reason.trim() } });
      if ("visible" in answer && answer.visible === false) {
        // Now confidential: this caller may no longer see it, nor act on it.
        const message = t("recategorise.outOfView", { ref: detail.ref, category: name });
        setGone(message);
        announce(message);
        return null;
      }
      setCategory("");
      setReason("");
      await onDone();
      return t("recategorise.done", { category: name });
    });
  }

  if (gone) {
    return (
      <section aria-labelledby="recategorise-heading" className="action">
        <h3 id="recategorise-heading">{t("recategorise.title")}</h3>
        <Alert kind="info">{gone}</Alert>
        <Link to="/arbetsyta">{t("recategorise.toQueues")}</Link>
      </section>
    );
  }

  return (
    <section aria-labelledby="recategorise-heading" className="action">
      <h3 id="recategorise-heading">{t("recategorise.title")}</h3>
      <p className="hint">{handler ? t("recategorise.handlerHint") : t("recategorise.lead")}</p>
      {outcome.alerts}
      <form onSubmit={submit} noValidate>
        <SelectField
          id="recategorise-category"
          label={t("recategorise.category")}
          hint={chosen ? [chosen.department ? t("recategorise.belongsTo", { department: departmentName(chosen.department) }) : t("recategorise.firstLine"), confidential ? t("recategorise.confidential") : ""].filter(Boolean).join(" ") : undefined}
          error={errors.category}
          value={category}
          onChange={(e) => {
            setCategory(e.target.value);
            setErrors(({ category: _, ...rest }) => rest); // a new choice is judged when sent
          }}
        >
          <option value="">{t("recategorise.choose")}</option>
          <Options items={choices} />
        </SelectField>
        <TextArea id="recategorise-reason" label={t("recategorise.reason")} hint={t("recategorise.reasonHint")} error={errors.reason} value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={2000} />
        <button type="submit" className="button button--secondary" disabled={outcome.busy}>
          {t("recategorise.submit")}
        </button>
      </form>
    </section>
  );
}
