import { db } from "~/db.server";
import { openRecoveryKey, reencryptRecoveryKey } from "./recovery-codes.server";
import { openTwoFactorSecret, reencryptTwoFactorSecret } from "./two-factor.server";

/**
 * Rotation of ENCRYPTION_KEY, step two (README "Rotating ENCRYPTION_KEY"):
 * every stored secret (TOTP seeds, recovery-code keys) is written again under
 * the first key, so the older keys (and SESSION_SECRET, for installs from
 * before ENCRYPTION_KEY) can be removed. Reads and writes in batches by
 * primary key; a value changed meanwhile is left to its writer.
 */

export type ReencryptionReport = {
  twoFactorSecrets: { total: number; reencrypted: number; unreadable: number };
  recoveryCodeKeys: { total: number; reencrypted: number; unreadable: number };
  /** Users whose recovery codes predate ENCRYPTION_KEY (HMAC'd under SESSION_SECRET): new codes fix it, nothing else can. */
  legacyRecoveryCodeUsers: number;
};

const BATCH = 500;

async function eachRow<T extends { user_id: number }>(
  read: (after: number) => Promise<T[]>,
  handle: (row: T) => Promise<void>,
): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = await read(after);
    for (const row of rows) await handle(row);
    if (rows.length < BATCH) return;
    after = rows.at(-1)!.user_id;
  }
}

export async function reencryptStoredSecrets(): Promise<ReencryptionReport> {
  const report: ReencryptionReport = {
    twoFactorSecrets: { total: 0, reencrypted: 0, unreadable: 0 },
    recoveryCodeKeys: { total: 0, reencrypted: 0, unreadable: 0 },
    legacyRecoveryCodeUsers: 0,
  };

  await eachRow(
    (after) =>
      db.selectFrom("two_factor").select(["user_id", "secret_encrypted"]).where("user_id", ">", after).orderBy("user_id").limit(BATCH).execute(),
    async (row) => {
      const counts = report.twoFactorSecrets;
      counts.total++;
      const opened = openTwoFactorSecret(row.user_id, row.secret_encrypted);
      if (!opened) counts.unreadable++;
      else if (opened.rotated && (await reencryptTwoFactorSecret(row.user_id, row.secret_encrypted, opened.plaintext))) counts.reencrypted++;
    },
  );

  await eachRow(
    (after) =>
      db.selectFrom("recovery_code_keys").select(["user_id", "key_encrypted"]).where("user_id", ">", after).orderBy("user_id").limit(BATCH).execute(),
    async (row) => {
      const counts = report.recoveryCodeKeys;
      counts.total++;
      const opened = openRecoveryKey(row.user_id, row.key_encrypted);
      if (!opened) counts.unreadable++;
      else if (opened.rotated && (await reencryptRecoveryKey(row.user_id, row.key_encrypted, opened.plaintext))) counts.reencrypted++;
    },
  );

  const legacy = await db
    .selectFrom("recovery_codes")
    .select((eb) => eb.fn.count<number>("recovery_codes.user_id").distinct().as("n"))
    .where("user_id", "not in", (eb) => eb.selectFrom("recovery_code_keys").select("user_id"))
    .executeTakeFirstOrThrow();
  report.legacyRecoveryCodeUsers = Number(legacy.n);
  return report;
}
