import { db, type AccountToken, type DB, deleteInBatches, type User } from "~/db.server";
import { randomToken, sha256Hex } from "~/utils/crypto.server";

/**
 * One-time tokens sent by email. The link carries 256 random bits; the
 * database keeps only their SHA-256. A token works once, until it expires,
 * and only while it is the newest of its kind for its user: issuing a new one
 * revokes the older ones. Every token also dies with any password change (it
 * is bound to the password hash it was issued under), a reset or confirmation
 * token with any change of the address it was sent to, and every one of them
 * when the password is changed or reset or an admin moves the account
 * (revokeAccountLinks), so a link asked for by someone else cannot outlive
 * the owner taking the account back.
 */

export type TokenPurpose = "password_reset" | "email_confirmation" | "email_change";

/** Every kind of link that acts on an account. */
export const ACCOUNT_LINK_PURPOSES: TokenPurpose[] = ["password_reset", "email_confirmation", "email_change"];

/** Why a token cannot be used. `invalid` covers unknown, altered and malformed tokens. */
export type TokenProblem = "invalid" | "used" | "expired" | "superseded";

export type TokenCheck = { ok: true; token: AccountToken; user: User } | { ok: false; problem: TokenProblem };

/** Used and expired rows are kept this long, so an old link still gets a precise message. */
const RETENTION_MS = 7 * 86_400_000;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): string {
  return sha256Hex(token);
}

/** Binds a token to the password it was issued under: any change of the hash voids the token. */
export function passwordFingerprint(passwordHash: string): string {
  return sha256Hex(passwordHash);
}

/** Creates a token for `user` (revoking the older ones of the same purpose) and returns it; only its hash is stored. */
export async function issueToken(
  user: Pick<User, "id" | "password_hash">,
  purpose: TokenPurpose,
  { email, maxAge, now = Date.now() }: { email: string; maxAge: number; now?: number },
): Promise<string> {
  const token = randomToken();
  await db.transaction().execute(async (trx) => {
    await revokeTokens(trx, user.id, [purpose], now);
    await trx.deleteFrom("account_tokens").where("expires_at", "<", now - RETENTION_MS).execute();
    await trx
      .insertInto("account_tokens")
      .values({
        user_id: user.id,
        purpose,
        token_hash: hashToken(token),
        email,
        password_fingerprint: passwordFingerprint(user.password_hash),
        created_at: now,
        expires_at: now + maxAge,
      })
      .execute();
  });
  return token;
}

/** Looks a token up for one of `purposes` and says whether it can be used at `now`. Changes nothing. */
export async function checkToken(token: string, purposes: TokenPurpose[], now = Date.now()): Promise<TokenCheck> {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, problem: "invalid" };
  const row = await db
    .selectFrom("account_tokens")
    .selectAll()
    .where("token_hash", "=", hashToken(token))
    .where("purpose", "in", purposes)
    .executeTakeFirst();
  if (!row) return { ok: false, problem: "invalid" };
  if (row.used_at !== null) return { ok: false, problem: "used" };
  if (row.revoked_at !== null) return { ok: false, problem: "superseded" };
  if (now >= row.expires_at) return { ok: false, problem: "expired" };
  const user = await db.selectFrom("users").selectAll().where("id", "=", row.user_id).executeTakeFirst();
  if (!user || !user.active) return { ok: false, problem: "invalid" };
  // Rows from before every purpose was bound (email links, issued by older versions) have no fingerprint.
  if (row.password_fingerprint !== null && row.password_fingerprint !== passwordFingerprint(user.password_hash)) {
    return { ok: false, problem: "superseded" };
  }
  if (row.purpose !== "email_change" && row.email !== user.email) return { ok: false, problem: "superseded" };
  return { ok: true, token: row, user };
}

/**
 * Marks a checked token used, inside the caller's transaction. False when
 * another request got there first (the token is then spent, not reusable).
 */
export async function markTokenUsed(trx: DB, tokenId: number, now = Date.now()): Promise<boolean> {
  const result = await trx
    .updateTable("account_tokens")
    .set({ used_at: now })
    .where("id", "=", tokenId)
    .where("used_at", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Revokes a user's unused tokens of the given purposes (a newer link was sent, or the account changed under them). */
export async function revokeTokens(trx: DB, userId: number, purposes: TokenPurpose[], now = Date.now()): Promise<void> {
  await trx
    .updateTable("account_tokens")
    .set({ revoked_at: now })
    .where("user_id", "=", userId)
    .where("purpose", "in", purposes)
    .where("used_at", "is", null)
    .where("revoked_at", "is", null)
    .execute();
}

/**
 * Revokes every outstanding link of a user (reset, confirmation, email change),
 * inside the caller's transaction: the password was changed or reset, or an
 * admin moved the account to another address.
 */
export function revokeAccountLinks(trx: DB, userId: number, now = Date.now()): Promise<void> {
  return revokeTokens(trx, userId, ACCOUNT_LINK_PURPOSES, now);
}

/** Cancels the user's pending email change; true when there was one. */
export async function cancelEmailChange(userId: number, now = Date.now()): Promise<boolean> {
  const result = await db
    .updateTable("account_tokens")
    .set({ revoked_at: now })
    .where("user_id", "=", userId)
    .where("purpose", "=", "email_change")
    .where("used_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * After a bcrypt cost upgrade the password is the same, only its hash is new:
 * the user's live links move to the new fingerprint (inside the caller's transaction).
 */
export async function rebindAccountLinks(trx: DB, userId: number, fromHash: string, toHash: string): Promise<void> {
  await trx
    .updateTable("account_tokens")
    .set({ password_fingerprint: passwordFingerprint(toHash) })
    .where("user_id", "=", userId)
    .where("password_fingerprint", "=", passwordFingerprint(fromHash))
    .where("used_at", "is", null)
    .where("revoked_at", "is", null)
    .execute();
}

/** The email change waiting for confirmation, if any: the newest live email_change token's address. */
export async function pendingEmailChange(userId: number, now = Date.now()): Promise<{ email: string; expiresAt: number } | null> {
  const row = await db
    .selectFrom("account_tokens")
    .select(["email", "expires_at"])
    .where("user_id", "=", userId)
    .where("purpose", "=", "email_change")
    .where("used_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .orderBy("id", "desc")
    .executeTakeFirst();
  return row ? { email: row.email, expiresAt: row.expires_at } : null;
}

/**
 * Housekeeping: removes links expired for longer than RETENTION_MS (used,
 * revoked or not: none can be redeemed any more, and an old link has had its
 * precise message for a week), in small batches by the indexed expiry.
 */
export async function deleteExpiredTokens(now = Date.now(), { batchSize = 500 }: { batchSize?: number } = {}): Promise<number> {
  return deleteInBatches(batchSize, () =>
    db
      .deleteFrom("account_tokens")
      .where("id", "in", (eb) => eb.selectFrom("account_tokens").select("id").where("expires_at", "<", now - RETENTION_MS).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
}
