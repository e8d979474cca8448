import type { ActivityOrigin } from "~/activity/activity.server";
import { db, type ApiTokenRow, type DB, type User } from "~/db.server";
import { announce } from "~/events/events.server";
import { type ApiScope, expiryTime, type TokenExpiry } from "./scopes";

/**
 * Personal API tokens: `rak_<lookup id>_<secret>`, 64 bits of lookup id and 256
 * bits of secret, made with WebCrypto. The database keeps the lookup id (to
 * find the row) and the secret's SHA-256 (a high-entropy secret needs no slow
 * hash); the token itself is shown once. Checking a token costs the same
 * whether its lookup id exists or not, and the hashes are compared in
 * constant time, so an answer reveals only "valid" or "not valid".
 */

export const TOKEN_PREFIX = "rak_";
const TOKEN_SHAPE = /^rak_([0-9a-f]{16})_([0-9a-f]{64})$/;
/** How many live tokens one account may hold. */
export const MAX_TOKENS_PER_USER = 50;
/** last_used_at is written at most this often per token (and when the address changes). */
export const TOKEN_TOUCH_INTERVAL_MS = 60_000;
/** A refused use of a token is logged at most this often per token, so a broken script cannot flood the log. */
export const REFUSAL_LOG_INTERVAL_MS = 10 * 60_000;
/** Revoked and expired rows are kept this long (a late use is still logged as refused), then removed. */
const RETENTION_MS = 30 * 86_400_000;

export class TooManyTokensError extends Error {
  override name = "TooManyTokensError";
  constructor() {
    super(`You have ${MAX_TOKENS_PER_USER} tokens. Revoke one you no longer use first.`);
  }
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function randomHex(bytes: number): string {
  return toHex(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** SHA-256 of a token's secret part, hex. */
export async function hashTokenSecret(secret: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret))));
}

/** Compares two strings in time that depends only on their length (which is public: hashes are all 64 characters). */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** The lookup id and secret of a well-formed token; null for anything else. */
export function parseApiToken(token: string): { lookupId: string; secret: string } | null {
  const match = TOKEN_SHAPE.exec(token);
  return match ? { lookupId: match[1]!, secret: match[2]! } : null;
}

export function scopesOf(row: Pick<ApiTokenRow, "scopes">): ApiScope[] {
  return row.scopes.split(" ").filter(Boolean) as ApiScope[];
}

/** Why a token is not accepted; `invalid` covers malformed, unknown and altered tokens. */
export type TokenRefusal = "invalid" | "expired" | "revoked" | "inactive";

export type TokenCheck =
  | { ok: true; token: ApiTokenRow; user: Pick<User, "id" | "email" | "name" | "active" | "created_at"> }
  /** `token` is set when the lookup id named a real token (the refusal can be logged for its owner). */
  | { ok: false; reason: TokenRefusal; token?: ApiTokenRow };

/** A hash no secret has, compared against when the lookup id is unknown, so that case takes as long as a wrong secret. */
const NO_SUCH_HASH = "0".repeat(64);

/** Checks a presented token at `now`: well-formed, known, the secret right, not revoked or expired, its user active. */
export async function verifyApiToken(presented: string, now = Date.now()): Promise<TokenCheck> {
  const parsed = parseApiToken(presented);
  if (!parsed) return { ok: false, reason: "invalid" };
  // The user's public fields only: a token never needs the password hash.
  const row = await db
    .selectFrom("api_tokens")
    .innerJoin("users", "users.id", "api_tokens.user_id")
    .selectAll("api_tokens")
    .select(["users.email", "users.name as user_name", "users.active", "users.created_at as user_created_at"])
    .where("api_tokens.lookup_id", "=", parsed.lookupId)
    .executeTakeFirst();
  const secretHash = await hashTokenSecret(parsed.secret);
  const matches = constantTimeEqual(secretHash, row?.secret_hash ?? NO_SUCH_HASH);
  if (!row || !matches) return { ok: false, reason: "invalid" };
  const { email, user_name: name, active, user_created_at: created_at, ...token } = row;
  if (token.revoked_at !== null) return { ok: false, reason: "revoked", token };
  if (token.expires_at !== null && now >= token.expires_at) return { ok: false, reason: "expired", token };
  if (active !== 1) return { ok: false, reason: "inactive", token };
  return { ok: true, token, user: { id: token.user_id, email, name, active, created_at } };
}

/**
 * Creates a token for the user and returns it (the only time it exists in
 * clear) with its row; records `api_token_created`.
 */
