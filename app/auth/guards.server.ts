import { redirect } from "@remix-run/node";
import { getConfig } from "~/config.server";
import type { SessionRow } from "~/db.server";
import { redirectWithFlash } from "~/flash.server";
import type { PublicUser } from "~/users/users.server";
import { DEFAULT_REDIRECT, requestPath } from "./safe-redirect";
import { readSessionId } from "./session-cookie.server";
import { findActiveSession, isFresh, touchSession } from "./sessions.server";

/**
 * The guards every loader and action calls for itself (Remix runs loaders in
 * parallel, so a parent route protects nothing):
 *
 *   const user = await requireUser(request);
 *
 * The session is read once per request object and shared by the loaders that get it.
 */

export type Auth = { user: PublicUser; session: SessionRow };

const resolved = new WeakMap<Request, Promise<Auth | null>>();

async function resolveAuth(request: Request): Promise<Auth | null> {
  const sid = await readSessionId(request);
  if (!sid) return null;
  const now = Date.now();
  const active = await findActiveSession(sid, now);
  if (!active) return null;
  await touchSession(active.session, now);
  const { id, email, name, active: isActive, created_at } = active.user;
  return { user: { id, email, name, active: isActive, created_at }, session: active.session };
}

/** The signed-in user and their session, or null for an anonymous request. */
export function getAuth(request: Request): Promise<Auth | null> {
  let auth = resolved.get(request);
  if (!auth) {
    auth = resolveAuth(request);
    resolved.set(request, auth);
  }
  return auth;
}

/** The signed-in user, or null. */
export async function getUser(request: Request): Promise<PublicUser | null> {
  return (await getAuth(request))?.user ?? null;
}

/** A redirect to the login page that comes back to this request's page afterwards. */
export function loginRedirect(request: Request): Promise<Response> {
  const config = getConfig();
  const url = `/login?redirectTo=${encodeURIComponent(requestPath(request))}`;
  return redirectWithFlash(url, { category: config.loginMessageCategory, message: config.loginMessage });
}

/** The signed-in user and session; anonymous requests are sent to log in (and brought back). */
export async function requireAuth(request: Request): Promise<Auth> {
  const auth = await getAuth(request);
  if (!auth) throw await loginRedirect(request);
  return auth;
}

/** The signed-in user; anonymous requests are sent to log in (and brought back). */
export async function requireUser(request: Request): Promise<PublicUser> {
  return (await requireAuth(request)).user;
}

/** For pages only anonymous visitors need (login, register): signed-in users go to the dashboard. */
export async function requireAnonymous(request: Request): Promise<void> {
  if (await getAuth(request)) throw redirect(DEFAULT_REDIRECT);
}

/** A redirect to /reauthenticate that comes back to this request's page, with the NEEDS_REFRESH_MESSAGE flash. */
export function reauthenticateRedirect(request: Request): Promise<Response> {
  const config = getConfig();
  const url = `/reauthenticate?redirectTo=${encodeURIComponent(requestPath(request))}`;
  return redirectWithFlash(url, { category: config.needsRefreshMessageCategory, message: config.needsRefreshMessage });
}

/**
 * Flask-Login's `fresh_login_required`, for sensitive routes: the user must have
 * entered their password in this session within FRESH_LOGIN_MAX_AGE. A
 * remember-me session is never fresh by itself. Anonymous requests go to log in.
 */
export async function requireFreshLogin(request: Request): Promise<Auth> {
  const auth = await requireAuth(request);
  if (!isFresh(auth.session)) throw await reauthenticateRedirect(request);
  return auth;
}
