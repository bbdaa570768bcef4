/** The staff directory's API and its Swedish order (docs/cases.md, "Switchboard and staff directory"). */
import { api, withQuery } from "../../api";

export interface Absence {
  away_until: string | null;
  message: string;
  covered_by: string;
  set_by: string;
  set_at: string;
}

export interface StaffEntry {
  id: string;
  organization: string;
  name: string;
  title: string;
  department: string;
  department_name: string | null;
  phone: string | null;
  email: string | null;
  errand_types: string[];
  account: string | null;
  absence: Absence | null;
  away: boolean;
}

export interface StaffWrite {
  organization: string;
  name: string;
  title: string;
  department: string;
  phone: string | null;
  email: string | null;
  errand_types: string[];
  account: string | null;
}

export interface ImportResult {
  created: number;
  updated: number;
  errors: { line: number; field: string | null; message: string }[];
}

/** Swedish alphabetical order: Å, Ä, Ö after Z; case and accents (é) secondary. */
const swedish = new Intl.Collator("sv", { sensitivity: "accent" });

/** "Åsa Öberg" → "Öberg Åsa": the directory is in surname order, as the server sorts it. */
function surnameFirst(name: string): string {
  const parts = name.trim().split(/\s+/);
  const surname = parts.pop() ?? "";
  return [surname, ...parts].join(" ");
}

export function inSwedishOrder(entries: StaffEntry[]): StaffEntry[] {
  return [...entries].sort((a, b) => swedish.compare(surnameFirst(a.name), surnameFirst(b.name)));
}

export function searchStaff(q: string, organization: string, signal?: AbortSignal): Promise<StaffEntry[]> {
  return api<StaffEntry[]>(withQuery("/v1/staff", { q, organization, limit: 50 }), { signal });
}

export function connectCall(callId: string, staffId: string): Promise<unknown> {
  return api(`/v1/calls/${encodeURIComponent(callId)}/transfer`, { json: { staff_id: staffId } });
}

export function newCallId(): string {
  return `vaxel-${crypto.randomUUID()}`;
}
