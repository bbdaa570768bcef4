/** The synpunkt form's choice of kind (beröm, klagomål, förslag, fråga): optional, sent as `feedback_kind`. */
import { useI18n, type MessageKey } from "../../i18n";

const KINDS = ["praise", "complaint", "suggestion", "question"] as const;

export function FeedbackKindField({ value, onChange }: { value: string; onChange: (kind: string) => void }) {
  const { t } = useI18n();
  return (
    <fieldset className="fieldset fieldset--inline" aria-describedby="feedback-kind-hint">
      <legend>{t("synpunkter.formKind")}</legend>
      <p className="hint" id="feedback-kind-hint">
        {t("synpunkter.formKindHint")}
      </p>
      {[...KINDS, ""].map((kind) => (
        <label key={kind || "none"} className="radio">
          <input type="radio" name="feedback_kind" value={kind} checked={value === kind} onChange={() => onChange(kind)} />
          {kind ? t(`synpunkter.kind.${kind}` as MessageKey) : t("synpunkter.formKindNone")}
        </label>
      ))}
    </fieldset>
  );
}
