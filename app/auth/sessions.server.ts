import { getConfig } from "~/config.server";
import type { CompiledQuery, InferResult } from "kysely";
import { databaseDialect, db, type DB, deleteInBatches, type Dialect, type SessionRow, type User } from "~/db.server";
import { parseNames, permissionNamesOf, roleNamesOf } from "~/users/roles.server";
import { decodeBase64url, encodeBase64url } from "~/utils/base64url";
import { hmacSha256, randomToken, sha256Hex } from "~/utils/crypto.server";
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
  return randomToken(12);
}

export function newSessionId(): string {
  return randomToken();
}

export function hashSessionId(id: string): string {
  return sha256Hex(id);
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
    previous_id_hash: null,
    rotated_at: null,
    next_id_sealed: null,
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
 * single query (the session joined to its user, the roles and permissions
 * gathered into one list each, so it is one row) compiled once per process,
 * not rebuilt by the query builder per request.
 */
export async function findActiveSession(id: string, now = Date.now()): Promise<ActiveSession | null> {
  const query = activeSessionQuery();
  const parameters = [hashSessionId(id), ...query.parameters.slice(1)];
  const { rows } = await db.executeQuery<ActiveSessionRow>({ ...query, parameters });
  const row = rows[0];
  if (!row || sessionEndReason(row, now)) return null;
  const { email, name, password_hash, active, user_created_at, updated_at, email_confirmed_at, language, roles, permissions, ...session } = row;
  const user: User = { id: session.user_id, email, name, password_hash, active, created_at: user_created_at, updated_at, email_confirmed_at, language };
  return { session, user, access: { roles: parseNames(roles), permissions: parseNames(permissions) } };
}

function buildActiveSessionQuery(executor: DB) {
  return executor
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .selectAll("sessions")
    .select([
      "users.email",
      "users.name",
      "users.password_hash",
      "users.active",
      "users.created_at as user_created_at",
      "users.updated_at",
      "users.email_confirmed_at",
      "users.language",
      roleNamesOf("users.id").as("roles"),
      permissionNamesOf("users.id").as("permissions"),
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
  const hash = hashSessionId(id);
  // A previous id in its rotation grace names the session too (a logout from the browser that missed the new cookie).
  await db
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("id_hash", "=", hash), eb("previous_id_hash", "=", hash)]))
    .execute();
}

/**
 * Ends every session of a user, except (optionally) one, named by its public
 * id: unlike its id, that never changes, so a rotation at the same moment cannot make it miss.
 */
