import type { Transaction } from "kysely";
import { type DB, db } from "~/db.server";
import { randomBelow, randomBytes } from "~/utils/crypto.server";
import type { Database } from "../../db/schema";
import { decryptSecretBytes, encryptSecret, keyedHash, legacySessionSecretKeys } from "./secret-box.server";

/**
 * Recovery codes: ten single-use codes that stand in for the authenticator app.
 * Shown once; stored as HMAC-SHA256 under a random key of the user's own, which
 * is kept encrypted with ENCRYPTION_KEY (see
 * docs/decisions/006-two-factor-and-brute-force-protection.md for why not plain
 * SHA-256 or bcrypt, and 009 for why a key per user).
 */

export const RECOVERY_CODE_COUNT = 10;
/** No 0/o, 1/l/i: easy to read back from paper. */
const ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
const HALF = 5;

export function generateRecoveryCode(): string {
  let code = "";
  for (let i = 0; i < HALF * 2; i++) code += ALPHABET[randomBelow(ALPHABET.length)];
  return `${code.slice(0, HALF)}-${code.slice(HALF)}`;
}

/** The canonical form of a typed recovery code (case, spaces and dashes ignored), or null when it cannot be one. */
export function normalizeRecoveryCode(input: string): string | null {
  const code = input.toLowerCase().replace(/[\s-]/g, "");
  if (code.length !== HALF * 2 || [...code].some((c) => !ALPHABET.includes(c))) return null;
  return code;
}

const keyContext = (userId: number) => `recovery-codes:user:${userId}`;

/**
 * The hashes a typed code may be stored under for this user: under their own key,
 * or (codes from before ENCRYPTION_KEY, when they have no key yet) under each SESSION_SECRET.
 */
async function hashesOf(userId: number, code: string): Promise<string[]> {
  const row = await db.selectFrom("recovery_code_keys").select("key_encrypted").where("user_id", "=", userId).executeTakeFirst();
  if (!row) return legacySessionSecretKeys("recovery-code").map((key) => keyedHash(key, code));
  const opened = decryptSecretBytes(row.key_encrypted, keyContext(userId));
  if (!opened) return [];
  if (opened.rotated) await reencryptRecoveryKey(userId, row.key_encrypted, opened.plaintext);
  return [keyedHash(opened.plaintext, code)];
}

/** Writes a user's recovery-code key again under the current ENCRYPTION_KEY (unless it changed meanwhile). */
export async function reencryptRecoveryKey(userId: number, sealed: string, key: Uint8Array): Promise<boolean> {
  const result = await db
    .updateTable("recovery_code_keys")
    .set({ key_encrypted: encryptSecret(key, keyContext(userId)) })
    .where("user_id", "=", userId)
    .where("key_encrypted", "=", sealed)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Opens a stored recovery-code key (for the re-encryption command); null when no configured key opens it. */
export function openRecoveryKey(userId: number, sealed: string) {
  return decryptSecretBytes(sealed, keyContext(userId));
}

/** Replaces a user's recovery codes with a new set (the old set dies) and returns the new codes, for showing once. */
export async function replaceRecoveryCodes(
  userId: number,
  { now = Date.now(), trx }: { now?: number; trx?: Transaction<Database> | DB } = {},
): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  // A new key with every new set: nothing of the old set can be checked any more.
  const key = randomBytes(32);
  const keyEncrypted = encryptSecret(key, keyContext(userId));
  const write = async (t: Transaction<Database> | DB) => {
    await t.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
    await t
      .insertInto("recovery_code_keys")
      .values({ user_id: userId, key_encrypted: keyEncrypted, created_at: now })
      .onConflict((oc) => oc.column("user_id").doUpdateSet({ key_encrypted: keyEncrypted, created_at: now }))
      .execute();
    await t
      .insertInto("recovery_codes")
      .values(codes.map((code) => ({ user_id: userId, code_hash: keyedHash(key, normalizeRecoveryCode(code)!), created_at: now })))
      .execute();
  };
  if (trx) await write(trx);
  else await db.transaction().execute(write);
  return codes;
}

/** Uses up a recovery code: true exactly once per code, even for parallel submissions (one DELETE wins). */
export async function consumeRecoveryCode(userId: number, input: string): Promise<boolean> {
  const code = normalizeRecoveryCode(input);
  if (!code) return false;
  const hashes = await hashesOf(userId, code);
  if (hashes.length === 0) return false;
  const result = await db
    .deleteFrom("recovery_codes")
    .where("user_id", "=", userId)
    .where("code_hash", "in", hashes)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function countRecoveryCodes(userId: number): Promise<number> {
  const row = await db
    .selectFrom("recovery_codes")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
