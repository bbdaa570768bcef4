/** Dates and numbers in Swedish format (DESIGN: Europe/Stockholm, sv-SE), whatever the language. */

const LOCALE = "sv-SE";
const ZONE = "Europe/Stockholm";

const dateTime = new Intl.DateTimeFormat(LOCALE, { dateStyle: "short", timeStyle: "short", timeZone: ZONE });
const dateOnly = new Intl.DateTimeFormat(LOCALE, { dateStyle: "short", timeZone: ZONE });
const longDate = new Intl.DateTimeFormat(LOCALE, { dateStyle: "long", timeStyle: "short", timeZone: ZONE });
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat(LOCALE, { style: "percent", maximumFractionDigits: 1 });

function parse(value: string | Date | null | undefined): Date | null {
  if (!value) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** 2026-03-02 09:14 */
export function formatDateTime(value: string | Date | null | undefined): string {
  const date = parse(value);
  return date ? dateTime.format(date) : "–";
}

/** 2026-03-02 */
export function formatDate(value: string | Date | null | undefined): string {
  const date = parse(value);
  return date ? dateOnly.format(date) : "–";
}

/** 2 mars 2026 09:14 */
export function formatLongDateTime(value: string | Date | null | undefined): string {
  const date = parse(value);
  return date ? longDate.format(date) : "–";
}

/** 12 345 */
export function formatInteger(value: number | null | undefined): string {
  return value == null || Number.isNaN(value) ? "–" : integer.format(value);
}

/** 4,3 */
export function formatDecimal(value: number | null | undefined): string {
  return value == null || Number.isNaN(value) ? "–" : decimal.format(value);
}

/** 0.945 → 94,5 % */
export function formatPercent(value: number | null | undefined): string {
  return value == null || Number.isNaN(value) ? "–" : percent.format(value);
}

/** The machine-readable form for <time dateTime=…>. */
export function isoOf(value: string | null | undefined): string | undefined {
  const date = parse(value);
  return date ? date.toISOString() : undefined;
}

export function isPast(value: string | null | undefined, now: Date = new Date()): boolean {
  const date = parse(value);
  return date !== null && date.getTime() < now.getTime();
}

/** A local date as yyyy-mm-dd (Europe/Stockholm), for date inputs and the figures' from/to. */
export function localDate(date: Date): string {
  return new Intl.DateTimeFormat("sv-SE", { timeZone: ZONE }).format(date);
}

export function formatBytes(size: number | null | undefined): string {
  if (size == null) return "";
  if (size < 1024) return `${integer.format(size)} B`;
  if (size < 1024 * 1024) return `${decimal.format(size / 1024)} kB`;
  return `${decimal.format(size / 1024 / 1024)} MB`;
}
