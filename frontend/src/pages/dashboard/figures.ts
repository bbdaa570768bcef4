/**
 * The figures of stats (DESIGN §4–§5), read tolerantly: an endpoint that does not exist yet answers
 * 404 and the dashboard says so; fields beyond the documented ones are optional.
 */
import { api, ApiError } from "../../api";

export interface Period {
  from: string;
  to: string;
  /** e.g. 2026-T1 when the period is a tertial (the report's own parameter). */
  tertial?: string;
  groupBy: "day" | "week" | "month";
}

export type Figure<T> = { state: "ok"; data: T } | { state: "missing" } | { state: "error"; error: ApiError };

type Json = Record<string, unknown>;

export interface Ratio {
  value: number | null;
  target: number | null;
  met: boolean | null;
  counts: [string, number][];
  series: { key: string; value: number | null }[];
}

export interface Volumes {
  total: number;
  groups: { key: string; count: number }[];
}

export interface Satisfaction {
  answers: number | null;
  questions: { key: string; mean: number | null; count: number | null; target: number | null }[];
}

export interface Backlog {
  open: number | null;
  byStatus: { key: string; count: number }[];
  byAge: { key: string; count: number }[];
  pastDue: number | null;
  failureDemandShare: number | null;
}

const num = (v: unknown): number | null => (typeof v === "number" && !Number.isNaN(v) ? v : null);

async function read(name: string, query: Record<string, string | undefined>, signal: AbortSignal): Promise<Figure<Json>> {
  try {
    return { state: "ok", data: await api<Json>(`/v1/stats/${name}`, { query, signal }) };
  } catch (caught) {
    if (caught instanceof ApiError && (caught.status === 404 || caught.status === 501)) return { state: "missing" };
    if (caught instanceof ApiError && caught.status === 422 && query.group_by) {
      // This figure does not group by time (yet): ask for the total alone.
      return read(name, { ...query, group_by: undefined }, signal);
    }
    if (caught instanceof ApiError) return { state: "error", error: caught };
    throw caught;
  }
}

function map<T>(figure: Figure<Json>, convert: (data: Json) => T): Figure<T> {
  return figure.state === "ok" ? { state: "ok", data: convert(figure.data) } : figure;
}

function rows(value: unknown): { key: string; count: number }[] {
  if (Array.isArray(value)) {
    return value
      .filter((r): r is Json => !!r && typeof r === "object")
      .map((r) => ({ key: String(r.key ?? r.status ?? r.band ?? r.name ?? "–"), count: num(r.count) ?? num(r.value) ?? 0 }));
  }
  if (value && typeof value === "object") {
    return Object.entries(value as Json).map(([key, count]) => ({ key, count: num(count) ?? 0 }));
  }
  return [];
}

const RATIO_FIELDS: Record<string, { value: string; counts: string[] }> = {
  "answer-rate": { value: "answer_rate", counts: ["offered", "answered", "abandoned", "short_abandoned", "pending"] },
  "email-response": { value: "share", counts: ["in_time", "missed", "pending"] },
  resolution: { value: "rate", counts: ["resolved_first_line", "handed_off", "pending"] },
};

function ratio(name: string, data: Json): Ratio {
  const fields = RATIO_FIELDS[name];
  const groups = Array.isArray(data.groups) ? (data.groups as Json[]) : [];
  return {
    value: num(data[fields.value]),
    target: num(data.target),
    met: typeof data.met === "boolean" ? data.met : null,
    counts: fields.counts.filter((f) => num(data[f]) !== null).map((f) => [f, num(data[f])!] as [string, number]),
    series: groups.map((g) => ({ key: String(g.key), value: num(g[fields.value]) })),
  };
}

const DEFAULT_TARGETS: Record<string, number> = { bemotande: 4.3, kunskap: 4.0 };
const QUESTIONS = ["bemotande", "kunskap", "tillganglighet"];

