/** The supervisor's figures: answer rate, e-mail within 48 h, resolution, satisfaction, volumes, backlog. */
import { useMemo, useState, type ReactNode } from "react";
import { ApiError, download } from "../../api";
import { Alert, Loading, PageHeading, useErrorText } from "../../components/bits";
import { Options, SelectField, TextField } from "../../components/Field";
import { config } from "../../config";
import { formatDecimal, formatInteger, formatPercent, formatDateTime, localDate } from "../../format";
import { directoryNames, useDirectory, usePageTitle, usePolling, useServedOrganizations } from "../../hooks";
import { useI18n, type MessageKey } from "../../i18n";
import { COLORS, FigureChart } from "./charts";
import { CategoryHandlingCard } from "./CategoryHandlingCard";
import { FiguresScope } from "./FiguresScope";
import { useAuth } from "../../auth";
import { OrganizationTargets } from "./OrganizationTargets";
import { TeamFiguresCard } from "./AgentFigures";
import { SynpunkterCard } from "./SynpunkterCard";
import { ChargingCard } from "./ChargingCard";
import { IvrChoicesCard } from "./IvrChoicesCard";
import { customPeriod, loadFigures, monthPeriod, tertialOf, tertialPeriod, type Figure, type Period, type Ratio } from "./figures";
import { TimeSpentCard } from "./TimeSpentCard";

type PeriodKind = "tertial" | "month" | "custom";

function recentTertials(now: Date): { year: number; n: number }[] {
  const out = [];
  let { year, n } = tertialOf(now) as { year: number; n: number };
  for (let i = 0; i < 6; i++) {
    out.push({ year, n });
    n -= 1;
    if (n === 0) {
      n = 3;
      year -= 1;
    }
  }
  return out;
}

function recentMonths(now: Date): { year: number; month: number }[] {
  return Array.from({ length: 12 }, (_, i) => {
    const d = new Date(now.getFullYear(), now.getMonth() - i, 1);
    return { year: d.getFullYear(), month: d.getMonth() + 1 };
  });
}

