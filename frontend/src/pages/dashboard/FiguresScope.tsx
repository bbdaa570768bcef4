/** For a department handler: which departments the figures cover, and why telephony is not shown. */
import { useAuth } from "../../auth";
import { directoryNames, useDirectory } from "../../hooks";
import { useI18n } from "../../i18n";

export function FiguresScope() {
  const { user } = useAuth();
  const { t } = useI18n();
  const names = directoryNames(useDirectory());
  if (user?.role !== "handler") return null;
  return (
    <p className="hint" data-testid="figures-scope">
      {t("handling.scope", { departments: user.departments.map((d) => names.department(d)).join(", ") || "–" })} {t("handling.noTelephony")}
    </p>
  );
}
