import { describe, expect, it } from "vitest";
import { en } from "~/i18n/en";
import { es } from "~/i18n/es";
import { acceptedLanguage, i18nFor, languageOf } from "~/i18n/i18n.server";
import { LANGUAGES } from "~/i18n/languages";

/**
 * Every catalog has exactly the English catalog's keys, none of them empty,
 * and the same placeholders in each text (a `{name}` lost in translation
 * would show as nothing, or a stray `{name}` as itself).
 */
const catalogs: Record<(typeof LANGUAGES)[number], Record<string, string>> = { en, es };
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("language catalogs", () => {
  it("exist for every language", () => {
    expect(Object.keys(catalogs).sort()).toEqual([...LANGUAGES].sort());
  });

  it.each(LANGUAGES.filter((l) => l !== "en"))("%s has every English key and no other", (language) => {
    const keys = Object.keys(catalogs[language]);
    const missing = Object.keys(en).filter((key) => !keys.includes(key));
    const extra = keys.filter((key) => !(key in en));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it.each(LANGUAGES)("%s has no empty text", (language) => {
    const empty = Object.entries(catalogs[language]).filter(([, text]) => typeof text !== "string" || text.trim() === "");
    expect(empty.map(([key]) => key)).toEqual([]);
  });

  it.each(LANGUAGES.filter((l) => l !== "en"))("%s keeps each text's placeholders", (language) => {
    const differing = Object.entries(en).filter(([key, text]) => placeholders(text).join() !== placeholders(catalogs[language]![key]!).join());
    expect(differing.map(([key]) => key)).toEqual([]);
  });
});

describe("choosing the language", () => {
  const request = (headers: Record<string, string>) => new Request("http://localhost/", { headers });

  it("reads Accept-Language with its weights, English when nothing fits", () => {
    expect(acceptedLanguage(null)).toBe("en");
    expect(acceptedLanguage("es-MX,es;q=0.9,en;q=0.8")).toBe("es");
    expect(acceptedLanguage("fr-FR,fr;q=0.9,es;q=0.5,en;q=0.7")).toBe("en");
    expect(acceptedLanguage("de, fr")).toBe("en");
    expect(acceptedLanguage("en;q=0.2, ES;q=0.4")).toBe("es");
  });

  it("prefers the saved choice, then the cookie, then Accept-Language", () => {
    expect(languageOf(request({ "Accept-Language": "es" }), { language: "en" })).toBe("en");
    expect(languageOf(request({ "Accept-Language": "es", Cookie: "a=1; lang=en" }), null)).toBe("en");
    expect(languageOf(request({ "Accept-Language": "es", Cookie: "lang=xx" }), { language: null })).toBe("es");
  });

  it("fills placeholders and falls back to English for an unknown language", () => {
    expect(i18nFor("es").t("providers.signInWith", { label: "Acme" })).toBe("Iniciar sesión con Acme");
    expect(i18nFor("fr").language).toBe("en");
  });
});
