/** The two frames: the citizens' pages and the staff workspace. Both: skip link, landmarks, one <main>. */
import { NavLink, Navigate, Outlet, useLocation } from "react-router";
import { config } from "../config";
import { useAuth } from "../auth";
import { CITIZEN_LANGUAGES, useI18n, useStaffLanguage } from "../i18n";
import type { Role } from "../types";
import { LanguageSwitch, SkipLink } from "./bits";
import { NoticeBanner } from "./NoticeBanner";

export function CitizenLayout() {
  const { t } = useI18n();
  return (
    <div className="frame frame--citizen">
      <SkipLink />
      <header className="site-header">
        <div className="site-header__inner">
          <NavLink to="/" className="site-name">
            {config.organizationName}
          </NavLink>
          <LanguageSwitch languages={CITIZEN_LANGUAGES} />
        </div>
        <nav aria-label={t("nav.citizen")} className="site-nav">
          <ul>
            <li>
              <NavLink to="/kontakta-oss">{t("citizen.contact.title")}</NavLink>
            </li>
            <li>
              <NavLink to="/synpunkt">{t("citizen.feedback.title")}</NavLink>
            </li>
            <li>
              <NavLink to="/felanmalan">{t("citizen.report.title")}</NavLink>
            </li>
            <li>
              <NavLink to="/folj-arende">{t("citizen.follow.title")}</NavLink>
            </li>
          </ul>
        </nav>
        <NoticeBanner audience="citizen" />
      </header>
      <main id="main" tabIndex={-1} className="page">
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>{t("citizen.footer.hours", { phone: config.phone })}</p>
        <p>
          <NavLink to="/arbetsyta/logga-in">{t("citizen.footer.staff")}</NavLink>
        </p>
      </footer>
    </div>
  );
}

const NAV: { to: string; key: "nav.cases" | "nav.switchboard" | "nav.staff" | "nav.register" | "nav.registry" | "nav.dashboard" | "nav.admin" | "nav.knowledge" | "nav.notices" | "agents.nav"; roles: Role[] }[] = [
  { to: "/arbetsyta", key: "nav.cases", roles: ["agent", "handler", "supervisor", "admin"] },
  { to: "/arbetsyta/vaxel", key: "nav.switchboard", roles: ["agent", "handler", "supervisor", "admin"] },
  { to: "/arbetsyta/personal", key: "nav.staff", roles: ["handler", "admin"] },
  { to: "/arbetsyta/registrera", key: "nav.register", roles: ["agent", "supervisor"] },
  { to: "/arbetsyta/kunskapsbank", key: "nav.knowledge", roles: ["agent", "handler", "supervisor", "admin"] },
  { to: "/arbetsyta/meddelanden", key: "nav.notices", roles: ["supervisor", "admin"] },
  { to: "/arbetsyta/diarium", key: "nav.registry", roles: ["supervisor", "admin"] },
  { to: "/arbetsyta/statistik", key: "nav.dashboard", roles: ["supervisor", "admin", "handler"] },
  { to: "/arbetsyta/min-uppfoljning", key: "agents.nav", roles: ["agent", "supervisor"] },
  { to: "/arbetsyta/admin", key: "nav.admin", roles: ["admin"] },
];

export function WorkspaceLayout() {
  const { t, label } = useI18n();
  useStaffLanguage();
  const { user, logout, expired } = useAuth();
  const location = useLocation();
  if (!user) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/arbetsyta/logga-in?next=${next}${expired ? "&expired=1" : ""}`} replace />;
  }
  return (
    <div className="frame frame--workspace">
      <SkipLink />
      <header className="ws-header">
        <div className="ws-header__inner">
          <span className="ws-brand">Lotsen</span>
          <nav aria-label={t("nav.workspace")} className="ws-nav">
            <ul>
              {NAV.filter((item) => item.roles.includes(user.role)).map((item) => (
                <li key={item.to}>
                  <NavLink to={item.to} end={item.to === "/arbetsyta"}>
                    {t(item.key)}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <div className="ws-user">
            <span>
              {t("nav.signedInAs", { name: user.name, role: label("role", user.role) })}
            </span>
            <LanguageSwitch />
            <button type="button" className="button button--secondary button--small" onClick={() => logout()}>
              {t("nav.logout")}
            </button>
          </div>
        </div>
        <NoticeBanner audience="staff" />
      </header>
      <main id="main" tabIndex={-1} className="page page--wide">
        <Outlet />
      </main>
    </div>
  );
}

/** Shows the page only to the given roles; others get a polite explanation. */
export function RequireRole({ roles, children }: { roles: Role[]; children: React.ReactNode }) {
  const { user } = useAuth();
  const { t } = useI18n();
  if (!user) return null;
  if (!roles.includes(user.role)) {
    return (
      <>
        <h1>{t("error.forbiddenTitle")}</h1>
        <p>{t("error.forbidden")}</p>
      </>
    );
  }
  return <>{children}</>;
}
