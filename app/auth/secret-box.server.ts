import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { getConfig } from "~/config.server";

/**
 * Secrets the server must read back (a TOTP seed, a user's recovery-code key)
 * are stored AES-256-GCM encrypted under a key derived (HKDF-SHA256) from
 * ENCRYPTION_KEY, so a copy of the database alone does not hold them. With
 * several keys configured the first encrypts and every one decrypts
 * (rotation); `npm run secrets:reencrypt` moves every row to the first.
 *
 * Installs from before ENCRYPTION_KEY encrypted under SESSION_SECRET: those
 * keys are still tried last, so nothing breaks on upgrade, and a value opened
 * with one of them counts as rotated (it is written again under ENCRYPTION_KEY
 * on use, or by the command).
 *
 * Stored form: `v1.` + base64url(iv[12] | tag[16] | ciphertext). The caller's
 * `context` (e.g. `user:42`) is authenticated too, so a value copied to another
 * row does not decrypt there.
 */

const VERSION = "v1.";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The 32-byte keys that may open a value: every ENCRYPTION_KEY (first = current), then the legacy SESSION_SECRET ones. */
function decryptionKeys(): Buffer[] {
  return [...encryptionKeys(), ...legacySessionSecretKeys("encrypted-secret")];
}

function encryptionKeys(): Buffer[] {
  return getConfig().encryptionKeys.map((key) =>
    Buffer.from(hkdfSync("sha256", key, "remix-auth-kit/encryption-key", "remix-auth-kit/encrypted-secret/v2", 32)),
  );
}

/** A 32-byte key for `purpose` from each SESSION_SECRET: how versions before ENCRYPTION_KEY derived theirs. */
export function legacySessionSecretKeys(purpose: string): Buffer[] {
  return getConfig().sessionSecrets.map((secret) =>
    Buffer.from(hkdfSync("sha256", secret, "remix-auth-kit", `remix-auth-kit/${purpose}/v1`, 32)),
  );
}

export function encryptSecret(plaintext: string | Buffer, context: string): string {
  const [key] = encryptionKeys();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key!, iv);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return VERSION + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64url");
}

/** Like decryptSecret, as bytes. */
export function decryptSecretBytes(sealed: string, context: string): { plaintext: Buffer; rotated: boolean } | null {
  if (!sealed.startsWith(VERSION)) return null;
  const raw = Buffer.from(sealed.slice(VERSION.length), "base64url");
  if (raw.length <= IV_BYTES + TAG_BYTES) return null;
  const iv = raw.subarray(0, IV_BYTES);
  const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const ciphertext = raw.subarray(IV_BYTES + TAG_BYTES);
  for (const [index, key] of decryptionKeys().entries()) {
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      return { plaintext, rotated: index > 0 };
    } catch {
      // not this key: try the next one
    }
  }
  return null;
}

/**
 * The plaintext, or null when no configured key opens it (tampered, or the
 * key that wrote it is gone). `rotated` says it was written under an older
 * key (or under SESSION_SECRET, before ENCRYPTION_KEY) and should be encrypted again.
 */
export function decryptSecret(sealed: string, context: string): { plaintext: string; rotated: boolean } | null {
  const opened = decryptSecretBytes(sealed, context);
  return opened && { plaintext: opened.plaintext.toString("utf8"), rotated: opened.rotated };
}

/** HMAC-SHA256 of `value` under `key`, hex. */
export function keyedHash(key: Buffer, value: string): string {
  return createHmac("sha256", key).update(value).digest("hex");
}
