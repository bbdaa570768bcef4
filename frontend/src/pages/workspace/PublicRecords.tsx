/** Public records (allmänna handlingar): register the case or one of its messages and show the diary numbers. */
import { createContext, useCallback, useContext, useEffect, useState, type FormEvent, type ReactNode } from "react";
import { api } from "../../api";
import { useAuth } from "../../auth";
import { useAnnounce } from "../../components/Announcer";
import { Alert, useErrorText } from "../../components/bits";
import { TextField } from "../../components/Field";
import { useI18n } from "../../i18n";
import type { CaseDetail } from "../../types";

export interface Registration {
  diary_number: string;
  organization: string;
  case_ref: string;
  kind: "case" | "message";
  message_id: string | null;
  direction: "incoming" | "outgoing" | "internal";
  subject: string;
  parties: { role: "sender" | "recipient"; name: string | null; address: string | null }[];
  confidential: boolean;
  osl: string | null;
  registered_at: string;
  registered_by: string;
  masked: boolean;
}

interface Registrations {
  caseRef: string;
  confidential: boolean;
  mayRegister: boolean;
  entries: Registration[];
  add: (entry: Registration) => void;
}

const RegistrationsContext = createContext<Registrations | null>(null);

/** The case's registrations, read once and kept as registering adds to them. */
export function RegistrationsProvider({ detail, children }: { detail: CaseDetail; children: ReactNode }) {
  const { user } = useAuth();
  const [entries, setEntries] = useState<Registration[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    api<Registration[]>(`/v1/cases/${encodeURIComponent(detail.ref)}/registrations`, { signal: controller.signal })
      .then(setEntries)
      .catch(() => undefined); // the case view says when the case cannot be read
    return () => controller.abort();
  }, [detail.ref]);
  const add = useCallback(
    (entry: Registration) =>
      setEntries((known) => (known.some((e) => e.diary_number === entry.diary_number) ? known : [...known, entry])),
    [],
  );
  const value: Registrations = {
    caseRef: detail.ref,
    confidential: detail.confidential,
    mayRegister: !!user && user.role !== "admin",
    entries,
    add,
  };
  return <RegistrationsContext.Provider value={value}>{children}</RegistrationsContext.Provider>;
}

function useRegistrations(): Registrations {
  const context = useContext(RegistrationsContext);
  if (!context) throw new Error("useRegistrations outside RegistrationsProvider");
  return context;
}

/** On a message: its diary number, or the action that registers it. */
export function MessageRegistration({ messageKey }: { messageKey: string }) {
  return <RegisterControl messageKey={messageKey} />;
}

/** Beside the case: the case's registrations and the action that registers the whole case. */
export function CaseRegistration() {
  const { t } = useI18n();
  const { entries } = useRegistrations();
  return (
    <section className="panel" aria-labelledby="records-heading">
      <h2 id="records-heading">{t("records.heading")}</h2>
      {entries.length ? (
        <ul className="plain">
          {entries.map((e) => (
            <li key={e.diary_number}>
              {t(e.kind === "case" ? "records.registeredCase" : "records.registeredMessage", { number: e.diary_number })}
              {e.osl ? <span className="hint"> ({t("records.secrecy", { osl: e.osl })})</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">{t("records.none")}</p>
      )}
      <RegisterControl messageKey={null} />
    </section>
  );
}

function RegisterControl({ messageKey }: { messageKey: string | null }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const announce = useAnnounce();
  const { caseRef, confidential, mayRegister, entries, add } = useRegistrations();
  const [open, setOpen] = useState(false);
  const [osl, setOsl] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [oslError, setOslError] = useState<string | null>(null);
  const existing = entries.find((e) => (messageKey ? e.message_id === messageKey : e.kind === "case"));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setOslError(null);
    if (confidential && !osl.trim()) {
      setOslError(t("records.oslRequired"));
      return;
    }
    setBusy(true);
    try {
      const body = { ...(messageKey ? { message_id: messageKey } : {}), ...(osl.trim() ? { secrecy: { osl: osl.trim() } } : {}) };
      const entry = await api<Registration>(`/v1/cases/${encodeURIComponent(caseRef)}/register`, { method: "POST", json: body });
      add(entry);
      announce(t("records.registeredAs", { number: entry.diary_number }));
      setOpen(false);
    } catch (caught) {
      setFailure(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="record-registration">
      {existing ? <p className="record-registration__number">{t("records.registeredAs", { number: existing.diary_number })}</p> : null}
      {existing || !mayRegister ? null : open ? (
        <form onSubmit={(e) => void submit(e)} noValidate>
          <TextField
            label={t("records.osl")}
            hint={t("records.oslHint")}
            error={oslError}
            value={osl}
            maxLength={100}
            required={confidential}
            onChange={(e) => setOsl(e.target.value)}
          />
          <button type="submit" className="button button--small" disabled={busy}>
            {busy ? t("records.busy") : t("records.submit")}
          </button>{" "}
          <button type="button" className="button button--secondary button--small" onClick={() => setOpen(false)}>
            {t("records.cancel")}
          </button>
        </form>
      ) : (
        <button type="button" className="button button--secondary button--small" onClick={() => setOpen(true)}>
          {t("records.register")}
        </button>
      )}
      {failure ? <Alert>{failure}</Alert> : null}
    </div>
  );
}
