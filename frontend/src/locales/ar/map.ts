import type { map as sv } from "../sv/map";

/** The fault report's map, for the citizens' pages. */
export const map: Partial<Record<keyof typeof sv, string>> = {
  "map.address": "العنوان أو المكان",
  "map.addressHint": "مثلًا «Skolgatan 7» أو «ممر المشاة خلف Bregårdsskolan».",
  "map.label": "خريطة لتحديد مكان العطل",
  "map.hint": "انقر أو المس الخريطة حيث يوجد العطل لوضع دبوس. يمكنك سحب الدبوس. باستخدام لوحة المفاتيح: حرّك الخريطة بمفاتيح الأسهم ثم اختر «ضع الدبوس هنا».",
  "map.placeHere": "ضع الدبوس هنا",
  "map.pin": "دبوس في مكان العطل",
  "map.pinPlaced": "تم وضع الدبوس. تم إدخال خط العرض وخط الطول.",
  "map.loading": "جارٍ تحميل الخريطة …",
  "map.unavailable": "تعذّر تحميل الخريطة. اكتب العنوان أو الإحداثيات في الحقول بدلًا من ذلك.",
  "map.coordinates": "الإحداثيات (تتبع الدبوس)",
  "map.zoomIn": "تكبير",
  "map.zoomOut": "تصغير",
};
