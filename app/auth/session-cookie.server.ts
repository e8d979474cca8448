import { getConfig } from "~/config.server";
import { appCookieSessionStorage } from "~/utils/cookies.server";

/**
 * The session cookie: signed (SESSION_SECRET, rotating), HttpOnly, SameSite=Lax,
 * holding nothing but the opaque session id. Without remember me it is a
 * browser-session cookie; with it, it carries Expires and Max-Age.
 */

type CookieData = { sid: string };

let storage: ReturnType<typeof appCookieSessionStorage<CookieData>> | undefined;

function sessionStorage() {
  storage ??= appCookieSessionStorage<CookieData>("");
  return storage;
}

/** The session id in the request's cookie; null when absent, forged or unreadable. */
export function readSessionId(request: Request): Promise<string | null> {
  return readSessionIdFromCookie(request.headers.get("Cookie"));
}

/** The same, from a raw Cookie header (the Express server reads it before Remix). */
export async function readSessionIdFromCookie(header: string | null | undefined): Promise<string | null> {
  if (!header?.includes(`${getConfig().sessionCookieName}=`)) return null;
  try {
    const session = await sessionStorage().getSession(header);
    const sid = session.get("sid");
    return typeof sid === "string" && sid.length > 0 ? sid : null;
  } catch {
    return null;
  }
}

/** A Set-Cookie value that stores `sid`; `remember` makes it outlive the browser session. */
export async function serializeSessionCookie(sid: string, remember: boolean): Promise<string> {
  const { getSession, commitSession } = sessionStorage();
  const session = await getSession();
  session.set("sid", sid);
  if (!remember) return commitSession(session);
  const duration = getConfig().rememberCookieDuration;
  return commitSession(session, { maxAge: Math.floor(duration / 1000), expires: new Date(Date.now() + duration) });
}

/** A Set-Cookie value that removes the session cookie. */
export async function clearSessionCookie(): Promise<string> {
  const { getSession, destroySession } = sessionStorage();
  return destroySession(await getSession());
}