export async function createApiToken(
  userId: number,
  input: { name: string; scopes: ApiScope[]; expiresIn: TokenExpiry },
  origin: ActivityOrigin,
  now = Date.now(),
): Promise<{ token: string; row: ApiTokenRow }> {
  const lookupId = randomHex(8);
  const secret = randomHex(32);
  const row = await db.transaction().execute(async (trx) => {
    const live = await trx
      .selectFrom("api_tokens")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
      .executeTakeFirstOrThrow();
    if (Number(live.n) >= MAX_TOKENS_PER_USER) throw new TooManyTokensError();
    return trx
      .insertInto("api_tokens")
      .values({
        user_id: userId,
        name: input.name,
        lookup_id: lookupId,
        secret_hash: await hashTokenSecret(secret),
        scopes: [...new Set(input.scopes)].join(" "),
        created_at: now,
        expires_at: expiryTime(input.expiresIn, now),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  await announce(
    {
      type: "api_token_created",
      actorId: userId,
      details: { token: row.name, scopes: row.scopes, expires: row.expires_at === null ? "never" : new Date(row.expires_at).toISOString() },
    },
    origin,
    { now },
  );
  return { token: `${TOKEN_PREFIX}${lookupId}_${secret}`, row };
}

/** What the token list shows (the token page and the admin user page). */
export type ApiTokenView = {
  id: number;
  name: string;
  scopes: ApiScope[];
  createdAt: number;
  expiresAt: number | null;
  expired: boolean;
  lastUsedAt: number | null;
  lastUsedIp: string | null;
};

/** A user's tokens that are not revoked (expired ones included, marked), newest first. */
export async function listApiTokens(userId: number, now = Date.now()): Promise<ApiTokenView[]> {
  const rows = await db
    .selectFrom("api_tokens")
    .selectAll()
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .orderBy("id", "desc")
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    scopes: scopesOf(row),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    expired: row.expires_at !== null && now >= row.expires_at,
    lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip,
  }));
}

/**
 * Revokes one of the user's tokens (by the user, or an admin: `actorId`);
 * records `api_token_revoked`. False when the user has no such live token.
 */
export async function revokeApiToken(
  { userId, tokenId, actorId }: { userId: number; tokenId: number; actorId: number },
  origin: ActivityOrigin,
  now = Date.now(),
): Promise<boolean> {
  const row = await db
    .updateTable("api_tokens")
    .set({ revoked_at: now })
    .where("id", "=", tokenId)
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .returning(["name"])
    .executeTakeFirst();
  if (!row) return false;
  await announce({ type: "api_token_revoked", actorId, subjectId: userId, details: { token: row.name } }, origin, { now });
  return true;
}

/** Revokes every live token of a user (deactivation, an admin ending all sessions), inside the caller's transaction; returns how many. */
export async function revokeApiTokensOfUser(executor: DB, userId: number, now = Date.now()): Promise<number> {
  const result = await executor
    .updateTable("api_tokens")
    .set({ revoked_at: now })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Notes a successful use: last used time and address, written at most once a
 * minute unless the address changed; a first use from an address this token
 * never came from is logged (`api_token_new_address`).
 */
export async function recordTokenUse(token: ApiTokenRow, origin: ActivityOrigin, now = Date.now()): Promise<void> {
  const ip = origin.ip.slice(0, 64);
  const sameAddress = token.last_used_ip === ip;
  if (sameAddress && token.last_used_at !== null && now - token.last_used_at < TOKEN_TOUCH_INTERVAL_MS) return;
  await db.updateTable("api_tokens").set({ last_used_at: now, last_used_ip: ip }).where("id", "=", token.id).execute();
  if (sameAddress) return;
  const inserted = await db
    .insertInto("api_token_addresses")
    .values({ token_id: token.id, ip, first_used_at: now })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return;
  await announce(
    { type: "api_token_new_address", actorId: token.user_id, details: { token: token.name, first: token.last_used_at === null } },
    origin,
    { now },
  );
}

/**
 * Logs a refused use of a real token (revoked, expired, a missing scope) for
 * its owner, at most once per REFUSAL_LOG_INTERVAL_MS per token: the claim
 * on the row is atomic, so only one process writes the entry.
 */
export async function recordRefusedUse(
  token: Pick<ApiTokenRow, "id" | "user_id" | "name">,
  reason: string,
  origin: ActivityOrigin,
  now = Date.now(),
): Promise<boolean> {
  const claimed = await db
    .updateTable("api_tokens")
    .set({ refusal_logged_at: now })
    .where("id", "=", token.id)
    .where((eb) => eb.or([eb("refusal_logged_at", "is", null), eb("refusal_logged_at", "<=", now - REFUSAL_LOG_INTERVAL_MS)]))
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) return false;
  await announce({ type: "api_token_refused", actorId: null, subjectId: token.user_id, details: { token: token.name, reason } }, origin, { now });
  return true;
}

/** Housekeeping: removes tokens revoked or expired more than RETENTION_MS ago. */
export async function deleteStaleApiTokens(now = Date.now()): Promise<number> {
  const before = now - RETENTION_MS;
  const result = await db
    .deleteFrom("api_tokens")
    .where((eb) => eb.or([eb("revoked_at", "<=", before), eb("expires_at", "<=", before)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