export function DashboardPage() {
  const { t, label, language } = useI18n();
  const { user } = useAuth();
  const handlerView = user?.role === "handler";
  usePageTitle(t("dashboard.title"));
  const errorText = useErrorText();
  const directory = useDirectory();
  const names = directoryNames(directory);
  const served = useServedOrganizations();
  const now = useMemo(() => new Date(), []);
  const tertials = recentTertials(now);
  const months = recentMonths(now);
  const [kind, setKind] = useState<PeriodKind>("tertial");
  const [tertial, setTertial] = useState(`${tertials[0].year}-T${tertials[0].n}`);
  const [month, setMonth] = useState(`${months[0].year}-${months[0].month}`);
  const [from, setFrom] = useState(localDate(new Date(now.getTime() - 29 * 86_400_000)));
  const [to, setTo] = useState(localDate(now));
  const [organization, setOrganization] = useState("");
  const [downloadFailure, setDownloadFailure] = useState<string | null>(null);

  const period: Period = useMemo(() => {
    if (kind === "tertial") {
      const [year, n] = tertial.split("-T").map(Number);
      return tertialPeriod(year, n);
    }
    if (kind === "month") {
      const [year, m] = month.split("-").map(Number);
      return monthPeriod(year, m);
    }
    return customPeriod(from <= to ? from : to, from <= to ? to : from);
  }, [kind, tertial, month, from, to]);

  const figures = usePolling((signal) => loadFigures(period, organization, signal), [period.from, period.to, organization], config.pollFiguresMs);
  const monthName = (year: number, m: number) =>
    new Intl.DateTimeFormat(language === "sv" ? "sv-SE" : "en-GB", { month: "long", year: "numeric" }).format(new Date(year, m - 1, 1));

  async function downloadReport() {
    setDownloadFailure(null);
    const name = period.tertial ?? `${period.from}_${period.to}`;
    try {
      await download(`/v1/stats/report`, `lotsen-rapport-${name}.csv`, {
        query: { period: period.tertial, from: period.tertial ? undefined : period.from, to: period.tertial ? undefined : period.to, organization: organization || undefined, format: "csv" },
        headers: { Accept: "text/csv" },
      });
    } catch (caught) {
      setDownloadFailure(caught instanceof ApiError && caught.status === 404 ? t("dashboard.reportMissing") : errorText(caught));
    }
  }

  const f = figures.data;
  /** Age bands as stats names them ("0-2", "over-30") in words: "0–2 dagar", "över 30 dagar". */
  const ageLabel = (key: string) => {
    const range = /^(\d+)-(\d+)$/.exec(key);
    if (range) return t("dashboard.ageRange", { from: range[1], to: range[2] });
    const over = /^over-(\d+)$/.exec(key);
    return over ? t("dashboard.ageOver", { days: over[1] }) : key;
  };
  const bucket = (key: string) => key;
  return (
    <>
      <PageHeading>{t("dashboard.title")}</PageHeading>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t("dashboard.period")}>
        <SelectField label={t("dashboard.periodKind")} value={kind} onChange={(e) => setKind(e.target.value as PeriodKind)}>
          <option value="tertial">{t("dashboard.tertial")}</option>
          <option value="month">{t("dashboard.month")}</option>
          <option value="custom">{t("dashboard.custom")}</option>
        </SelectField>
        {kind === "tertial" ? (
          <SelectField label={t("dashboard.whichTertial")} value={tertial} onChange={(e) => setTertial(e.target.value)}>
            {tertials.map(({ year, n }) => (
              <option key={`${year}-T${n}`} value={`${year}-T${n}`}>
                {t(`dashboard.tertial${n}` as MessageKey, { year })}
              </option>
            ))}
          </SelectField>
        ) : null}
        {kind === "month" ? (
          <SelectField label={t("dashboard.whichMonth")} value={month} onChange={(e) => setMonth(e.target.value)}>
            {months.map(({ year, month: m }) => (
              <option key={`${year}-${m}`} value={`${year}-${m}`}>
                {monthName(year, m)}
              </option>
            ))}
          </SelectField>
        ) : null}
        {kind === "custom" ? (
          <>
            <TextField label={t("dashboard.from")} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
            <TextField label={t("dashboard.to")} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </>
        ) : null}
        <SelectField label={t("dashboard.organization")} value={organization} onChange={(e) => setOrganization(e.target.value)}>
          <option value="">{t("dashboard.allOrganizations")}</option>
          <Options items={served} />
        </SelectField>
        <div className="filters__buttons">
          <button type="button" className="button button--secondary" onClick={() => void downloadReport()}>
            {t("dashboard.downloadCsv")}
          </button>
        </div>
      </form>
      <p className="hint" aria-live="polite">
        {t("dashboard.showing", { from: period.from, to: period.to })}
        {figures.data ? ` · ${t("dashboard.updated", { at: formatDateTime(new Date()) })}` : ""}
      </p>
      <FiguresScope />
      {downloadFailure ? <Alert>{downloadFailure}</Alert> : null}
      {figures.error ? <Alert>{errorText(figures.error)}</Alert> : null}
      {!f ? (
        <Loading />
      ) : (
        <div className="figures">
          <RatioCard id="answer-rate" title={t("dashboard.answerRate")} figure={f.answerRate} bucket={bucket} />
          <RatioCard id="email-response" title={t("dashboard.emailResponse")} figure={f.emailResponse} bucket={bucket} />
          <RatioCard id="resolution" title={t("dashboard.resolution")} figure={f.resolution} bucket={bucket} />
          {/* Telephony and the team are kept per answer group and per person, not per department: not a handler's. */}
          {!handlerView ? <OrganizationTargets period={period} organization={organization} /> : null}
          {!handlerView ? <IvrChoicesCard period={period} organization={organization} /> : null}
          <Card id="satisfaction" title={t("dashboard.satisfaction")} figure={f.satisfaction}>
            {(s) =>
              s.questions.length ? (
                <>
                  <p className="kpi">
                    {t("dashboard.answers", { count: formatInteger(s.answers ?? s.questions[0]?.count ?? 0) })}
                  </p>
                  <ul className="plain">
                    {s.questions.map((q) => (
                      <li key={q.key}>
                        {label("survey.q", q.key)}: <strong>{formatDecimal(q.mean)}</strong>
                        {q.target != null ? ` (${t("dashboard.target", { value: formatDecimal(q.target) })}${q.mean != null ? ` – ${t(q.mean >= q.target ? "dashboard.met" : "dashboard.notMet")}` : ""})` : ""}
                      </li>
                    ))}
                  </ul>
                  <FigureChart
                    labels={s.questions.map((q) => label("survey.q", q.key))}
                    series={[{ label: t("dashboard.mean"), values: s.questions.map((q) => q.mean) }]}
                    target={{ label: t("dashboard.targetLine"), value: s.questions.map((q) => q.target) }}
                    summary={t("dashboard.satisfactionSummary", {
                      values: s.questions.map((q) => `${label("survey.q", q.key)} ${formatDecimal(q.mean)}`).join(", "),
                    })}
                    format={formatDecimal}
                    max={5}
                  />
                </>
              ) : (
                <p>{t("dashboard.noData")}</p>
              )
            }
          </Card>
          <Card id="volumes" title={t("dashboard.volumes")} figure={f.byChannel} wide>
            {(v) => (
              <>
                <p className="kpi" data-testid="volumes-total">
                  {t("dashboard.casesTotal", { count: formatInteger(v.total) })}
                </p>
                <div className="chart-pair">
                  <div>
                    <FigureChart
                      caption={t("dashboard.byChannel")}
                      labels={v.groups.map((g) => label("channel", g.key))}
                      series={[{ label: t("dashboard.cases"), values: v.groups.map((g) => g.count) }]}
                      summary={t("dashboard.volumeSummary", { values: v.groups.map((g) => `${label("channel", g.key)} ${formatInteger(g.count)}`).join(", ") || "–" })}
                      format={formatInteger}
                        integer
                      horizontal
                    />
                  </div>
                  {f.byDepartment.state === "ok" ? (
                    <div>
                      <FigureChart
                        caption={t("dashboard.byDepartment")}
                        labels={f.byDepartment.data.groups.map((g) => (g.key === "None" || g.key === "null" ? t("dashboard.noDepartment") : names.department(g.key)))}
                        series={[{ label: t("dashboard.cases"), values: f.byDepartment.data.groups.map((g) => g.count) }]}
                        summary={t("dashboard.volumeSummary", {
                          values: f.byDepartment.data.groups.map((g) => `${names.department(g.key)} ${formatInteger(g.count)}`).join(", ") || "–",
                        })}
                        format={formatInteger}
                        integer
                        horizontal
                      />
                    </div>
                  ) : null}
                </div>
              </>
            )}
          </Card>
          <Card id="backlog" title={t("dashboard.backlog")} figure={f.backlog} wide>
            {(b) => (
              <>
                <dl className="facts facts--inline">
                  <dt>{t("dashboard.openCases")}</dt>
                  <dd>{formatInteger(b.open)}</dd>
                  <dt>{t("dashboard.pastDue")}</dt>
                  <dd>{formatInteger(b.pastDue)}</dd>
                  <dt>{t("dashboard.failureDemand")}</dt>
                  <dd>{formatPercent(b.failureDemandShare)}</dd>
                </dl>
                <div className="chart-pair">
                  {b.byStatus.length ? (
                    <div>
                      <FigureChart
                        caption={t("dashboard.byStatus")}
                        labels={b.byStatus.map((r) => label("status", r.key))}
                        series={[{ label: t("dashboard.cases"), values: b.byStatus.map((r) => r.count) }]}
                        summary={t("dashboard.volumeSummary", { values: b.byStatus.map((r) => `${label("status", r.key)} ${formatInteger(r.count)}`).join(", ") })}
                        format={formatInteger}
                        integer
                        horizontal
                      />
                    </div>
                  ) : null}
                  {b.byAge.length ? (
                    <div>
                      <FigureChart
                        caption={t("dashboard.byAge")}
                        labels={b.byAge.map((r) => ageLabel(r.key))}
                        series={[{ label: t("dashboard.cases"), values: b.byAge.map((r) => r.count) }]}
                        summary={t("dashboard.volumeSummary", { values: b.byAge.map((r) => `${ageLabel(r.key)} ${formatInteger(r.count)}`).join(", ") })}
                        format={formatInteger}
                        integer
                      />
                    </div>
                  ) : null}
                </div>
              </>
            )}
          </Card>
          <CategoryHandlingCard period={period} organization={organization} />
          <SynpunkterCard period={period} organization={organization} />
          <ChargingCard period={period} organization={organization} />
          <TimeSpentCard period={period} organization={organization} />
        </div>
      )}
      {!handlerView ? <TeamFiguresCard from={period.from} to={period.to} organization={organization} /> : null}
    </>
  );
}

