// `npm run secrets:reencrypt`: writes every stored secret (TOTP seeds,
// recovery-code keys) again under the first ENCRYPTION_KEY, so the older keys
// can be removed (README "Rotating ENCRYPTION_KEY").
import { reencryptStoredSecrets } from "~/auth/reencrypt-secrets.server";
import { db } from "~/db.server";
import { migrateToLatest } from "../db/migrate";
import { runCommand, UsageError } from "./command";

async function main(argv: string[]): Promise<string> {
  if (argv[0] === "--help" || argv[0] === "help") {
    return "usage: npm run secrets:reencrypt   (re-encrypts every stored secret under the first ENCRYPTION_KEY)";
  }
  if (argv.length > 0) throw new UsageError(`unexpected argument "${argv[0]}" (no arguments; --help for details)`);
  await migrateToLatest(db);
  const { twoFactorSecrets: secrets, recoveryCodeKeys: keys, legacyRecoveryCodeUsers: legacy } = await reencryptStoredSecrets();
  const unreadable = secrets.unreadable + keys.unreadable;
  if (unreadable > 0) {
    // Exit 1 with one line: keep every old key configured until this is 0.
    throw new Error(
      `${unreadable} stored secrets open with no configured ENCRYPTION_KEY or SESSION_SECRET; put the key that wrote them back in the list before removing any (re-encrypted ${secrets.reencrypted + keys.reencrypted})`,
    );
  }
  const parts = [
    `re-encrypted ${secrets.reencrypted} of ${secrets.total} two-factor secrets and ${keys.reencrypted} of ${keys.total} recovery-code keys under the first ENCRYPTION_KEY`,
  ];
  if (legacy > 0) parts.push(`${legacy} users still have recovery codes from before ENCRYPTION_KEY (checked under SESSION_SECRET until they generate new ones)`);
  return parts.join("; ");
}

await runCommand(main);
