/** Efterarbete: the agent starts the clock when the call ends and presses "Klar med efterarbete" when
 * the after-call work is done (POST /v1/calls/{id}/wrap-up), for telephony that does not report it. */
import { useEffect, useState } from "react";
import { api } from "../../api";
import { useAnnounce } from "../../components/Announcer";
import { Alert, useErrorText } from "../../components/bits";
import { Options, SelectField, TextField } from "../../components/Field";
import { useAuth } from "../../auth";
import { useDirectory } from "../../hooks";
import { useI18n } from "../../i18n";

interface WrapUp {
  call_id: string;
  wrap_up_seconds: number;
}

export function WrapUpPanel() {
  const { t } = useI18n();
  const { user } = useAuth();
  const directory = useDirectory();
  const errorText = useErrorText();
  const announce = useAnnounce();
  const mine = user?.organizations ?? [];
  const choices = (directory?.organizations ?? []).filter((o) => mine.length === 0 || mine.includes(o.id));
  const [callId, setCallId] = useState("");
  const [organization, setOrganization] = useState("");
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [now, setNow] = useState(Date.now());
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    if (startedAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [startedAt]);

  const elapsed = startedAt === null ? 0 : Math.max(0, Math.round((now - startedAt) / 1000));
  const clock = `${Math.floor(elapsed / 60)}:${String(elapsed % 60).padStart(2, "0")}`;

  function start() {
    setStartedAt(Date.now());
    setNow(Date.now());
    setNotice(null);
    setFailure(null);
  }

  async function done() {
    if (startedAt === null) return;
    setBusy(true);
    setFailure(null);
    const seconds = Math.max(0, Math.round((Date.now() - startedAt) / 1000));
    try {
      const stored = await api<WrapUp>(`/v1/calls/${encodeURIComponent(callId.trim())}/wrap-up`, {
        json: { wrap_up_seconds: seconds, ...(organization ? { organization } : {}) },
      });
      const message = t("timeSpent.wrapUpDone", { call: stored.call_id, seconds: stored.wrap_up_seconds });
      setNotice(message);
      announce(message);
      setStartedAt(null);
      setCallId("");
    } catch (caught) {
      setFailure(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="wrap-up-title">
      <h2 id="wrap-up-title">{t("timeSpent.wrapUpTitle")}</h2>
      <p className="hint">{t("timeSpent.wrapUpLead")}</p>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <TextField label={t("timeSpent.wrapUpCallId")} value={callId} maxLength={128} required onChange={(e) => setCallId(e.target.value)} />
        {mine.length !== 1 ? (
          <SelectField label={t("timeSpent.wrapUpOrganization")} value={organization} required onChange={(e) => setOrganization(e.target.value)}>
            <option value="">{t("timeSpent.wrapUpChoose")}</option>
            <Options items={choices} />
          </SelectField>
        ) : null}
        <div className="filters__buttons">
          {startedAt === null ? (
            <button type="button" className="button button--secondary" disabled={!callId.trim() || (mine.length !== 1 && !organization)} onClick={start}>
              {t("timeSpent.wrapUpStart")}
            </button>
          ) : (
            <>
              <span role="timer" aria-live="off">
                {t("timeSpent.wrapUpRunning", { clock })}
              </span>{" "}
              <button type="button" className="button" disabled={busy} onClick={() => void done()}>
                {t("timeSpent.wrapUpDoneButton")}
              </button>
            </>
          )}
        </div>
      </form>
      {failure ? <Alert>{failure}</Alert> : null}
      {notice ? <Alert kind="success">{notice}</Alert> : null}
    </section>
  );
}
