import { createCookie, createCookieSessionStorage } from "@remix-run/node";
import { getConfig } from "~/config.server";

/**
 * Every cookie the app signs comes from here: named after SESSION_COOKIE_NAME
 * (`__session`, `__session_2fa`, …), HttpOnly, SameSite=Lax (each of them is
 * read on a top-level GET that may come from another site: a link in a mail, a
 * provider's redirect), Secure per SESSION_COOKIE_SECURE, and signed with
 * SESSION_SECRET (the first value signs, every value verifies, so a rotation
 * logs nobody out). The runtime's cookie signing enters the app only here:
 * `@remix-run/cloudflare` and `@remix-run/deno` export the same two functions.
 * (The language cookie holds no secret and is not signed: i18n.server.ts.)
 */
export function appCookie(suffix: string, { path = "/", maxAgeSeconds }: { path?: string; maxAgeSeconds?: number } = {}) {
  const config = getConfig();
  return createCookie(`${config.sessionCookieName}${suffix}`, {
    httpOnly: true,
    sameSite: "lax",
    path,
    secure: config.sessionCookieSecure,
    secrets: config.sessionSecrets,
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  });
}

/** A session kept whole in one of those cookies (the session id's cookie, the flash message). */
export function appCookieSessionStorage<Data = Record<string, unknown>, FlashData = Data>(suffix: string) {
  return createCookieSessionStorage<Data, FlashData>({ cookie: appCookie(suffix) });
}
