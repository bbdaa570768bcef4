/** The shapes of DESIGN §4 that the web app reads. Fields beyond those are optional. */

export type Status = "new" | "open" | "pending_citizen" | "handed_off" | "resolved" | "closed";
export type Role = "agent" | "handler" | "supervisor" | "admin";

export interface Case {
  ref: string;
  organization: string;
  status: Status;
  channel: string;
  subject: string | null;
  category: string;
  department: string | null;
  answer_group: string | null;
  handled_by: string;
  rosa_level: number;
  confidential: boolean;
  assignee: string | null;
  created_at: string;
  updated_at: string;
  first_response_due: string | null;
  due_at: string | null;
  received_at?: string | null;
  priority?: string | null;
  /** the language the citizen chose or wrote in: sv, en, ar or other */
  language?: string | null;
  first_response_at?: string | null;
  resolved_at?: string | null;
  resolution_code?: string | null;
  failure_demand?: boolean | null;
  links?: string[];
  handed_off_by?: string | null;
  /** The case this duplicate was merged into (it is then closed). */
  merged_into?: string | null;
  /** The duplicates merged into this case. */
  merged_from?: string[];
  /** A synpunkt's kind and the department it concerns (null: the case's own); null until someone gave one. */
  feedback?: Feedback | null;
  /** With a search (`q`): where its words were found. */
  match?: SearchMatch | null;
  /** Where the errand is, from the contact that opened it; null when none was given or it was erased. */
  position?: CasePosition | null;
}

/** WGS 84 as given, the same point in SWEREF 99 TM (EPSG:3006; null outside Sweden), address, photo link. */
export interface CasePosition {
  lat: number | null;
  lon: number | null;
  sweref99tm: { northing: number; easting: number } | null;
  address: string | null;
  media_url: string | null;
}

/** Where a search's words were found: the field, a plain-text excerpt (null for a confidential
 *  case's message or note) and the matched words as [start, end) offsets in Unicode code points. */
export interface SearchMatch {
  field: "subject" | "message" | "sender" | "reference" | "reply" | "attachment" | "note";
  snippet: string | null;
  highlights: [number, number][];
  score: number | null;
}

export interface Attachment {
  name?: string | null;
  content_type?: string | null;
  size?: number | null;
  sha256: string;
}

export interface Person {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  facebook_psid?: string | null;
}

export interface Message {
  key: string;
  direction: "inbound" | "outbound" | "internal";
  channel: string;
  at: string;
  subject?: string | null;
  text: string;
  automatic?: boolean;
  kind?: string | null;
  author?: string | null;
  sender?: Person | null;
  attachments?: Attachment[];
  delivery?: { status?: string } | null;
  /** The duplicate this message was copied from when it was merged into this case. */
  merged_from?: string | null;
}

export interface RoutingDecision {
  handled_by?: string;
  answer_group?: string | null;
  department?: string | null;
  category?: string;
  rosa_level?: number;
  priority?: string;
  confidential?: boolean;
  ruleset_version?: number | string;
  matched_rules?: string[];
  explanation?: string;
}

export interface CaseDetail extends Case {
  messages: Message[];
  citizen?: Person | null;
  routing?: RoutingDecision | null;
}

export interface CasePage {
  items: Case[];
  next_cursor: string | null;
}

export interface TimelineEntry {
  seq: number;
  at: string;
  actor: string;
  type: string;
  data: Record<string, unknown>;
  hash: string;
}

export interface Verification {
  ok: boolean;
  entries: number;
  first_broken: number | null;
}

export interface Department {
  id: string;
  name: string;
  email?: string | null;
  on_call_phone?: string | null;
  confidential?: boolean;
}

export interface AnswerGroup {
  id: string;
  name: string;
  ivr_digit?: string | null;
  departments?: string[];
}

export interface Category {
  id: string;
  name: string;
  department?: string | null;
  rosa_level?: number;
  handled_by?: string;
  confidential?: boolean;
  keywords?: string[];
}

export interface Organization {
  id: string;
  code: string;
  name: string;
  default?: boolean;
  departments: Department[];
  answer_groups: AnswerGroup[];
  categories: Category[];
  forms?: { id: string; name: string }[];
  ivr_connect_digit?: string | null;
}

export interface Directory {
  organizations: Organization[];
}

export interface Article {
  id: string;
  organization: string;
  title: string;
  body: string;
  tags: string[];
  owner_department?: string | null;
  checklist: string[];
  usage_count: number;
  review_due?: boolean;
}

export interface PublicCase {
  ref: string;
  status: Status;
  status_text: string;
  received_at: string | null;
  updated_at: string;
  first_response_due: string | null;
  resolved_at: string | null;
  replies: { at: string; text: string }[];
}

export interface Subscription {
  id: string;
  department: string;
  /** null only for one stored without an organisation: it receives nothing until it is set */
  organization: string | null;
  /** null: the reports by e-mail only, to the department's address */
  url: string | null;
  event_types: string[];
  active: boolean;
  created_at: string;
}

export interface Delivery {
  id: string;
  status?: string;
  department?: string | null;
  url?: string | null;
  recipient?: string | null;
  target?: string | null;
  reason?: string | null;
  last_attempt_at?: string | null;
  event_type?: string | null;
  case_ref?: string | null;
  attempts?: number;
  last_error?: string | null;
  error?: string | null;
  updated_at?: string | null;
  created_at?: string | null;
  [key: string]: unknown;
}

/** beröm, klagomål, förslag, fråga */
export type FeedbackKind = "praise" | "complaint" | "suggestion" | "question";

export interface Feedback {
  kind: FeedbackKind | null;
  department: string | null;
}
