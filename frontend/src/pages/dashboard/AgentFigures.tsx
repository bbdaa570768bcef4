/**
 * Per handläggare (docs/figures.md): the agent's own figures week by week ("Min uppföljning", a page
 * of its own: agents cannot open the dashboard) and the supervisor's team table on the dashboard.
 */
import { useState } from "react";
import { api } from "../../api";
import { Alert, Loading, PageHeading, useErrorText } from "../../components/bits";
import { Options, SelectField } from "../../components/Field";
import { config } from "../../config";
import { formatDate, formatDecimal, formatInteger, formatPercent } from "../../format";
import { useDirectory, usePageTitle, usePolling } from "../../hooks";
import { useI18n, type Translate } from "../../i18n";

interface Score {
  mean: number | null;
  count: number;
}

interface AgentFigures {
  answered_calls: number;
  answered_in_groups: number | null;
  answer_share: number | null;
  handled_calls: number;
  mean_talk_seconds: number | null;
  mean_wrap_up_seconds: number | null;
  mean_handling_seconds: number | null;
  resolved_first_line: number;
  satisfaction: { responses: number; bemotande: Score; kunskap: Score; tillganglighet: Score };
}

interface OwnFigures {
  agent: string;
  from: string;
  to: string;
  kept_from: string;
  total: AgentFigures;
  groups: (AgentFigures & { key: string })[];
}

interface TeamFigures {
  kept_from: string;
  agents: (AgentFigures & { agent: string })[];
  total: AgentFigures & { unattributed_calls: number };
}

const WEEK_CHOICES = [4, 8, 13, 26];

