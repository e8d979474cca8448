import { redirect } from "@remix-run/node";
import { getConfig } from "~/config.server";
import { appCookieSessionStorage } from "~/utils/cookies.server";

/**
 * Flash messages: one message shown on the next page, like Flask's `flash()`.
 * They live in their own short cookie, so anonymous visitors (the "please log
 * in" message) need no server-side session.
 */

export type FlashCategory = "info" | "success" | "warning" | "error" | (string & {});
export type Flash = { category: FlashCategory; message: string };

let storage: ReturnType<typeof appCookieSessionStorage<Record<string, never>, { flash: Flash }>> | undefined;

function flashStorage() {
  storage ??= appCookieSessionStorage<Record<string, never>, { flash: Flash }>("_flash");
  return storage;
}

/** A Set-Cookie value carrying a flash for the next page. */
export async function flashCookie(flash: Flash): Promise<string> {
  const { getSession, commitSession } = flashStorage();
  const session = await getSession();
  session.flash("flash", flash);
  return commitSession(session);
}

/** Reads (and consumes) the request's flash; `setCookie` clears it and must be sent back. */
export async function takeFlash(request: Request): Promise<{ flash: Flash | null; setCookie: string | null }> {
  const header = request.headers.get("Cookie");
  if (!header?.includes(`${getConfig().sessionCookieName}_flash=`)) return { flash: null, setCookie: null };
  const { getSession, commitSession } = flashStorage();
  let session;
  try {
    session = await getSession(header);
  } catch {
    return { flash: null, setCookie: null };
  }
  const flash = session.get("flash");
  const valid = flash && typeof flash.message === "string" && typeof flash.category === "string";
  return { flash: valid ? flash : null, setCookie: await commitSession(session) };
}

/** A redirect and its flash in one call. An empty message sends no flash. */
export async function redirectWithFlash(url: string, flash: Flash, init: ResponseInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (flash.message) headers.append("Set-Cookie", await flashCookie(flash));
  return redirect(url, { ...init, headers });
}
