import type { handling as sv } from "../sv/handling";

/** The dashboard's category × handled-by table, and what a department handler's figures cover. */
export const handling: Record<keyof typeof sv, string> = {
  "handling.title": "Category × handled by",
  "handling.caption": "Cases per category: who handled them, most handled by departments first",
  "handling.loading": "Loading …",
  "handling.summary": "The departments handled {department} and first line resolved {firstLine} of {cases} cases.",
  "handling.category": "Category",
  "handling.noCategory": "No category",
  "handling.cases": "Cases",
  "handling.routedFirstLine": "Routed to first line",
  "handling.routedDepartment": "Routed to a department",
  "handling.resolvedFirstLine": "Resolved at first line",
  "handling.handledByDepartment": "Handled by a department",
  "handling.handedOff": "of which handed off by first line",
  "handling.pending": "Pending",
  "handling.rate": "Resolution rate",
  "handling.explain":
    "Routed: where routing sent the case. Handled by a department: sent straight to the department, handed off, or resolved by someone other than first line. Questions that come often and are handled by the departments may become the contact centre's task.",
  "handling.scope": "The figures cover the cases of your departments: {departments}.",
  "handling.noTelephony": "Telephony is kept per answer group, not per department, so it is not shown here.",
};