export async function deleteSessionsOfUser(userId: number, { exceptPublicId }: { exceptPublicId?: string } = {}): Promise<number> {
  let query = db.deleteFrom("sessions").where("user_id", "=", userId);
  if (exceptPublicId) query = query.where("public_id", "!=", exceptPublicId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Removes sessions that can never be used again (past their expiry, or idle).
 * Deletes in batches by indexed columns (deleteInBatches), so a large
 * backlog never stalls requests.
 */
export async function deleteExpiredSessions(now = Date.now(), { batchSize = 500 }: { batchSize?: number } = {}): Promise<number> {
  const idleBefore = now - getConfig().sessionIdleTimeout;
  return deleteInBatches(batchSize, () =>
    db
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
      .executeTakeFirstOrThrow(),
  );
}

/** How long a rotated-away session id keeps working, until the browser shows up with the new one. */
export const ROTATION_GRACE_MS = 60_000;

/** XOR of a 32-byte session id with a key stream only the holder of the previous id can make. */
function sealUnder(previousId: string, id: string): string {
  const pad = hmacSha256(previousId, "session rotation");
  const bytes = decodeBase64url(id);
  if (bytes?.length !== pad.length) throw new Error("a session id is 32 bytes");
  return encodeBase64url(bytes.map((byte, i) => byte ^ pad[i]!));
}

/**
 * Gives a session a new id (the old cookie value stops working as soon as the
 * browser uses the new one) and, with `fresh`, marks it fresh: the password
 * was just entered. Used by reauthentication and password changes. With
 * `client`, the session's fingerprint (SESSION_PROTECTION) becomes the current
 * browser's: the user has just proved who they are from it.
 *
 * `presentedId` is the id that names the session for this request (the
 * identity's `sessionId`: the cookie's, or the new id an id in its grace led
 * to). When it is this session's, it keeps a grace of ROTATION_GRACE_MS: the
 * response carrying the new cookie can be lost (the user clicked away while it
 * was on its way), and losing it must not sign the user out.
 * `findRotatedSession` honours it.
 *
 * A session is never rotated while the grace of its last rotation is open
 * (its new id unused, less than ROTATION_GRACE_MS ago): the id it got moments
 * ago, after the same proof, stays, and is only marked fresh again. A chain of
 * rotations would leave a grace for the last previous id only, so of two
 * submits from one page (a double click), the answer the browser kept could
 * name a dead id. Two requests at the same moment both try: the first one
 * wins, and the second answers with the first one's new id (found through its
 * grace). Null when the session changed meanwhile and no id can be found (it
 * ended): the answer then sets no cookie.
 */
export async function rotateSession(
  session: SessionRow,
  { fresh, client, presentedId, now = Date.now() }: { fresh: boolean; client?: ClientInfo; presentedId?: string | null; now?: number },
): Promise<string | null> {
  const grace = presentedId && hashSessionId(presentedId) === session.id_hash;
  const proof = { ...(fresh ? { fresh_at: now } : {}), ...(client ? { user_agent: client.userAgent.slice(0, 512), ip: client.ip.slice(0, 64) } : {}) };
  if (grace && inRotationGrace(session, now)) {
    await db.updateTable("sessions").set({ ...proof, last_seen_at: now }).where("id_hash", "=", session.id_hash).execute();
    return presentedId;
  }
  const id = newSessionId();
  const result = await db
    .updateTable("sessions")
    .set({
      id_hash: hashSessionId(id),
      ...proof,
      last_seen_at: now,
      previous_id_hash: grace ? session.id_hash : null,
      rotated_at: grace ? now : null,
      next_id_sealed: grace ? sealUnder(presentedId, id) : null,
    })
    .where("id_hash", "=", session.id_hash)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) > 0) return id;
  // Rotated meanwhile by a concurrent request: its new id, through its grace (which no rotation ends early, see above).
  const rotated = presentedId ? await findRotatedSession(presentedId, now) : null;
  if (!rotated) return null;
  await db.updateTable("sessions").set(proof).where("id_hash", "=", rotated.session.id_hash).execute();
  return rotated.id;
}

/** The session's last rotation is less than ROTATION_GRACE_MS ago and its new id is unused: the previous id still leads to it. */
function inRotationGrace(session: SessionRow, now: number): boolean {
  return session.previous_id_hash !== null && session.rotated_at !== null && now - Number(session.rotated_at) < ROTATION_GRACE_MS;
}

/**
 * A session id that was rotated away less than ROTATION_GRACE_MS ago, and whose
 * new id the browser has not used yet: the live session under its new id, and
 * that id (to send the browser again). Null otherwise, as for any unknown id.
 */
export async function findRotatedSession(presentedId: string, now = Date.now()): Promise<(ActiveSession & { id: string }) | null> {
  const row = await db
    .selectFrom("sessions")
    .select(["id_hash", "rotated_at", "next_id_sealed"])
    .where("previous_id_hash", "=", hashSessionId(presentedId))
    .executeTakeFirst();
  if (!row?.next_id_sealed || row.rotated_at === null || now - row.rotated_at >= ROTATION_GRACE_MS) return null;
  let id: string;
  try {
    id = sealUnder(presentedId, row.next_id_sealed);
  } catch {
    return null;
  }
  if (hashSessionId(id) !== row.id_hash) return null;
  const active = await findActiveSession(id, now);
  return active && { ...active, id };
}

/** The browser has shown the new id: the previous one stops working now, not at the end of its grace. */
export async function endRotationGrace(session: SessionRow): Promise<void> {
  if (session.previous_id_hash === null) return;
  await db
    .updateTable("sessions")
    .set({ previous_id_hash: null, rotated_at: null, next_id_sealed: null })
    .where("id_hash", "=", session.id_hash)
    .execute();
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
