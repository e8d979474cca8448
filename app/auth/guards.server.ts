import { type AppLoadContext, redirect } from "@remix-run/node";
import { requestOrigin } from "~/activity/activity.server";
import { recordRefusedUse } from "~/api/api-tokens.server";
import { insufficientScope, tooManyRequests, unauthorized } from "~/api/responses.server";
import { type ApiScope, scopeAllows } from "~/api/scopes";
import { getConfig } from "~/config.server";
import { redirectWithFlash } from "~/flash.server";
import type { CurrentUser, Identity, SessionIdentity, TokenIdentity } from "./identity.server";
import { hasPermission, hasRole, type Permission } from "./permissions";
import { countRequest, isTooManyAttempts } from "./rate-limit.server";
import { DEFAULT_REDIRECT, requestPath } from "./safe-redirect";
import { isFresh } from "./sessions.server";
import { i18nFor, languageOf } from "~/i18n/i18n.server";

/**
 * The guards every loader and action calls for itself, first thing (Remix
 * runs loaders in parallel, so a parent route protects nothing):
 *
 *   export async function loader({ request, context }: LoaderFunctionArgs) {
 *     const user = await requireUser({ request, context });
 *
 * They are checks over the identity the server resolved once for this HTTP
 * request (identity.server.ts); none of them reads the database, except the
 * API's `requireApiScope` and `requireApiToken`, which also count the request (rate limit).
 */

export type { CurrentUser, Identity };
/** A signed-in request with a browser session. */
export type Auth = SessionIdentity;

/** What a guard needs from a loader's or action's arguments. */
export type GuardArgs = { request: Request; context: Pick<AppLoadContext, "identity"> };

/** The browser session of this request, or null for an anonymous one (pages never see API tokens). */
export function getAuth({ context }: Pick<GuardArgs, "context">): Auth | null {
  return context.identity?.credential === "session" ? context.identity : null;
}

/** The signed-in user, or null. */
export function getUser(args: Pick<GuardArgs, "context">): CurrentUser | null {
  return getAuth(args)?.user ?? null;
}

/** A redirect to the login page that comes back to this request's page afterwards. */
export function loginRedirect(request: Request): Promise<Response> {
  const config = getConfig();
  const url = `/login?redirectTo=${encodeURIComponent(requestPath(request))}`;
  const message = config.loginMessage ?? i18nFor(languageOf(request)).t("login.required");
  return redirectWithFlash(url, { category: config.loginMessageCategory, message });
}

/** The signed-in user and session; anonymous requests are sent to log in (and brought back). */
export async function requireAuth(args: GuardArgs): Promise<Auth> {
  const auth = getAuth(args);
  if (!auth) throw await loginRedirect(args.request);
  return auth;
}

/** The signed-in user; anonymous requests are sent to log in (and brought back). */
export async function requireUser(args: GuardArgs): Promise<CurrentUser> {
  return (await requireAuth(args)).user;
}

/** For pages only anonymous visitors need (login, register): signed-in users go to the dashboard. */
export async function requireAnonymous(args: GuardArgs): Promise<void> {
  if (getAuth(args)) throw redirect(DEFAULT_REDIRECT);
}

/** A redirect to /reauthenticate that comes back to this request's page, with the NEEDS_REFRESH_MESSAGE flash. */
export function reauthenticateRedirect(request: Request, user: { language?: string | null } | null = null): Promise<Response> {
  const config = getConfig();
  const url = `/reauthenticate?redirectTo=${encodeURIComponent(requestPath(request))}`;
  const message = config.needsRefreshMessage ?? i18nFor(languageOf(request, user)).t("reauth.required");
  return redirectWithFlash(url, { category: config.needsRefreshMessageCategory, message });
}

/**
 * Flask-Login's `fresh_login_required`, for sensitive routes: the user must have
 * entered their password in this session within FRESH_LOGIN_MAX_AGE. A
 * remember-me session is never fresh by itself. Anonymous requests go to log in.
 */
