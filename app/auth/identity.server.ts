import { getConfig } from "~/config.server";
import type { SessionRow } from "~/db.server";
import { findAccess } from "~/users/roles.server";
import type { PublicUser } from "~/users/users.server";
import type { Access } from "./permissions";
import { readSessionIdFromCookie, serializeSessionCookie, clearSessionCookie } from "./session-cookie.server";
import { applySessionProtection } from "./session-protection.server";
import { findActiveSession, touchSession, type ClientInfo } from "./sessions.server";

/**
 * Who is asking: worked out once per HTTP request, at the server's boundary,
 * before any loader or action runs (Flask-Login's `_load_user`). The result
 * travels to every loader and action of the request in the load context
 * (`context.identity`), and the guards are plain checks over it.
 *
 * The work is a short chain of credential resolvers, tried in order; the first
 * that recognises a credential in the request decides (Flask-Login's
 * `user_loader` and `request_loader`). Today: the session cookie. A new kind
 * of credential (an API token, a passkey-backed session) is one more resolver.
 *
 * This module sees only web-standard values (a Headers object, the client
 * address, the path), so it does not care which HTTP server calls it.
 */

/** The signed-in user with their roles and permissions, as read at this request. */
export type CurrentUser = PublicUser & Access;

/** A signed-in request, and the credential it proved itself with. */
export type Identity = {
  credential: "session";
  user: CurrentUser;
  /** The browser session behind the cookie. */
  session: SessionRow;
};

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
 * The session cookie: the session row (alive, not idle, not expired) and its
 * active user in one read, then session protection, then roles and
 * permissions, then the touch (last seen, at most once a minute) and, with
 * REMEMBER_COOKIE_REFRESH_EACH_REQUEST, the sliding remember-me cookie.
 */
export const sessionCookieResolver: CredentialResolver = async (request, now) => {
  const sid = await readSessionIdFromCookie(request.headers.get("Cookie"));
  if (!sid) return undefined;
  const active = await findActiveSession(sid, now);
  if (!active) return anonymous();
  const protection = await applySessionProtection(active.session, request.client, now);
  if (protection === "ended") return { identity: null, setCookies: [await clearSessionCookie()] };
  const session = protection === "made-stale" ? { ...active.session, fresh_at: null } : active.session;
  const [access] = await Promise.all([findAccess(active.user.id), touchSession(session, now)]);
  const { id, email, name, active: isActive, created_at } = active.user;
  const setCookies =
    session.remember === 1 && getConfig().rememberCookieRefreshEachRequest ? [await serializeSessionCookie(sid, true)] : [];
  return { identity: { credential: "session", user: { id, email, name, active: isActive, created_at, ...access }, session }, setCookies };
};

const resolvers: CredentialResolver[] = [sessionCookieResolver];

/** Runs the resolver chain for one request. Called once per HTTP request, by the server. */
export async function resolveIdentity(request: IdentityRequest): Promise<IdentityResult> {
  const now = request.now ?? Date.now();
  for (const resolve of resolvers) {
    const result = await resolve(request, now);
    if (result) return result;
  }
  return anonymous();
}
