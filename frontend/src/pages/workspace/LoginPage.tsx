import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { ApiError } from "../../api";
import { homeOf, useAuth } from "../../auth";
import { Alert, LanguageSwitch, PageHeading, SkipLink, useErrorText } from "../../components/bits";
import { TextField } from "../../components/Field";
import { usePageTitle } from "../../hooks";
import { useI18n, useStaffLanguage } from "../../i18n";

export function LoginPage() {
  const { t } = useI18n();
  useStaffLanguage();
  usePageTitle(t("login.title"));
  const { login } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const errorText = useErrorText();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<{ username?: string; password?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const missing = {
      username: username.trim() ? undefined : t("login.usernameMissing"),
      password: password ? undefined : t("login.passwordMissing"),
    };
    setErrors(missing);
    setFailure(null);
    if (missing.username || missing.password) {
      document.getElementById(missing.username ? "login-username" : "login-password")?.focus();
      return;
    }
    setBusy(true);
    try {
      const user = await login(username.trim(), password);
      const next = params.get("next");
      navigate(next && next.startsWith("/arbetsyta") ? next : homeOf(user.role), { replace: true });
    } catch (caught) {
      setFailure(caught instanceof ApiError && caught.status === 401 ? t("login.wrong") : errorText(caught));
      setBusy(false);
    }
  }

  return (
    <div className="frame frame--login">
      <SkipLink />
      <header className="ws-header">
        <div className="ws-header__inner">
          <span className="ws-brand">Lotsen</span>
          <div className="ws-user">
            <LanguageSwitch />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="page page--narrow">
        <PageHeading>{t("login.title")}</PageHeading>
        <p className="lead">{t("login.lead")}</p>
        {params.get("expired") ? <Alert kind="info">{t("login.expired")}</Alert> : null}
        {failure ? <Alert>{failure}</Alert> : null}
        <form noValidate onSubmit={submit}>
          <TextField
            id="login-username"
            label={t("login.username")}
            error={errors.username}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
          />
          <TextField
            id="login-password"
            label={t("login.password")}
            type="password"
            error={errors.password}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
            required
          />
          <button type="submit" className="button" disabled={busy}>
            {busy ? t("login.busy") : t("login.submit")}
          </button>
        </form>
        <p>
          <Link to="/">{t("login.citizenPages")}</Link>
        </p>
      </main>
    </div>
  );
}
