/** The queues of the workspace: which `GET /v1/cases` requests make each one, and what it keeps. */
import { api } from "../../api";
import type { User } from "../../auth";
import type { Case, CasePage, Status, TimelineEntry } from "../../types";

export type QueueId = "mine" | "groups" | "first-line" | "handed-off" | "overdue" | "department" | "department-all" | "all";

export const ACTIVE: Status[] = ["new", "open", "pending_citizen", "handed_off"];

export function queuesFor(user: User): QueueId[] {
  switch (user.role) {
    case "handler":
      return ["department", "mine", "department-all", "overdue"];
    case "supervisor":
      return ["first-line", "groups", "mine", "handed-off", "overdue", "all"];
    case "admin":
      return ["all", "overdue"];
    default:
      return ["first-line", "groups", "mine", "handed-off", "overdue"];
  }
}

export interface Filters {
  q: string;
  channel: string;
  status: string;
  category: string;
  language: string;
}

type Params = Record<string, string | number | boolean | undefined>;

interface Plan {
  requests: Params[];
  keep: (c: Case) => boolean;
}

const active = (c: Case) => ACTIVE.includes(c.status);

function plan(queue: QueueId, groups: string[]): Plan {
  switch (queue) {
    case "mine":
      return { requests: [{ assignee: "me" }], keep: active };
    case "groups":
      return {
        requests: groups.map((g) => ({ answer_group: g })),
        keep: (c) => active(c) && c.status !== "handed_off",
      };
    case "first-line":
      return {
        requests: [{ status: "new" }, { status: "open" }, { status: "pending_citizen" }],
        keep: (c) => c.handled_by === "first_line",
      };
    case "handed-off":
      return { requests: [{ status: "handed_off" }], keep: () => true };
    case "overdue":
      return { requests: [{ overdue: true }], keep: () => true };
    case "department":
      return { requests: [{ status: "handed_off" }], keep: () => true };
    case "department-all":
      return { requests: [{}], keep: active };
    case "all":
      return { requests: [{}], keep: () => true };
  }
}

const handoffActors = new Map<string, string | null>();

/** Who handed a case off: the case's own field when the API gives it, else its timeline. */
async function handedOffBy(c: Case, signal: AbortSignal): Promise<string | null> {
  if (c.handed_off_by !== undefined) return c.handed_off_by;
  const key = `${c.ref}@${c.updated_at}`;
  if (!handoffActors.has(key)) {
    const entries = await api<TimelineEntry[]>(`/v1/cases/${encodeURIComponent(c.ref)}/timeline`, { signal });
    const last = entries.filter((e) => e.type === "handed_off").at(-1);
    handoffActors.set(key, last?.actor ?? null);
  }
  return handoffActors.get(key) ?? null;
}

export interface QueueResult {
  items: Case[];
  truncated: boolean;
}

export const PAGE = 100;

export async function loadQueue(queue: QueueId, filters: Filters, user: User, groups: string[], signal: AbortSignal): Promise<QueueResult> {
  const { requests, keep } = plan(queue, groups);
  const shared: Params = {
    q: filters.q || undefined,
    channel: filters.channel || undefined,
    category: filters.category || undefined,
    order: filters.q ? undefined : "priority", // a search is ranked (docs/cases.md)
    language: filters.language || undefined,
    limit: PAGE,
  };
  const pages = await Promise.all(
    requests.map((params) => {
      const status = params.status ?? (filters.status || undefined);
      return api<CasePage>("/v1/cases", { query: { ...shared, ...params, status }, signal });
    }),
  );
  const seen = new Map<string, Case>();
  for (const page of pages) for (const c of page.items) seen.set(c.ref, c);
  let items = [...seen.values()].filter(keep);
  if (filters.status) items = items.filter((c) => c.status === filters.status);
  if (queue === "handed-off") {
    const actors = await Promise.all(items.slice(0, PAGE).map((c) => handedOffBy(c, signal)));
    items = items.filter((_, i) => actors[i] === user.name);
  }
  items.sort(queueOrder);
  if (filters.q) items.sort(bestMatchFirst); // a search is ranked (docs/cases.md)
  return { items, truncated: pages.some((p) => p.next_cursor) };
}

/** A search's order, as the API ranks it: the best match first, then the newest. */
export function bestMatchFirst(a: Case, b: Case): number {
  const score = (c: Case) => c.match?.score ?? 0;
  return score(b) - score(a) || b.created_at.localeCompare(a.created_at) || b.ref.localeCompare(a.ref);
}

const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** The queue's order, as `GET /v1/cases?order=priority` gives it: urgent first, then the soonest due
 * (nothing due last), then the oldest reference. */
export function queueOrder(a: Case, b: Case): number {
  const rank = (c: Case) => PRIORITY_RANK[c.priority ?? "normal"] ?? PRIORITY_RANK.normal;
  const due = (c: Case) => (dueOf(c) ? new Date(dueOf(c) as string).getTime() : Number.POSITIVE_INFINITY);
  return rank(a) - rank(b) || due(a) - due(b) || a.ref.localeCompare(b.ref);
}

/** When the case must be answered next: the department's due time once handed off, else the first response. */
export function dueOf(c: Case): string | null {
  if (c.status === "handed_off") return c.due_at;
  if (c.status === "new" || c.status === "open") return c.first_response_at ? null : c.first_response_due;
  return null;
}
