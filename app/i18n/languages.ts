/**
 * The languages the app speaks. One catalog per language (./en.ts defines
 * the keys, ./es.ts must have the same ones: tests/unit/i18n-catalogs.test.ts);
 * adding one: docs/decisions/017-languages.md.
 */
export const LANGUAGES = ["en", "es"] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = "en";

/** Each language's name in itself (the layout's switch shows the other one). */
export const LANGUAGE_NAMES: Record<Language, string> = { en: "English", es: "Español" };

export function isLanguage(value: unknown): value is Language {
  return value === "en" || value === "es";
}
