import { redirect } from "@remix-run/node";
import { getConfig } from "~/config.server";
import type { SessionRow } from "~/db.server";
import { redirectWithFlash } from "~/flash.server";
import { findAccess } from "~/users/roles.server";
import type { PublicUser } from "~/users/users.server";
import { type Access, hasPermission, hasRole, type Permission } from "./permissions";
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

/** The signed-in user with their roles and permissions, read afresh at every request. */
export type CurrentUser = PublicUser & Access;
export type Auth = { user: CurrentUser; session: SessionRow };

const resolved = new WeakMap<Request, Promise<Auth | null>>();

async function resolveAuth(request: Request): Promise<Auth | null> {
  const sid = await readSessionId(request);
  if (!sid) return null;
  const now = Date.now();
  const active = await findActiveSession(sid, now);
  if (!active) return null;
  await touchSession(active.session, now);
  const access = await findAccess(active.user.id);
  const { id, email, name, active: isActive, created_at } = active.user;
  return { user: { id, email, name, active: isActive, created_at, ...access }, session: active.session };
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
export async function getUser(request: Request): Promise<CurrentUser | null> {
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
export async function requireUser(request: Request): Promise<CurrentUser> {
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

/** The 403 page: signed in, but without the role or permission the route needs. */
export function forbidden(): Response {
  return new Response("You do not have permission to see this page.", { status: 403, statusText: "Forbidden" });
}

/**
 * Flask-Principal's `Permission(...).require()` for a route: the signed-in user
 * must hold `permission` through one of their roles. Anonymous requests go to
 * log in; a signed-in user without it gets 403.
 *
 *   const admin = await requirePermission(request, "users:write");
 */
export async function requirePermission(request: Request, permission: Permission): Promise<CurrentUser> {
  const user = await requireUser(request);
  if (!hasPermission(user, permission)) throw forbidden();
  return user;
}

/**
 * For admin writes: the user must hold `permission` (else 403) and have entered
 * their password within FRESH_LOGIN_MAX_AGE (else 302 to /reauthenticate), so
 * a stolen remember-me cookie alone cannot create, change or delete users.
 *
 *   const { user: admin } = await requireFreshPermission(request, "users:write");
 */
export async function requireFreshPermission(request: Request, permission: Permission): Promise<Auth> {
  await requirePermission(request, permission);
  return requireFreshLogin(request);
}

/** The signed-in user must hold `role` (prefer requirePermission: roles change, permissions say what is needed). */
export async function requireRole(request: Request, role: string): Promise<CurrentUser> {
  const user = await requireUser(request);
  if (!hasRole(user, role)) throw forbidden();
  return user;
}