/** Monday ``weeks - 1`` weeks before this one, as yyyy-mm-dd in local time. */
function weeksBack(weeks: number, now: Date = new Date()): string {
  const monday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - ((now.getDay() + 6) % 7) - 7 * (weeks - 1));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${monday.getFullYear()}-${pad(monday.getMonth() + 1)}-${pad(monday.getDate())}`;
}

function duration(t: Translate, seconds: number | null): string {
  if (seconds == null) return "–";
  const whole = Math.round(seconds);
  if (whole < 60) return t("agents.seconds", { sec: whole });
  return t("agents.minutes", { min: Math.floor(whole / 60), sec: whole % 60 });
}

/** "2026-W10" → "v. 10 2026" (sv) / "week 10 2026" (en). */
function weekLabel(key: string, t: Translate): string {
  const match = /^(\d{4})-W(\d{2})$/.exec(key);
  return match ? `${t("agents.week")} ${Number(match[2])}, ${match[1]}` : key;
}

export function MyFollowUpPage() {
  const { t } = useI18n();
  usePageTitle(t("agents.title"));
  const errorText = useErrorText();
  const directory = useDirectory();
  const [weeks, setWeeks] = useState(8);
  const [organization, setOrganization] = useState("");
  const from = weeksBack(weeks);
  const mine = usePolling(
    (signal) => api<OwnFigures>("/v1/stats/agents/me", { query: { from, organization: organization || undefined, group_by: "week" }, signal }),
    [from, organization],
    config.pollFiguresMs,
  );
  const f = mine.data;
  return (
    <>
      <PageHeading>{t("agents.title")}</PageHeading>
      <p>{t("agents.lead")}</p>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t("agents.weeks")}>
        <SelectField label={t("agents.weeks")} value={String(weeks)} onChange={(e) => setWeeks(Number(e.target.value))}>
          {WEEK_CHOICES.map((n) => (
            <option key={n} value={n}>
              {t("agents.lastWeeks", { count: n })}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("agents.organization")} value={organization} onChange={(e) => setOrganization(e.target.value)}>
          <option value="">{t("agents.allOrganizations")}</option>
          <Options items={(directory?.organizations ?? [])} />
        </SelectField>
      </form>
      {mine.error ? <Alert>{errorText(mine.error)}</Alert> : null}
      {!f ? (
        mine.error ? null : <Loading />
      ) : (
        <>
          <p className="hint">{t("agents.kept", { date: formatDate(f.kept_from) })}</p>
          <section className="panel" aria-labelledby="my-total">
            <h2 id="my-total">{t("agents.summary")}</h2>
            <Summary figures={f.total} />
          </section>
          <section className="panel" aria-labelledby="my-weeks">
            <h2 id="my-weeks">{t("agents.byWeek")}</h2>
            {f.groups.length ? (
              <div className="table-wrap" role="region" aria-labelledby="my-weeks" tabIndex={0}>
                <table className="table table--compact">
                  <thead>
                    <tr>
                      <th scope="col">{t("agents.week")}</th>
                      <FigureHeadings />
                    </tr>
                  </thead>
                  <tbody>
                    {f.groups.map((g) => (
                      <tr key={g.key}>
                        <th scope="row">{weekLabel(g.key, t)}</th>
                        <FigureCells figures={g} />
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p>{t("agents.nothing")}</p>
            )}
          </section>
        </>
      )}
    </>
  );
}

function Summary({ figures }: { figures: AgentFigures }) {
  const { t } = useI18n();
  const s = figures.satisfaction;
  return (
    <dl className="facts facts--inline" data-testid="my-summary">
      <div className="facts__pair">
        <dt>{t("agents.answered")}</dt>
        <dd>{formatInteger(figures.answered_calls)}</dd>
      </div>
      <div className="facts__pair">
        <dt title={t("agents.shareHint")}>{t("agents.share")}</dt>
        <dd>{formatPercent(figures.answer_share)}</dd>
      </div>
      <div className="facts__pair">
        <dt>{t("agents.handling")}</dt>
        <dd>{duration(t, figures.mean_handling_seconds)}</dd>
      </div>
      <div className="facts__pair">
        <dt>{t("agents.talk")}</dt>
        <dd>{duration(t, figures.mean_talk_seconds)}</dd>
      </div>
      <div className="facts__pair">
        <dt>{t("agents.wrapUp")}</dt>
        <dd>{duration(t, figures.mean_wrap_up_seconds)}</dd>
      </div>
      <div className="facts__pair">
        <dt>{t("agents.resolved")}</dt>
        <dd>{formatInteger(figures.resolved_first_line)}</dd>
      </div>
      <div className="facts__pair">
        <dt>{t("agents.responses")}</dt>
        <dd>{formatInteger(s.responses)}</dd>
      </div>
      <div className="facts__pair">
        <dt>{t("agents.bemotande")}</dt>
        <dd>{formatDecimal(s.bemotande.mean)}</dd>
      </div>
      <div className="facts__pair">
        <dt>{t("agents.kunskap")}</dt>
        <dd>{formatDecimal(s.kunskap.mean)}</dd>
      </div>
      <div className="facts__pair">
        <dt>{t("agents.tillganglighet")}</dt>
        <dd>{formatDecimal(s.tillganglighet.mean)}</dd>
      </div>
    </dl>
  );
}

function FigureHeadings() {
  const { t } = useI18n();
  return (
    <>
      <th scope="col">{t("agents.answered")}</th>
      <th scope="col">{t("agents.share")}</th>
      <th scope="col">{t("agents.handling")}</th>
      <th scope="col">{t("agents.resolved")}</th>
      <th scope="col">{t("agents.bemotande")}</th>
      <th scope="col">{t("agents.kunskap")}</th>
    </>
  );
}

function FigureCells({ figures }: { figures: AgentFigures }) {
  const { t } = useI18n();
  return (
    <>
      <td>{formatInteger(figures.answered_calls)}</td>
      <td>{formatPercent(figures.answer_share)}</td>
      <td>{duration(t, figures.mean_handling_seconds)}</td>
      <td>{formatInteger(figures.resolved_first_line)}</td>
      <td>{formatDecimal(figures.satisfaction.bemotande.mean)}</td>
      <td>{formatDecimal(figures.satisfaction.kunskap.mean)}</td>
    </>
  );
}

/** The team table of the dashboard: one row per agent of the supervisor's organisations. */
export function TeamFiguresCard({ from, to, organization }: { from: string; to: string; organization: string }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const team = usePolling(
    (signal) => api<TeamFigures>("/v1/stats/agents", { query: { from, to, organization: organization || undefined }, signal }),
    [from, to, organization],
    config.pollFiguresMs,
  );
  const f = team.data;
  return (
    <section className="panel figure figure--wide" aria-labelledby="team-title">
      <h2 id="team-title">{t("agents.team")}</h2>
      {team.error ? <Alert>{errorText(team.error)}</Alert> : null}
      {!f ? null : (
        <>
          <p className="hint">{t("agents.teamLead", { count: formatInteger(f.total.unattributed_calls) })}</p>
          {f.agents.length ? (
            <div className="table-wrap" role="region" aria-labelledby="team-title" tabIndex={0}>
              <table className="table table--compact">
                <thead>
                  <tr>
                    <th scope="col">{t("agents.agent")}</th>
                    <FigureHeadings />
                  </tr>
                </thead>
                <tbody>
                  {f.agents.map((row) => (
                    <tr key={row.agent}>
                      <th scope="row">{row.agent}</th>
                      <FigureCells figures={row} />
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">{t("agents.teamTotal")}</th>
                    <FigureCells figures={f.total} />
                  </tr>
                </tfoot>
              </table>
            </div>
          ) : (
            <p>{t("agents.nothing")}</p>
          )}
        </>
      )}
    </section>
  );
}
