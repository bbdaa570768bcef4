/**
 * "Synpunkt": a synpunkt's kind and the department it concerns, set or corrected by the agent
 * (docs/cases.md, "Classifying a synpunkt"). The department is credited with it in the figures.
 */
import { useState, type FormEvent } from "react";
import { api } from "../../api";
import { useAuth } from "../../auth";
import { useOutcome } from "../../components/outcome";
import { Options, SelectField } from "../../components/Field";
import { useI18n, type MessageKey, type Translate } from "../../i18n";
import type { CaseDetail, FeedbackKind, Organization } from "../../types";

export const FEEDBACK_KINDS: FeedbackKind[] = ["praise", "complaint", "suggestion", "question"];

export const kindName = (t: Translate, kind: string | null | undefined) => t(`synpunkter.kind.${kind ?? "unclassified"}` as MessageKey);

/** The case view offers it on synpunkter only (casestore refuses others with 409 not_a_synpunkt). */
export const isSynpunkt = (detail: CaseDetail) => detail.category === "synpunkt";

/** How a `feedback_classified` timeline entry reads: old → new kind, and the department when it changed. */
export function describeFeedback(data: Record<string, unknown>, department: (id: string | null | undefined) => string, t: Translate): string[] {
  const before = (data.old ?? {}) as Record<string, string | null | undefined>;
  const after = (data.new ?? {}) as Record<string, string | null | undefined>;
  const parts = [before.kind ? `${kindName(t, before.kind)} → ${kindName(t, after.kind)}` : kindName(t, after.kind)];
  if (before.department !== after.department && after.department) parts.push(department(after.department));
  return parts;
}

export function FeedbackClassification({ detail, organization, onDone }: { detail: CaseDetail; organization: Organization | null; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const { user } = useAuth();
  const current = detail.feedback ?? null;
  const [kind, setKind] = useState<string>(current?.kind ?? "");
  const [department, setDepartment] = useState<string>(current?.department ?? "");
  const [error, setError] = useState<string | null>(null);
  const outcome = useOutcome();

  const handler = user?.role === "handler";
  const departmentName = (id: string | null | undefined) => (id ? (organization?.departments.find((d) => d.id === id)?.name ?? id) : t("synpunkter.noDepartment"));
  // A handler credits their own departments; casestore would refuse the others.
  const departments = (organization?.departments ?? []).filter((d) => !handler || user!.departments.includes(d.id));
  const credited = (id: string | null | undefined) => departmentName(id || detail.department);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!kind) {
      setError(t("synpunkter.kindMissing"));
      document.getElementById("feedback-kind")?.focus();
      return;
    }
    setError(null);
    await outcome.attempt(async () => {
      const saved = await api<CaseDetail>(`/v1/cases/${encodeURIComponent(detail.ref)}/feedback`, {
        json: { kind, department: department || undefined },
      });
      await onDone();
      return t("synpunkter.done", { kind: kindName(t, saved.feedback?.kind), department: credited(saved.feedback?.department) });
    });
  }

  return (
    <section aria-labelledby="feedback-heading" className="action">
      <h3 id="feedback-heading">{t("synpunkter.title")}</h3>
      <p className="hint">{handler ? t("synpunkter.handlerHint") : t("synpunkter.lead")}</p>
      <p data-testid="feedback-current">
        {current?.kind ? t("synpunkter.current", { kind: kindName(t, current.kind), department: credited(current.department) }) : t("synpunkter.notYet")}
      </p>
      {outcome.alerts}
      <form onSubmit={submit} noValidate>
        <SelectField id="feedback-kind" label={t("synpunkter.kind")} error={error ?? undefined} value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="">{t("synpunkter.chooseKind")}</option>
          {FEEDBACK_KINDS.map((k) => (
            <option key={k} value={k}>
              {kindName(t, k)}
            </option>
          ))}
        </SelectField>
        <SelectField id="feedback-department" label={t("synpunkter.department")} value={department} onChange={(e) => setDepartment(e.target.value)}>
          {/* Once a department was credited, leaving it out keeps that one: no "case's department" then. */}
          {current?.department ? null : <option value="">{t("synpunkter.caseDepartment", { department: departmentName(detail.department) })}</option>}
          <Options items={departments} />
        </SelectField>
        <button type="submit" className="button button--secondary" disabled={outcome.busy}>
          {t("synpunkter.submit")}
        </button>
      </form>
    </section>
  );
}
