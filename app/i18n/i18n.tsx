import { createContext, Fragment, type ReactNode, useContext, useEffect, useState } from "react";
import type { Catalog } from "./en";
import { DEFAULT_LANGUAGE, isLanguage, type Language } from "./languages";
import { createTranslate, type MessageKey, type Translate } from "./translate";

/**
 * The translations the page renders with. The server registers every catalog
 * at start (i18n.server.ts); the browser loads only the page's own language
 * (entry.client.tsx) before it hydrates, and another one only if a client-side
 * navigation switches language (signing in as a user who chose another).
 */
export type I18n = { language: Language; t: Translate };

const registered = new Map<Language, I18n>();

export function registerCatalog(language: Language, catalog: Catalog): I18n {
  let i18n = registered.get(language);
  if (!i18n) {
    i18n = { language, t: createTranslate(catalog) };
    registered.set(language, i18n);
  }
  return i18n;
}

/** The catalog as a separate chunk of the browser bundle (only the one in use is downloaded). */
export function loadCatalog(language: Language): Promise<Catalog> {
  return language === "es" ? import("./es").then((m) => m.es) : import("./en").then((m) => m.en);
}

/** The registered translations for `language`, else any registered ones (the page's first language). */
function registeredOrAny(language: Language): I18n {
  const i18n = registered.get(language) ?? registered.get(DEFAULT_LANGUAGE) ?? registered.values().next().value;
  if (!i18n) throw new Error("No catalog registered: entry.client.tsx and i18n.server.ts register them before rendering.");
  return i18n;
}

/** The translations for the root loader's language, loading that catalog first if it is not here yet. */
export function useLanguageTranslations(language: Language): I18n {
  const [, setLoaded] = useState(0);
  const ready = registered.has(language);
  useEffect(() => {
    if (ready) return;
    let live = true;
    void loadCatalog(language).then((catalog) => {
      registerCatalog(language, catalog);
      if (live) setLoaded((n) => n + 1);
    });
    return () => {
      live = false;
    };
  }, [language, ready]);
  return registeredOrAny(language);
}

const I18nContext = createContext<I18n | null>(null);
export const I18nProvider = I18nContext.Provider;

/** The page's language and lookup (inside the root layout). */
export function useI18n(): I18n {
  return useContext(I18nContext) ?? registeredOrAny(DEFAULT_LANGUAGE);
}

export function useT(): Translate {
  return useI18n().t;
}

type MetaMatch = { id: string; data?: unknown };

/** The language the root loader chose, for `meta` functions (they run outside React). */
export function matchesLanguage(matches: MetaMatch[]): Language {
  const root = matches.find((match) => match.id === "root")?.data as { language?: unknown } | undefined;
  return isLanguage(root?.language) ? root.language : DEFAULT_LANGUAGE;
}

/** The lookup for a `meta` function's page. */
export function translatorOf(matches: MetaMatch[]): Translate {
  return registeredOrAny(matchesLanguage(matches)).t;
}

/** A settings page's `meta`: its title, "Settings", then the product's name. */
export function settingsTitleMeta(matches: MetaMatch[], key: Parameters<Translate>[0]) {
  const { t } = registeredOrAny(matchesLanguage(matches));
  return { title: `${t(key)} · ${t("settings.title")} · Remix Auth Kit` };
}

/** A page's `meta`: its translated title, then the product's name. */
export function titleMeta(matches: MetaMatch[], key: Parameters<Translate>[0]) {
  const { t } = registeredOrAny(matchesLanguage(matches));
  return { title: `${t(key)} · Remix Auth Kit` };
}

/**
 * A sentence whose values are elements, not only text (a `<Time>`, a nested
 * sentence): the catalog's text is split at its `{placeholders}` and each is
 * replaced by its node. `t()` stays the way for plain text.
 */
export function Message({ id, values }: { id: MessageKey; values: Record<string, ReactNode> }) {
  const parts = useT()(id).split(/\{(\w+)\}/);
  return (
    <>
      {parts.map((part, i) => (i % 2 === 0 ? part : <Fragment key={i}>{part in values ? values[part] : `{${part}}`}</Fragment>))}
    </>
  );
}
