import { createHash, randomBytes } from "node:crypto";
import { getConfig } from "~/config.server";
import type { CompiledQuery, InferResult } from "kysely";
import { databaseDialect, db, type DB, type Dialect, type SessionRow, type User } from "~/db.server";
import type { Access } from "./permissions";
import type { SignInMethod } from "./sign-in-method";

/**
 * Server-side sessions. The browser holds only a random id (256 bits); the
 * database holds its SHA-256, so a leaked database cannot be replayed as
 * cookies. Every rule about a session's life is here and takes `now`, so tests
 * can move the clock.
 */

export type ClientInfo = { userAgent: string; ip: string };
export type ActiveSession = { session: SessionRow; user: User; access: Access };

/** last_seen_at is written at most this often per session, not on every request. */
export const TOUCH_INTERVAL_MS = 60_000;

/**
 * How often last_seen_at is written: once a minute, or a tenth of the idle
 * timeout when that is shorter, so a session in use never looks idle.
 */
export function touchInterval(): number {
  return Math.min(TOUCH_INTERVAL_MS, Math.floor(getConfig().sessionIdleTimeout / 10));
}

/** The public id of a session: what the devices page shows and posts back (96 random bits). */
export function newPublicId(): string {
  return randomBytes(12).toString("base64url");
}

export function newSessionId(): string {
  return randomBytes(32).toString("base64url");
}

export function hashSessionId(id: string): string {
  return createHash("sha256").update(id).digest("hex");
}

export async function createSession(
  userId: number,
  {
    remember,
    client,
    method = "password",
    now = Date.now(),
  }: { remember: boolean; client: ClientInfo; method?: SignInMethod; now?: number },
): Promise<{ id: string; session: SessionRow }> {
  const config = getConfig();
  const id = newSessionId();
  const session: SessionRow = {
    id_hash: hashSessionId(id),
    user_id: userId,
    created_at: now,
    last_seen_at: now,
    expires_at: now + (remember ? config.rememberCookieDuration : config.sessionAbsoluteTimeout),
    remember: remember ? 1 : 0,
    fresh_at: now,
    user_agent: client.userAgent.slice(0, 512),
    ip: client.ip.slice(0, 64),
    public_id: newPublicId(),
    method,
  };
  await db.insertInto("sessions").values(session).execute();
  return { id, session };
}

/**
 * Why a session is over at `now`, or null while it is alive.
 * A remember-me session lives until its expiry and ignores the idle timeout
 * (that is what "remember me" means); any other session ends after
 * SESSION_IDLE_TIMEOUT without a request, or SESSION_ABSOLUTE_TIMEOUT after login.
 */
export function sessionEndReason(session: SessionRow, now: number): "expired" | "idle" | null {
  if (now >= session.expires_at) return "expired";
  if (!session.remember && now - session.last_seen_at >= getConfig().sessionIdleTimeout) return "idle";
  return null;
}

/**
 * The live session for a cookie's id, its active user and the user's roles and
 * permissions, or null: one round trip on every signed-in request, so it is a
 * single query (the session joined to its user and, by left joins, to every
 * role and permission: a row per pair) compiled once per process, not
 * rebuilt by the query builder per request.
 */
export async function findActiveSession(id: string, now = Date.now()): Promise<ActiveSession | null> {
  const query = activeSessionQuery();
  const parameters = [hashSessionId(id), ...query.parameters.slice(1)];
  const { rows } = await db.executeQuery<ActiveSessionRow>({ ...query, parameters });
  const row = rows[0];
  if (!row || sessionEndReason(row, now)) return null;
  const { email, name, password_hash, active, user_created_at, updated_at, email_confirmed_at, role: _r, permission: _p, ...session } = row;
  const user: User = { id: session.user_id, email, name, password_hash, active, created_at: user_created_at, updated_at, email_confirmed_at };
  return { session, user, access: accessOf(rows) };
}

function accessOf(rows: { role: string | null; permission: string | null }[]): Access {
  const roles = new Set<string>();
  const permissions = new Set<string>();
  for (const { role, permission } of rows) {
    if (role) roles.add(role);
    if (permission) permissions.add(permission);
  }
  return { roles: [...roles].sort(), permissions: [...permissions].sort() };
}

function buildActiveSessionQuery(executor: DB) {
  return executor
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .leftJoin("user_roles", "user_roles.user_id", "users.id")
    .leftJoin("roles", "roles.id", "user_roles.role_id")
    .leftJoin("role_permissions", "role_permissions.role_id", "roles.id")
    .leftJoin("permissions", "permissions.id", "role_permissions.permission_id")
    .selectAll("sessions")
    .select([
      "users.email",
      "users.name",
      "users.password_hash",
      "users.active",
      "users.created_at as user_created_at",
      "users.updated_at",
      "users.email_confirmed_at",
      "roles.name as role",
      "permissions.name as permission",
    ])
    .where("sessions.id_hash", "=", "")
    .where("users.active", "=", 1);
}

