/** The citizens' three web forms: which directory form each posts, what it asks, and its limits. */
import type { Language } from "../../i18n";

export type FormKind = "contact" | "feedback" | "report";

export const FORMS: Record<FormKind, { formId: string; prefix: "citizen.contact" | "citizen.feedback" | "citizen.report"; anonymous: boolean; files: boolean; location: boolean }> = {
  contact: { formId: "kontakta-oss", prefix: "citizen.contact", anonymous: false, files: true, location: false },
  feedback: { formId: "synpunkt", prefix: "citizen.feedback", anonymous: true, files: false, location: false },
  report: { formId: "felanmalan", prefix: "citizen.report", anonymous: true, files: true, location: true },
};

export const MAX_FILES = 5;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const PHONE = /^[0-9+() -]*$/;
/** The languages a citizen may ask to be answered in, each in its own words. */
export const ANSWER_LANGUAGES: Record<Language, string> = { sv: "Svenska", en: "English", ar: "العربية" };

export type Field = "name" | "email" | "phone" | "subject" | "place" | "message" | "lat" | "lon" | "attachments" | "website";
export type Values = Record<Exclude<Field, "attachments">, string>;
export const EMPTY: Values = { name: "", email: "", phone: "", subject: "", place: "", message: "", lat: "", lon: "", website: "" };
// The order of the error summary follows the order of the fields on the page.
export const ORDER: Field[] = ["message", "place", "lat", "lon", "attachments", "name", "email", "phone", "subject"];
