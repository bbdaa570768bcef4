/** Växeln: find a person as you type, see whether they are in, connect the call or note an absence. */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { api } from "../../api";
import { useAnnounce } from "../../components/Announcer";
import { Alert, PageHeading, useErrorText } from "../../components/bits";
import { Options, SelectField, TextField } from "../../components/Field";
import { useAuth } from "../../auth";
import { formatDateTime } from "../../format";
import { useDirectory, usePageTitle } from "../../hooks";
import { useI18n } from "../../i18n";
import { connectCall, inSwedishOrder, newCallId, searchStaff, type StaffEntry } from "./staff";
import { WrapUpPanel } from "./WrapUpPanel";

const TYPING_PAUSE_MS = 150;

export function SwitchboardPage() {
  const { t } = useI18n();
  usePageTitle(t("switchboard.title"));
  const { user } = useAuth();
  const directory = useDirectory();
  const errorText = useErrorText();
  const announce = useAnnounce();
  const [q, setQ] = useState("");
  const [organization, setOrganization] = useState("");
  const [callId, setCallId] = useState("");
  const [people, setPeople] = useState<StaffEntry[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<StaffEntry | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const generatedCallId = useRef(newCallId());
  const mayConnect = user?.role !== "admin";

  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      searchStaff(q, organization, controller.signal)
        .then((found) => {
          setPeople(inSwedishOrder(found));
          setFailure(null);
        })
        .catch((caught: unknown) => {
          if (!(caught instanceof DOMException && caught.name === "AbortError")) setFailure(errorText(caught));
        });
    }, TYPING_PAUSE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q, organization]);

  function replace(entry: StaffEntry) {
    setPeople((current) => current && current.map((p) => (p.id === entry.id ? entry : p)));
  }

  async function connect(person: StaffEntry) {
    setBusy(person.id);
    setFailure(null);
    try {
      await connectCall(callId.trim() || generatedCallId.current, person.id);
      const message = t("switchboard.connected", { name: person.name, department: person.department_name ?? person.department });
      setNotice(message);
      announce(message);
      generatedCallId.current = newCallId(); // the next "Kopplad" is another call
      setCallId("");
    } catch (caught) {
      setFailure(errorText(caught));
    } finally {
      setBusy(null);
    }
  }

  const count = people?.length ?? 0;
  return (
    <>
      <PageHeading>{t("switchboard.title")}</PageHeading>
      <p>{t("switchboard.lead")}</p>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <TextField
          label={t("switchboard.search")}
          hint={t("switchboard.searchHint")}
          type="search"
          value={q}
          autoFocus
          autoComplete="off"
          onChange={(e) => setQ(e.target.value)}
        />
        <SelectField label={t("switchboard.organization")} value={organization} onChange={(e) => setOrganization(e.target.value)}>
          <option value="">{t("switchboard.allOrganizations")}</option>
          <Options items={(directory?.organizations ?? [])} />
        </SelectField>
        {mayConnect && (
          <TextField
            label={t("switchboard.callId")}
            hint={t("switchboard.callIdHint")}
            value={callId}
            maxLength={128}
            onChange={(e) => setCallId(e.target.value)}
          />
        )}
      </form>
      {failure && <Alert>{failure}</Alert>}
      {notice && <Alert kind="success">{notice}</Alert>}
      {editing && (
        <AbsenceForm
          person={editing}
          onDone={(changed, message) => {
            if (changed) replace(changed);
            setEditing(null);
            if (message) {
              setNotice(message);
              announce(message);
            }
          }}
        />
      )}
      <p role="status" className="status-line">
        {people === null ? "" : count === 0 ? t("switchboard.none", { q }) : count === 1 ? t("switchboard.oneResult") : t("switchboard.results", { count })}
      </p>
      {count > 0 && (
        <div className="table-wrap">
          <table className="table switchboard">
            <thead>
              <tr>
                <th scope="col">{t("switchboard.name")}</th>
                <th scope="col">{t("switchboard.department")}</th>
                <th scope="col">{t("switchboard.phone")}</th>
                <th scope="col">{t("switchboard.errandTypes")}</th>
                <th scope="col">{t("switchboard.status")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("switchboard.connect")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {people!.map((person) => (
                <tr key={person.id} className={person.away ? "row--away" : undefined}>
                  <th scope="row">
                    {person.name}
                    {person.title && <div className="hint">{person.title}</div>}
                    {person.email && (
                      <div className="hint">
                        <a href={`mailto:${person.email}`}>{person.email}</a>
                      </div>
                    )}
                  </th>
                  <td>{person.department_name ?? person.department}</td>
                  <td className="nowrap">{person.phone && <a href={`tel:${person.phone.replace(/[^\d+]/g, "")}`}>{person.phone}</a>}</td>
                  <td>{person.errand_types.join(", ")}</td>
                  <td>
                    <Presence person={person} />
                  </td>
                  <td>
                    <div className="button-row">
                      {mayConnect && (
                        <button
                          type="button"
                          className="button button--small"
                          disabled={busy === person.id}
                          aria-label={t("switchboard.connectLabel", { name: person.name })}
                          onClick={() => void connect(person)}
                        >
                          {t("switchboard.connect")}
                        </button>
                      )}
                      <button
                        type="button"
                        className="button button--secondary button--small"
                        aria-label={t("switchboard.absenceLabel", { name: person.name })}
                        onClick={() => setEditing(person)}
                      >
                        {t("switchboard.absence")}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(user?.role === "agent" || user?.role === "supervisor") && <WrapUpPanel />}
    </>
  );
}

function Presence({ person }: { person: StaffEntry }) {
  const { t } = useI18n();
  if (!person.away || !person.absence) return <span className="badge badge--met">{t("switchboard.present")}</span>;
  const { away_until, message, covered_by } = person.absence;
  return (
    <div className="presence">
      <span className="badge badge--late">
        {away_until ? t("switchboard.awayUntil", { until: formatDateTime(away_until) }) : t("switchboard.awayUntilFurther")}
      </span>
      {message && <div>{message}</div>}
      {covered_by && <div className="hint">{t("switchboard.coveredBy", { who: covered_by })}</div>}
    </div>
  );
}

function localInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function AbsenceForm({ person, onDone }: { person: StaffEntry; onDone: (changed: StaffEntry | null, message?: string) => void }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const current = person.away ? person.absence : null;
  const [until, setUntil] = useState(localInput(current?.away_until));
  const [message, setMessage] = useState(current?.message ?? "");
  const [coveredBy, setCoveredBy] = useState(current?.covered_by ?? "");
  const [failure, setFailure] = useState<string | null>(null);
  const path = `/v1/staff/${encodeURIComponent(person.id)}/absence`;

  async function save(event: FormEvent) {
    event.preventDefault();
    try {
      const body = { away_until: until ? new Date(until).toISOString() : null, message, covered_by: coveredBy };
      const changed = await api<StaffEntry>(path, { method: "PUT", json: body });
      onDone(changed, t("switchboard.absenceSaved", { name: person.name }));
    } catch (caught) {
      setFailure(errorText(caught));
    }
  }

  async function clear() {
    try {
      const changed = await api<StaffEntry>(path, { method: "DELETE" });
      onDone(changed, t("switchboard.absenceCleared", { name: person.name }));
    } catch (caught) {
      setFailure(errorText(caught));
    }
  }

  return (
    <form className="panel narrow-form" onSubmit={save} aria-labelledby="absence-title">
      <h2 id="absence-title">{t("switchboard.absenceTitle", { name: person.name })}</h2>
      {failure && <Alert>{failure}</Alert>}
      <TextField
        label={t("switchboard.awayUntilField")}
        hint={t("switchboard.awayUntilHint")}
        type="datetime-local"
        value={until}
        onChange={(e) => setUntil(e.target.value)}
      />
      <TextField label={t("switchboard.message")} hint={t("switchboard.messageHint")} value={message} maxLength={200} onChange={(e) => setMessage(e.target.value)} />
      <TextField label={t("switchboard.coveredByField")} value={coveredBy} maxLength={200} onChange={(e) => setCoveredBy(e.target.value)} />
      <div className="button-row">
        <button type="submit" className="button">
          {t("switchboard.saveAbsence")}
        </button>
        {person.absence && (
          <button type="button" className="button button--secondary" onClick={() => void clear()}>
            {t("switchboard.clearAbsence")}
          </button>
        )}
        <button type="button" className="button button--secondary" onClick={() => onDone(null)}>
          {t("switchboard.cancel")}
        </button>
      </div>
    </form>
  );
}