function Card<T>({ id, title, figure, children, wide }: { id: string; title: string; figure: Figure<T>; children: (data: T) => ReactNode; wide?: boolean }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const { user } = useAuth();
  // A handler is not shown the figures that are not kept per department (telephony): stats refuses them.
  if (figure.state === "error" && figure.error.status === 403 && user?.role === "handler") return null;
  return (
    <section className={`panel figure${wide ? " figure--wide" : ""}`} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {figure.state === "ok" ? children(figure.data) : null}
      {figure.state === "missing" ? <p className="hint">{t("dashboard.notYet")}</p> : null}
      {figure.state === "error" ? <Alert>{errorText(figure.error)}</Alert> : null}
    </section>
  );
}

function RatioCard({ id, title, figure, bucket }: { id: string; title: string; figure: Figure<Ratio>; bucket: (key: string) => string }) {
  const { t, label } = useI18n();
  return (
    <Card id={id} title={title} figure={figure}>
      {(r) => (
        <>
          <p className="kpi">
            <span className="kpi__value">{formatPercent(r.value)}</span>{" "}
            {r.target != null ? <span className="kpi__target">{t("dashboard.target", { value: formatPercent(r.target) })}</span> : null}{" "}
            {r.met != null ? (
              <span className={`badge ${r.met ? "badge--met" : "badge--late"}`}>
                <span aria-hidden="true">{r.met ? "✓ " : "✗ "}</span>
                {t(r.met ? "dashboard.met" : "dashboard.notMet")}
              </span>
            ) : null}
          </p>
          {r.counts.length ? (
            <dl className="facts facts--inline">
              {r.counts.map(([key, value]) => (
                <div key={key} className="facts__pair">
                  <dt>{label("figure", key)}</dt>
                  <dd>{formatInteger(value)}</dd>
                </div>
              ))}
            </dl>
          ) : null}
          {r.series.length > 1 ? (
            <FigureChart
              kind="line"
              labels={r.series.map((s) => bucket(s.key))}
              series={[{ label: title, values: r.series.map((s) => s.value) }]}
              target={r.target != null ? { label: t("dashboard.targetLine"), value: r.target } : null}
              summary={t("dashboard.ratioSummary", { title, value: formatPercent(r.value), target: formatPercent(r.target) })}
              format={formatPercent}
              max={1}
            />
          ) : (
            <FigureChart
              labels={r.target != null ? [t("dashboard.outcome"), t("dashboard.targetLine")] : [t("dashboard.outcome")]}
              series={[{ label: title, values: r.target != null ? [r.value, r.target] : [r.value] }]}
              barColors={[COLORS.bar, COLORS.target]}
              summary={t("dashboard.ratioSummary", { title, value: formatPercent(r.value), target: formatPercent(r.target) })}
              format={formatPercent}
              max={1}
              horizontal
            />
          )}
        </>
      )}
    </Card>
  );
}