export async function requireFreshLogin(args: GuardArgs): Promise<Auth> {
  const auth = await requireAuth(args);
  if (!isFresh(auth.session)) throw await reauthenticateRedirect(args.request, auth.user);
  return auth;
}

/** The 403 page: signed in, but without the role or permission the route needs. */
export function forbidden(): Response {
  return new Response("You do not have permission to see this page.", { status: 403, statusText: "Forbidden" });
}

/**
 * What the action of a signed-in screen that takes no form throws after its
 * guard. Without an action, Remix would answer any POST with 405 before a
 * guard ran; with it, a visitor is sent to log in (and a user without the
 * permission gets 403) whatever the method Remix takes, and only then is it 405.
 *
 *   export async function action({ request, context }: ActionFunctionArgs) {
 *     await requireUser({ request, context });
 *     throw noFormHere();
 *   }
 */
export function noFormHere(): Response {
  return new Response("error.noForm", { status: 405, statusText: "Method Not Allowed", headers: { Allow: "GET, HEAD" } });
}

/**
 * Flask-Principal's `Permission(...).require()` for a route: the signed-in user
 * must hold `permission` through one of their roles. Anonymous requests go to
 * log in; a signed-in user without it gets 403.
 *
 *   const admin = await requirePermission({ request, context }, "users:write");
 */
export async function requirePermission(args: GuardArgs, permission: Permission): Promise<CurrentUser> {
  const user = await requireUser(args);
  if (!hasPermission(user, permission)) throw forbidden();
  return user;
}

/**
 * For admin writes: the user must hold `permission` (else 403) and have entered
 * their password within FRESH_LOGIN_MAX_AGE (else 302 to /reauthenticate), so
 * a stolen remember-me cookie alone cannot create, change or delete users.
 *
 *   const { user: admin } = await requireFreshPermission({ request, context }, "users:write");
 */
export async function requireFreshPermission(args: GuardArgs, permission: Permission): Promise<Auth> {
  await requirePermission(args, permission);
  return requireFreshLogin(args);
}

/** The signed-in user must hold `role` (prefer requirePermission: roles change, permissions say what is needed). */
export async function requireRole(args: GuardArgs, role: string): Promise<CurrentUser> {
  const user = await requireUser(args);
  if (!hasRole(user, role)) throw forbidden();
  return user;
}

/** What the API guard needs: the identity, and the client address for the per-address limit. */
export type ApiGuardArgs = { request: Request; context: Pick<AppLoadContext, "identity" | "clientIp"> };

/**
 * The guard of every /api/ loader and action: the request is counted (429 with
 * Retry-After over API_RATE_LIMIT per token or API_IP_RATE_LIMIT per address),
 * then it needs a valid bearer token (else 401 with WWW-Authenticate: Bearer,
 * never a redirect) that holds `scope` (else 403 naming it, logged for the
 * token's owner). Every answer is JSON.
 *
 *   const { user } = await requireApiScope({ request, context }, "notes:read");
 */
export async function requireApiScope(args: ApiGuardArgs, scope: ApiScope): Promise<TokenIdentity> {
  const identity = await requireApiToken(args);
  if (!scopeAllows(identity.token.scopes, scope)) {
    await recordRefusedUse(identity.token, `missing scope ${scope}`, requestOrigin(args.request, args.context));
    throw insufficientScope(scope);
  }
  return identity;
}

/** requireApiScope without a scope: counted, then any valid token (the guard of the 404 for unknown /api paths). */
export async function requireApiToken(args: ApiGuardArgs): Promise<TokenIdentity> {
  const identity = args.context.identity?.credential === "token" ? args.context.identity : null;
  const origin = requestOrigin(args.request, args.context);
  try {
    await countRequest("api", { account: identity ? `token:${identity.token.id}` : null, address: origin.ip }, origin);
  } catch (error) {
    if (isTooManyAttempts(error)) throw tooManyRequests(error);
    throw error;
  }
  if (!identity) throw unauthorized(args.request.headers.has("Authorization"));
  return identity;
}