type ActiveSessionRow = InferResult<ReturnType<typeof buildActiveSessionQuery>>[number];

/** The compiled query, per dialect (placeholders and quoting differ); the id hash is its first parameter, the others are constants. */
const compiledActiveSessionQuery = new Map<Dialect, CompiledQuery>();
function activeSessionQuery(): CompiledQuery {
  const dialect = databaseDialect();
  let compiled = compiledActiveSessionQuery.get(dialect);
  if (!compiled) {
    compiled = buildActiveSessionQuery(db).compile();
    compiledActiveSessionQuery.set(dialect, compiled);
  }
  return compiled;
}

/**
 * Records activity: last_seen_at (at most once a minute) and, with
 * REMEMBER_COOKIE_REFRESH_EACH_REQUEST, slides a remember-me session's expiry.
 * Returns true when the row was written.
 */
export async function touchSession(session: SessionRow, now = Date.now()): Promise<boolean> {
  if (now - session.last_seen_at < touchInterval()) return false;
  const config = getConfig();
  const slide = session.remember === 1 && config.rememberCookieRefreshEachRequest;
  await db
    .updateTable("sessions")
    .set({ last_seen_at: now, ...(slide ? { expires_at: now + config.rememberCookieDuration } : {}) })
    .where("id_hash", "=", session.id_hash)
    .execute();
  return true;
}

export async function deleteSession(id: string): Promise<void> {
  await db.deleteFrom("sessions").where("id_hash", "=", hashSessionId(id)).execute();
}

/** Ends every session of a user, except (optionally) the one whose hash is given. */
export async function deleteSessionsOfUser(userId: number, { exceptIdHash }: { exceptIdHash?: string } = {}): Promise<number> {
  let query = db.deleteFrom("sessions").where("user_id", "=", userId);
  if (exceptIdHash) query = query.where("id_hash", "!=", exceptIdHash);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Removes sessions that can never be used again (past their expiry, or idle).
 * Deletes in batches by indexed columns and yields to the event loop between
 * them, so a large backlog never stalls requests.
 */
export async function deleteExpiredSessions(now = Date.now(), { batchSize = 500 }: { batchSize?: number } = {}): Promise<number> {
  const idleBefore = now - getConfig().sessionIdleTimeout;
  let total = 0;
  for (;;) {
    const result = await db
      .deleteFrom("sessions")
      .where("id_hash", "in", (eb) =>
        eb
          .selectFrom("sessions")
          .select("id_hash")
          .where((w) =>
            w.or([w("expires_at", "<=", now), w.and([w("last_seen_at", "<=", idleBefore), w("remember", "=", 0)])]),
          )
          .limit(batchSize),
      )
      .executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    total += deleted;
    if (deleted < batchSize) return total;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Gives a session a new id (the old cookie value dies) and marks it fresh:
 * the password was just entered. Used by reauthentication. With `client`, the
 * session's fingerprint (SESSION_PROTECTION) becomes the current browser's:
 * the user has just proved who they are from it.
 */
export async function rotateSession(
  session: SessionRow,
  { fresh, client, now = Date.now() }: { fresh: boolean; client?: ClientInfo; now?: number },
): Promise<string> {
  const id = newSessionId();
  await db
    .updateTable("sessions")
    .set({
      id_hash: hashSessionId(id),
      ...(fresh ? { fresh_at: now } : {}),
      ...(client ? { user_agent: client.userAgent.slice(0, 512), ip: client.ip.slice(0, 64) } : {}),
      last_seen_at: now,
    })
    .where("id_hash", "=", session.id_hash)
    .execute();
  return id;
}

/** True while the password was entered less than FRESH_LOGIN_MAX_AGE ago in this session. */
export function isFresh(session: SessionRow, now = Date.now()): boolean {
  return session.fresh_at !== null && now - session.fresh_at < getConfig().freshLoginMaxAge;
}

/** How many of a user's sessions are still alive at `now` (the admin user page shows it). */
export async function countLiveSessions(userId: number, now = Date.now()): Promise<number> {
  const config = getConfig();
  const row = await db
    .selectFrom("sessions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("expires_at", ">", now)
    .where((eb) => eb.or([eb("remember", "=", 1), eb("last_seen_at", ">", now - config.sessionIdleTimeout)]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
