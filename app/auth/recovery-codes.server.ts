import { randomInt } from "node:crypto";
import type { Transaction } from "kysely";
import { type DB, db } from "~/db.server";
import type { Database } from "../../db/schema";
import { keyedHashes } from "./secret-box.server";

/**
 * Recovery codes: ten single-use codes that stand in for the authenticator app.
 * Shown once; stored as HMAC-SHA256 under a key derived from SESSION_SECRET
 * (see docs/decisions/006-two-factor-and-brute-force-protection.md for why not
 * plain SHA-256 or bcrypt).
 */

export const RECOVERY_CODE_COUNT = 10;
/** No 0/o, 1/l/i: easy to read back from paper. */
const ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
const HALF = 5;

export function generateRecoveryCode(): string {
  let code = "";
  for (let i = 0; i < HALF * 2; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, HALF)}-${code.slice(HALF)}`;
}

/** The canonical form of a typed recovery code (case, spaces and dashes ignored), or null when it cannot be one. */
export function normalizeRecoveryCode(input: string): string | null {
  const code = input.toLowerCase().replace(/[\s-]/g, "");
  if (code.length !== HALF * 2 || [...code].some((c) => !ALPHABET.includes(c))) return null;
  return code;
}

function hashesOf(code: string): string[] {
  return keyedHashes("recovery-code", code);
}

/** Replaces a user's recovery codes with a new set (the old set dies) and returns the new codes, for showing once. */
export async function replaceRecoveryCodes(
  userId: number,
  { now = Date.now(), trx }: { now?: number; trx?: Transaction<Database> | DB } = {},
): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  const write = async (t: Transaction<Database> | DB) => {
    await t.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
    await t
      .insertInto("recovery_codes")
      .values(codes.map((code) => ({ user_id: userId, code_hash: hashesOf(normalizeRecoveryCode(code)!)[0]!, created_at: now })))
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
  const result = await db
    .deleteFrom("recovery_codes")
    .where("user_id", "=", userId)
    .where("code_hash", "in", hashesOf(code))
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
