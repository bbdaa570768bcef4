/**
 * A small typed dictionary: Swedish is the source (`sv.ts`), English must have every key (`en.ts`),
 * and `t("key", { name })` fills `{name}`. The choice is kept in localStorage and sets <html lang>.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { en } from "./locales/en";
import { sv, type MessageKey } from "./locales/sv";

export type Language = "sv" | "en";
export type { MessageKey };

const dictionaries: Record<Language, Record<MessageKey, string>> = { sv, en };
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

function initialLanguage(): Language {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  return stored === "en" ? "en" : "sv";
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

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
