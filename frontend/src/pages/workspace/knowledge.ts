/** The knowledge bank's API shapes and who may write an article (casestore's kb_access.py). */
import type { User } from "../../auth";

export interface KnowledgeArticle {
  id: string;
  organization: string;
  title: string;
  body: string;
  tags: string[];
  owner_department: string | null;
  review_date: string | null;
  checklist: string[];
  usage_count: number;
  updated_at: string;
  updated_by: string;
  review_due: boolean;
  version: number;
  last_read_version: number | null;
  changed_since_read: boolean;
}

export interface ArticleWrite {
  organization: string;
  title: string;
  body: string;
  tags: string[];
  owner_department: string | null;
  review_date: string | null;
  checklist: string[];
}

export interface DiffLine {
  op: "same" | "added" | "removed";
  text: string;
}

export interface ChangesSinceRead {
  current_version: number;
  last_read_version: number | null;
  changed: boolean;
  changed_by: string | null;
  changed_at: string | null;
  diff: DiffLine[];
}

export interface VersionSummary {
  version: number;
  saved_at: string;
  saved_by: string;
  title: string;
}

/** Supervisors and administrators of the organisation write every article; handlers their departments'. */
export function mayEdit(user: User, organization: string, ownerDepartment: string | null): boolean {
  const serves = user.organizations.length === 0 ? user.role !== "handler" : user.organizations.includes(organization);
  if (user.role === "supervisor" || user.role === "admin") return serves;
  return user.role === "handler" && serves && ownerDepartment !== null && user.departments.includes(ownerDepartment);
}

export function mayWriteAny(user: User): boolean {
  return user.role === "supervisor" || user.role === "admin" || (user.role === "handler" && user.departments.length > 0);
}

export function articlePath(id: string): string {
  return `/v1/kb/articles/${encodeURIComponent(id)}`;
}
