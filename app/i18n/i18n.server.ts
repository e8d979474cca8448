import type { AppLoadContext } from "@remix-run/node";
import { getConfig } from "~/config.server";
import { en } from "./en";
import { es } from "./es";
import { type I18n, registerCatalog } from "./i18n";
import { acceptedLanguage } from "./accept-language";
import { DEFAULT_LANGUAGE, isLanguage, type Language, LANGUAGES } from "./languages";

/**
 * Which language a request is answered in, and its lookup. Every catalog is
 * bundled with the server and registered once, here, at start: a request only
 * picks one (no per-request instance, nothing read from disk or the network).
 */
const translations: Record<Language, I18n> = { en: registerCatalog("en", en), es: registerCatalog("es", es) };

export { type I18n };

/** The cookie that remembers an anonymous visitor's choice (and a signed-in user's, after they log out). */
export const LANGUAGE_COOKIE = "lang";
const LANGUAGE_COOKIE_PATTERN = /(?:^|;\s*)lang=([a-z]{2})(?:;|$)/;

/** A language's lookup, for work outside a request (a mail to a user in their saved language). */
export function i18nFor(language: string | null | undefined): I18n {
  return translations[isLanguage(language) ? language : DEFAULT_LANGUAGE];
}

/**
 * The language of a request: the signed-in user's saved choice, else the
 * switch's cookie, else the best supported one in `Accept-Language`, else English.
 */
export function languageOf(request: Request, user?: { language?: string | null } | null): Language {
  if (isLanguage(user?.language)) return user.language;
  const fromCookie = LANGUAGE_COOKIE_PATTERN.exec(request.headers.get("Cookie") ?? "")?.[1];
  if (isLanguage(fromCookie)) return fromCookie;
  return acceptedLanguage(request.headers.get("Accept-Language"));
}

/** The request's language and lookup, from a loader's or action's arguments. */
export function i18nOf(args: { request: Request; context: Pick<AppLoadContext, "identity"> }): I18n {
  const identity = args.context.identity;
  return translations[languageOf(args.request, identity?.credential === "session" ? identity.user : null)];
}

/** The Set-Cookie value that remembers the switch's choice for a year. */
export function languageCookie(language: Language): string {
  const secure = getConfig().sessionCookieSecure ? "; Secure" : "";
  return `${LANGUAGE_COOKIE}=${language}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly${secure}`;
}

export { acceptedLanguage, LANGUAGES };
