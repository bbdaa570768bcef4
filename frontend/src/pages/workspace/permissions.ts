/** What the workspace offers on a case: the lifecycle of DESIGN §7 and the roles' rights (casestore decides). */
import type { Role, Status } from "../../types";

export type Action = "reply" | "note" | "assign" | "pending" | "handoff" | "return" | "resolve" | "close" | "reopen" | "link" | "merge" | "recategorise";

const FROM: Record<Action, Status[]> = {
  assign: ["new", "open", "pending_citizen", "handed_off"],
  reply: ["new", "open", "pending_citizen", "handed_off", "resolved"],
  note: ["new", "open", "pending_citizen", "handed_off", "resolved", "closed"],
  pending: ["new", "open"],
  handoff: ["new", "open", "pending_citizen"],
  return: ["handed_off"],
  resolve: ["new", "open", "pending_citizen", "handed_off"],
  close: ["resolved"],
  reopen: ["resolved"],
  link: ["new", "open", "pending_citizen", "handed_off", "resolved", "closed"],
  // the duplicate is closed into the other case; casestore also checks the other case
  merge: ["new", "open", "pending_citizen", "handed_off", "resolved"],
  // a handler only within their departments (Recategorise.tsx offers only those categories)
  recategorise: ["new", "open", "pending_citizen", "handed_off", "resolved"],
};

const HANDLER: Action[] = ["reply", "note", "assign", "pending", "return", "resolve", "link", "merge", "reopen", "recategorise"];

export function may(action: Action, role: Role, status: Status): boolean {
  if (role === "admin") return false;
  if (role === "handler" && !HANDLER.includes(action)) return false;
  return FROM[action].includes(status);
}

export const RESOLUTION_CODES = ["answered", "referred", "fixed", "information", "no_action", "duplicate"] as const;
