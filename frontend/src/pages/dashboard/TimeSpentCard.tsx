/** Tidsåtgång: mean and 90th percentile of talk, wrap-up and handling per answer group, and of written
 * errands' handling at first line and in the departments (GET /v1/stats/time-spent, docs/figures.md). */
import { api, ApiError } from "../../api";
import { Alert, useErrorText } from "../../components/bits";
import { config } from "../../config";
import { formatInteger } from "../../format";
import { directoryNames, useDirectory, usePolling } from "../../hooks";
import { useI18n } from "../../i18n";
import type { Period } from "./figures";

interface Spread {
  count: number;
  mean_seconds: number | null;
  median_seconds: number | null;
  p90_seconds: number | null;
}

interface CallsTime {
  count: number;
  talk: Spread;
  wrap_up: Spread;
  handling: Spread;
}

interface WrittenTime {
  count: number;
  untimed: number;
  handling: Spread;
  first_line: Spread;
  department: Spread;
}

interface TimeSpent {
  calls: CallsTime | null;
  calls_withheld?: string;
  written: WrittenTime;
  groups?: { key: string | null; calls: CallsTime | null; written: WrittenTime }[];
}

type Loaded = { state: "ok"; data: TimeSpent } | { state: "missing" };

async function loadTimeSpent(period: Period, organization: string, signal: AbortSignal): Promise<Loaded> {
  const query = { from: period.from, to: period.to, organization: organization || undefined, group_by: "answer_group" };
  try {
    return { state: "ok", data: await api<TimeSpent>("/v1/stats/time-spent", { query, signal }) };
  } catch (caught) {
    if (caught instanceof ApiError && caught.status === 404) return { state: "missing" };
    throw caught;
  }
}

export function TimeSpentCard({ period, organization }: { period: Period; organization: string }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const names = directoryNames(useDirectory());
  const loaded = usePolling((signal) => loadTimeSpent(period, organization, signal), [period.from, period.to, organization], config.pollFiguresMs);

  /** 95 → "1 min 35 s"; 18 720 → "5 h 12 min": whole seconds, as stats counts them. */
  const duration = (seconds: number | null | undefined): string => {
    if (seconds == null) return "–";
    const s = Math.round(seconds);
    if (s < 60) return t("timeSpent.seconds", { s });
    if (s < 3600) return t("timeSpent.minutes", { m: Math.floor(s / 60), s: String(s % 60).padStart(2, "0") });
    if (s < 86_400) return t("timeSpent.hours", { h: Math.floor(s / 3600), m: String(Math.floor((s % 3600) / 60)).padStart(2, "0") });
    return t("timeSpent.days", { d: Math.floor(s / 86_400), h: Math.floor((s % 86_400) / 3600) });
  };

  const data = loaded.data?.state === "ok" ? loaded.data.data : null;
  const callGroups = (data?.groups ?? []).filter((g) => g.calls && g.calls.count > 0);
  const written = data?.written;
  return (
    <section className="panel figure figure--wide" aria-labelledby="time-spent-title" data-testid="time-spent">
      <h2 id="time-spent-title">{t("timeSpent.title")}</h2>
      {loaded.error ? <Alert>{errorText(loaded.error)}</Alert> : null}
      {loaded.data?.state === "missing" ? <p className="hint">{t("dashboard.notYet")}</p> : null}
      {data && written ? (
        <>
          {data.calls === null ? (
            <p className="hint">{t("timeSpent.callsWithheld")}</p>
          ) : data.calls.count === 0 ? (
            <p className="hint">{t("timeSpent.noCalls")}</p>
          ) : (
            <div className="table-wrap" role="region" aria-labelledby="time-spent-calls" tabIndex={0}>
              <table className="table table--compact">
                <caption id="time-spent-calls">{t("timeSpent.calls")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("timeSpent.answerGroup")}</th>
                    <th scope="col">{t("timeSpent.answered")}</th>
                    <th scope="col">{t("timeSpent.talkMean")}</th>
                    <th scope="col">{t("timeSpent.talkP90")}</th>
                    <th scope="col">{t("timeSpent.wrapUpMean")}</th>
                    <th scope="col">{t("timeSpent.handlingMean")}</th>
                    <th scope="col">{t("timeSpent.handlingP90")}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...callGroups.map((g) => ({ name: names.answerGroup(g.key), calls: g.calls as CallsTime })), { name: t("timeSpent.total"), calls: data.calls }].map(({ name, calls }) => (
                    <tr key={name}>
                      <th scope="row">{name}</th>
                      <td>{formatInteger(calls.count)}</td>
                      <td>{duration(calls.talk.mean_seconds)}</td>
                      <td>{duration(calls.talk.p90_seconds)}</td>
                      <td>{duration(calls.wrap_up.mean_seconds)}</td>
                      <td>{duration(calls.handling.mean_seconds)}</td>
                      <td>{duration(calls.handling.p90_seconds)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div className="table-wrap" role="region" aria-labelledby="time-spent-written" tabIndex={0}>
            <table className="table table--compact">
              <caption id="time-spent-written">{t("timeSpent.written")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("timeSpent.handledBy")}</th>
                  <th scope="col">{t("timeSpent.cases")}</th>
                  <th scope="col">{t("timeSpent.mean")}</th>
                  <th scope="col">{t("timeSpent.median")}</th>
                  <th scope="col">{t("timeSpent.p90")}</th>
                </tr>
              </thead>
              <tbody>
                {(
                  [
                    [t("timeSpent.firstLine"), written.first_line],
                    [t("timeSpent.department"), written.department],
                    [t("timeSpent.total"), written.handling],
                  ] as [string, Spread][]
                ).map(([name, spread]) => (
                  <tr key={name}>
                    <th scope="row">{name}</th>
                    <td>{formatInteger(spread.count)}</td>
                    <td>{duration(spread.mean_seconds)}</td>
                    <td>{duration(spread.median_seconds)}</td>
                    <td>{duration(spread.p90_seconds)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {written.untimed ? <p className="hint">{t("timeSpent.untimed", { count: formatInteger(written.untimed) })}</p> : null}
          <p className="hint">{t("timeSpent.hint")}</p>
        </>
      ) : null}
    </section>
  );
}
