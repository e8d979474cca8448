import { recordRefusedUse, recordTokenUse, scopesOf, verifyApiToken } from "~/api/api-tokens.server";
import type { ApiScope } from "~/api/scopes";
import { getConfig } from "~/config.server";
import type { SessionRow } from "~/db.server";
import { findAccess } from "~/users/roles.server";
import type { PublicUser } from "~/users/users.server";
import type { Access } from "./permissions";
import { readSessionIdFromCookie, serializeSessionCookie, clearSessionCookie } from "./session-cookie.server";
import { applySessionProtection } from "./session-protection.server";
import { endRotationGrace, findActiveSession, findRotatedSession, touchSession, type ClientInfo } from "./sessions.server";

/**
 * Who is asking: worked out once per HTTP request, at the server's boundary,
 * before any loader or action runs (Flask-Login's `_load_user`). The result
 * travels to every loader and action of the request in the load context
 * (`context.identity`), and the guards are plain checks over it.
 *
 * The work is a short chain of credential resolvers, tried in order; the first
 * that recognises a credential in the request decides (Flask-Login's
 * `user_loader` and `request_loader`): the session cookie for pages, a bearer
 * token for the JSON API under /api/ (and only there: cookies are not accepted
 * there, tokens nowhere else). A new kind of credential is one more resolver.
 *
 * This module sees only web-standard values (a Headers object, the client
 * address, the path), so it does not care which HTTP server calls it.
 */

/** The signed-in user with their roles and permissions, as read at this request. */
export type CurrentUser = PublicUser & Access;

/** A browser signed in with the session cookie. */
export type SessionIdentity = {
  credential: "session";
  user: CurrentUser;
  /** The browser session behind the cookie. */
  session: SessionRow;
  /** The id that names the session now: the cookie's, or the new one when the cookie held an id rotated away moments ago. */
  sessionId: string;
};

/** A script or app calling the API with a personal token (`Authorization: Bearer rak_…`). */
export type TokenIdentity = {
  credential: "token";
  user: CurrentUser;
  token: { id: number; user_id: number; name: string; scopes: ApiScope[] };
};

/** A signed-in request, and the credential it proved itself with. */
export type Identity = SessionIdentity | TokenIdentity;

/** What the boundary knows about a request; `now` is injectable for tests. */
export type IdentityRequest = {
  path: string;
  headers: Pick<Headers, "get">;
  client: ClientInfo;
  now?: number;
};

/** The identity (null: anonymous) and the cookies the response must carry (a cleared or slid session cookie). */
export type IdentityResult = { identity: Identity | null; setCookies: string[] };

/**
 * A credential resolver: `undefined` when the request carries none of its
 * credential (the next resolver is asked); otherwise its verdict, which ends
 * the chain (a forged, expired or revoked credential is just anonymous).
 */
export type CredentialResolver = (request: IdentityRequest, now: number) => Promise<IdentityResult | undefined>;

const anonymous = (): IdentityResult => ({ identity: null, setCookies: [] });

/**
 * The session cookie: the session row (alive, not idle, not expired), its
 * active user and their roles and permissions in one read, then session
 * protection, then the touch (last seen, at most once a minute) and, with
 * REMEMBER_COOKIE_REFRESH_EACH_REQUEST, the sliding remember-me cookie. An id
 * rotated away moments ago counts during its grace (sessions.server.ts), and
 * the answer carries the new id again.
 */
export const sessionCookieResolver: CredentialResolver = async (request, now) => {
  if (isApiPath(request.path)) return undefined;
  const sid = await readSessionIdFromCookie(request.headers.get("Cookie"));
  if (!sid) return undefined;
  let active = await findActiveSession(sid, now);
  // Not a live id: perhaps one rotated away a moment ago whose new cookie never arrived (its grace).
  const rotated = active ? null : await findRotatedSession(sid, now);
  active ??= rotated;
  if (!active) return anonymous();
  const protection = await applySessionProtection(active.session, request.client, now);
  if (protection === "ended") return { identity: null, setCookies: [await clearSessionCookie()] };
  let session = protection === "made-stale" ? { ...active.session, fresh_at: null } : active.session;
  await Promise.all([touchSession(session, now), rotated ? undefined : endRotationGrace(session)]);
  // The new id was used: the grace is over, for what this request does next too (rotateSession looks at it).
  if (!rotated && session.previous_id_hash !== null) session = { ...session, previous_id_hash: null, rotated_at: null, next_id_sealed: null };
  const { access } = active;
  const { id, email, name, active: isActive, created_at, language } = active.user;
  const setCookies = rotated
    ? [await serializeSessionCookie(rotated.id, session.remember === 1)]
    : session.remember === 1 && getConfig().rememberCookieRefreshEachRequest
      ? [await serializeSessionCookie(sid, true)]
      : [];
  const user = { id, email, name, active: isActive, created_at, language, ...access };
  return { identity: { credential: "session", user, session, sessionId: rotated ? rotated.id : sid }, setCookies };
};

/** The JSON API's paths: bearer tokens only, no cookies, no same-origin check. */
export function isApiPath(path: string): boolean {
  return path === "/api" || path.startsWith("/api/");
}

/** `Authorization: Bearer <token>`: the token, or null when the header is absent or another scheme. */
export function bearerToken(headers: Pick<Headers, "get">): string | null {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(headers.get("Authorization") ?? "");
  return match ? match[1]! : null;
}

/**
 * A personal API token, on /api/ paths only: the token row and its active user
 * in one read (the secret compared in constant time), then roles, then the
 * note of its use (at most a write a minute). A token that is refused although
 * its lookup id is real (revoked, expired) is logged for its owner.
 */
export const bearerTokenResolver: CredentialResolver = async (request, now) => {
  if (!isApiPath(request.path)) return undefined;
  const presented = bearerToken(request.headers);
  if (presented === null) return anonymous();
  const check = await verifyApiToken(presented, now);
  if (!check.ok) {
    if (check.token) await recordRefusedUse(check.token, check.reason, request.client, now);
    return anonymous();
  }
  const [access] = await Promise.all([findAccess(check.user.id), recordTokenUse(check.token, request.client, now)]);
  const { id, user_id, name } = check.token;
  return {
    identity: { credential: "token", user: { ...check.user, ...access }, token: { id, user_id, name, scopes: scopesOf(check.token) } },
    setCookies: [],
  };
};

const resolvers: CredentialResolver[] = [bearerTokenResolver, sessionCookieResolver];

/** Runs the resolver chain for one request. Called once per HTTP request, by the server. */
export async function resolveIdentity(request: IdentityRequest): Promise<IdentityResult> {
  const now = request.now ?? Date.now();
  for (const resolve of resolvers) {
    const result = await resolve(request, now);
    if (result) return result;
  }
  return anonymous();
}
