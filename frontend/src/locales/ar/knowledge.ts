import type { knowledge as sv } from "../sv/knowledge";

/** The crisis notice banner on the citizens' pages, in Arabic. */
export const knowledge: Partial<Record<keyof typeof sv, string>> = {
  "notice.region": "إشعارات مهمة",
  "notice.severity.info": "معلومات",
  "notice.severity.warning": "انقطاع في الخدمة",
  "notice.severity.crisis": "معلومات الأزمات",
  "notice.until": "ساري حتى {at}",
};
