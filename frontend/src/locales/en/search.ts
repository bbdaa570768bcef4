import type { search as sv } from "../sv/search";

/** Case search: where in a case the words were found, as the queue shows it under the subject. */
export const search: Record<keyof typeof sv, string> = {
  "search.foundIn": "Found in {field}:",
  "search.field.subject": "the subject",
  "search.field.message": "the citizen's message",
  "search.field.sender": "the sender",
  "search.field.reference": "the reference",
  "search.field.reply": "our reply",
  "search.field.attachment": "an attachment",
  "search.field.note": "an internal note",
  "search.confidential": "Confidential case: open it to read the text (the read is logged).",
};
