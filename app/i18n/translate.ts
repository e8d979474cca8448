import type { Catalog, MessageKey } from "./en";

export type { Catalog, MessageKey };
export type Params = Record<string, string | number>;
/** A catalog's lookup: `t("login.title")`, `t("register.welcome", { name })` fills `{name}`. */
export type Translate = (key: MessageKey, params?: Params) => string;

const PLACEHOLDER = /\{(\w+)\}/g;

/** The lookup over one catalog; made once per language, never per request. */
export function createTranslate(catalog: Catalog): Translate {
  return (key, params) => {
    // An unknown key (a zod message that is plain text, say) is shown as it is.
    const text = catalog[key] ?? key;
    if (!params) return text;
    return text.replace(PLACEHOLDER, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}
