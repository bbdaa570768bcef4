/** Small shared pieces: headings that take focus, alerts, badges, the language switch. */
import { useEffect, useRef, type ReactNode } from "react";
import { useLocation } from "react-router";
import { ApiError } from "../api";
import { directionOf, isMessageKey, LANGUAGE_NAMES, STAFF_LANGUAGES, useI18n, type Language } from "../i18n";
import type { Status } from "../types";

let firstRoute = true;

/**
 * The page's <h1>. After a navigation inside the app it takes focus, so a screen reader announces
 * the new page and keyboard users continue from the top of it (not on the first load: there the
 * skip link stays the first stop).
 */
export function PageHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const location = useLocation();
  useEffect(() => {
    if (firstRoute) {
      firstRoute = false;
      return;
    }
    ref.current?.focus();
  }, [location.pathname]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** An API failure in words a person can act on. */
export function useErrorText(): (error: unknown) => string {
  const { t, label } = useI18n();
  // A refusal whose code (and `details.reason`) the dictionary has words for is told in the page's
  // language; the server's own message, in English, is the fallback.
  const known = (error: ApiError): string | null => {
    const details = error.details && typeof error.details === "object" ? (error.details as Record<string, unknown>) : {};
    const vars: Record<string, string | number> = { message: error.message };
    for (const [name, value] of Object.entries(details)) {
      if (typeof value === "string" || typeof value === "number") vars[name] = name === "status" ? label("status", String(value)) : value;
    }
    const reason = typeof details.reason === "string" ? `.${details.reason}` : "";
    for (const key of [`error.${error.code}${reason}`, `error.${error.code}`]) {
      if (isMessageKey(key)) return t(key, vars);
    }
    return null;
  };
  return (error) => {
    if (!(error instanceof ApiError)) return t("error.unexpected");
    if (error.status === 0) return t("error.network");
    if (error.status === 401) return t("error.unauthorized");
    if (error.status === 403) return t("error.forbidden");
    if (error.status === 404) return t("error.notFound");
    if (error.status === 409) return known(error) ?? t("error.conflict", { message: error.message });
    if (error.status === 413) return t("error.tooLarge");
    if (error.status === 429) return t("error.rateLimited");
    if (error.status >= 500) return t("error.server");
    return known(error) ?? t("error.invalid", { message: error.message });
  };
}

export function Alert({ kind = "error", children, id }: { kind?: "error" | "success" | "info"; children: ReactNode; id?: string }) {
  return (
    <div className={`alert alert--${kind}`} role={kind === "error" ? "alert" : undefined} id={id}>
      {children}
    </div>
  );
}

export function StatusBadge({ status }: { status: Status | string }) {
  const { label } = useI18n();
  return <span className={`badge badge--${status}`}>{label("status", status)}</span>;
}

export function ConfidentialMarker() {
  const { t } = useI18n();
  return (
    <span className="badge badge--confidential" title={t("case.confidentialHint")}>
      <span aria-hidden="true">🔒 </span>
      {t("case.confidential")}
    </span>
  );
}

/** A button for each other language, named in that language; the citizens' pages offer Arabic too. */
export function LanguageSwitch({ languages = STAFF_LANGUAGES }: { languages?: readonly Language[] }) {
  const { language, setLanguage } = useI18n();
  return (
    <span className="language-switch">
      {languages
        .filter((other) => other !== language)
        .map((other) => (
          <button key={other} type="button" className="link-button" lang={other} dir={directionOf(other)} onClick={() => setLanguage(other)}>
            {LANGUAGE_NAMES[other]}
          </button>
        ))}
    </span>
  );
}

export function SkipLink() {
  const { t } = useI18n();
  return (
    <a className="skip-link" href="#main">
      {t("nav.skip")}
    </a>
  );
}

export function Loading() {
  const { t } = useI18n();
  return <p className="loading">{t("common.loading")}</p>;
}
