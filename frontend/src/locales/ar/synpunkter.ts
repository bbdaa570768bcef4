import type { synpunkter as sv } from "../sv/synpunkter";

/** The synpunkt form's choice of kind, for the citizens' pages. */
export const synpunkter: Partial<Record<keyof typeof sv, string>> = {
  "synpunkter.kind.praise": "ثناء",
  "synpunkter.kind.complaint": "شكوى",
  "synpunkter.kind.suggestion": "اقتراح",
  "synpunkter.kind.question": "سؤال",
  "synpunkter.formKind": "ما نوع ملاحظتك؟",
  "synpunkter.formKindHint": "اختر الأنسب. يمكنك أيضًا تركه فارغًا.",
  "synpunkter.formKindNone": "لا أعرف",
};
