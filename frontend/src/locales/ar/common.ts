import type { common as sv } from "../sv/common";

/** The shared words the citizens' pages use, in Arabic; the workspace stays in Swedish and English. */
export const common: Partial<Record<keyof typeof sv, string>> = {
  "common.loading": "جارٍ التحميل …",
  "nav.skip": "انتقل إلى المحتوى الرئيسي",
  "nav.citizen": "تواصل مع البلدية",
  "error.unexpected": "حدث خطأ. حاول مرة أخرى.",
  "error.network": "لا نستطيع الوصول إلى الخادم الآن. تحقق من اتصالك وحاول مرة أخرى.",
  "error.notFound": "ما تبحث عنه غير موجود، أو لا يحق لك الاطلاع عليه.",
  "error.conflict": "تعذّر تنفيذ ذلك الآن: {message}",
  "error.tooLarge": "ما أرسلته كبير جدًا. أرسل ملفات أقل عددًا أو أصغر حجمًا.",
  "error.rateLimited": "أرسلت رسائل كثيرة في وقت قصير. انتظر قليلًا، أو اتصل بنا.",
  "error.server": "الخدمة لا تستجيب الآن. حاول مرة أخرى بعد قليل.",
  "error.invalid": "تعذّر استلام البيانات: {message}",
  "notFound.title": "الصفحة غير موجودة",
  "notFound.text": "لم نجد الصفحة التي حاولت الوصول إليها.",
  "notFound.home": "إلى الصفحة الرئيسية",
  "channel.open311": "تطبيق الإبلاغ عن الأعطال (Open311)",
};
