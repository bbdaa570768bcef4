/**
 * A small typed dictionary: Swedish is the source (`sv.ts`), English must have every key (`en.ts`),
 * Arabic (`ar.ts`) has the citizens' pages and falls back to Swedish elsewhere, and
 * `t("key", { name })` fills `{name}`. The choice is kept in localStorage (a `?lang=` in the address,
 * as the links in our mails carry, sets it) and sets <html lang> and <html dir>: Arabic is laid
 * out right to left. The staff workspace offers Swedish and English only (`STAFF_LANGUAGES`).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { ar } from "./locales/ar";
import { en } from "./locales/en";
import { sv, type MessageKey } from "./locales/sv";

export type Language = "sv" | "en" | "ar";
export type { MessageKey };

export const CITIZEN_LANGUAGES: readonly Language[] = ["sv", "en", "ar"];
export const STAFF_LANGUAGES: readonly Language[] = ["sv", "en"];
/** Each language by its own name, as the language switch offers it. */
export const LANGUAGE_NAMES: Record<Language, string> = { sv: "På svenska", en: "In English", ar: "العربية" };

const dictionaries: Record<Language, Partial<Record<MessageKey, string>>> = { sv, en, ar };
const STORAGE_KEY = "lotsen.language";

type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

interface I18n {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
  /** A label for an API value (status, channel, …) with a fallback to the value itself. */
  label: (prefix: string, value: string | null | undefined) => string;
}

const I18nContext = createContext<I18n | null>(null);

function isLanguage(value: string | null | undefined): value is Language {
  return (CITIZEN_LANGUAGES as readonly (string | null | undefined)[]).includes(value);
}

function initialLanguage(): Language {
  const asked = new URLSearchParams(globalThis.location?.search ?? "").get("lang");
  if (isLanguage(asked)) {
    globalThis.localStorage?.setItem(STORAGE_KEY, asked);
    return asked;
  }
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  return isLanguage(stored) ? stored : "sv";
}

export function directionOf(language: Language): "rtl" | "ltr" {
  return language === "ar" ? "rtl" : "ltr";
}

/** Whether the dictionary has words for ``key`` (for keys built from what the API answers). */
export function isMessageKey(key: string): key is MessageKey {
  return key in sv;
}

export function translate(language: Language, key: MessageKey, vars?: Vars): string {
  const text = dictionaries[language][key] ?? sv[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (match, name: string) => String(vars[name] ?? match)) : text;
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  useEffect(() => {
    document.documentElement.lang = language;
    document.documentElement.dir = directionOf(language);
  }, [language]);
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLanguageState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const t: Translate = (key, vars) => translate(language, key, vars);
    const label = (prefix: string, raw: string | null | undefined) => {
      if (raw == null || raw === "") return "–";
      const key = `${prefix}.${raw}`;
      return isMessageKey(key) ? t(key) : raw;
    };
    return { language, setLanguage, t, label };
  }, [language, setLanguage]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** On the staff pages: a language they do not offer (Arabic) becomes Swedish. */
export function useStaffLanguage(): void {
  const { language, setLanguage } = useI18n();
  useEffect(() => {
    if (!STAFF_LANGUAGES.includes(language)) setLanguage("sv");
  }, [language, setLanguage]);
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