function satisfaction(data: Json): Satisfaction {
  const source = (data.questions ?? data.means ?? data) as unknown;
  const targets = (data.targets ?? {}) as Json;
  const out: Satisfaction["questions"] = [];
  const entries: [string, unknown][] = Array.isArray(source)
    ? (source as Json[]).map((q) => [String(q.key ?? q.question ?? ""), q])
    : Object.entries((source ?? {}) as Json).filter(([key]) => QUESTIONS.includes(key));
  for (const [key, value] of entries) {
    const item = (value && typeof value === "object" ? value : { mean: value }) as Json;
    out.push({
      key,
      mean: num(item.mean) ?? num(item.average) ?? num(item.score),
      count: num(item.count) ?? num(item.answers),
      // stats says null when the organisations covered have different targets: then there is none.
      target: "target" in item ? num(item.target) : (num(targets[key]) ?? DEFAULT_TARGETS[key] ?? null),
    });
  }
  return { answers: num(data.answers) ?? num(data.count) ?? num(data.responses), questions: out };
}

function backlog(data: Json): Backlog {
  const byStatus = rows(data.by_status ?? data.statuses ?? data.status);
  return {
    open: num(data.open) ?? num(data.total) ?? (byStatus.length ? byStatus.reduce((s, r) => s + r.count, 0) : null),
    byStatus,
    byAge: rows(data.by_age ?? data.age_bands ?? data.ages),
    pastDue: num(data.handed_off_past_due) ?? num(data.past_due) ?? num(data.overdue),
    failureDemandShare: num(data.failure_demand_share) ?? num((data.failure_demand as Json | undefined)?.share),
  };
}

export interface Figures {
  answerRate: Figure<Ratio>;
  emailResponse: Figure<Ratio>;
  resolution: Figure<Ratio>;
  satisfaction: Figure<Satisfaction>;
  byChannel: Figure<Volumes>;
  byDepartment: Figure<Volumes>;
  backlog: Figure<Backlog>;
}

export async function loadFigures(period: Period, organization: string, signal: AbortSignal): Promise<Figures> {
  const base = { from: period.from, to: period.to, organization: organization || undefined };
  const timed = { ...base, group_by: period.groupBy };
  const volumes = (data: Json): Volumes => ({ total: num(data.total) ?? 0, groups: rows(data.groups) });
  const [answerRate, emailResponse, resolution, sat, byChannel, byDepartment, back] = await Promise.all([
    read("answer-rate", timed, signal),
    read("email-response", timed, signal),
    read("resolution", timed, signal),
    read("satisfaction", base, signal),
    read("volumes", { ...base, group_by: "channel" }, signal),
    read("volumes", { ...base, group_by: "department" }, signal),
    read("backlog", { organization: base.organization }, signal),
  ]);
  return {
    answerRate: map(answerRate, (d) => ratio("answer-rate", d)),
    emailResponse: map(emailResponse, (d) => ratio("email-response", d)),
    resolution: map(resolution, (d) => ratio("resolution", d)),
    satisfaction: map(sat, satisfaction),
    byChannel: map(byChannel, volumes),
    byDepartment: map(byDepartment, volumes),
    backlog: map(back, backlog),
  };
}

/** Tertials: T1 January–April, T2 May–August, T3 September–December. */
export function tertialOf(date: Date): { year: number; n: 1 | 2 | 3 } {
  return { year: date.getFullYear(), n: (Math.floor(date.getMonth() / 4) + 1) as 1 | 2 | 3 };
}

export function tertialPeriod(year: number, n: number): Period {
  const startMonth = (n - 1) * 4;
  const last = new Date(year, startMonth + 4, 0);
  const pad = (v: number) => String(v).padStart(2, "0");
  return {
    from: `${year}-${pad(startMonth + 1)}-01`,
    to: `${year}-${pad(startMonth + 4)}-${pad(last.getDate())}`,
    tertial: `${year}-T${n}`,
    groupBy: "month",
  };
}

export function monthPeriod(year: number, month: number): Period {
  const last = new Date(year, month, 0).getDate();
  const pad = (v: number) => String(v).padStart(2, "0");
  return { from: `${year}-${pad(month)}-01`, to: `${year}-${pad(month)}-${pad(last)}`, groupBy: "week" };
}

export function customPeriod(from: string, to: string): Period {
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  return { from, to, groupBy: days <= 31 ? "day" : days <= 120 ? "week" : "month" };
}
