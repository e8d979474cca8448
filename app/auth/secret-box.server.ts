import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { getConfig } from "~/config.server";

/**
 * Secrets the server must read back (a TOTP seed) are stored AES-256-GCM
 * encrypted under a key derived (HKDF-SHA256) from SESSION_SECRET, so a copy of
 * the database alone does not hold them. With several secrets configured the
 * first encrypts and every one decrypts (rotation), like cookie signing.
 *
 * Stored form: `v1.` + base64url(iv[12] | tag[16] | ciphertext). The caller's
 * `context` (e.g. `user:42`) is authenticated too, so a value copied to another
 * row does not decrypt there.
 */

const VERSION = "v1.";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A 32-byte key for `purpose` from each configured secret (first = current). */
export function derivedKeys(purpose: string): Buffer[] {
  return getConfig().sessionSecrets.map((secret) =>
    Buffer.from(hkdfSync("sha256", secret, "remix-auth-kit", `remix-auth-kit/${purpose}/v1`, 32)),
  );
}

export function encryptSecret(plaintext: string, context: string): string {
  const [key] = derivedKeys("encrypted-secret");
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key!, iv);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return VERSION + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64url");
}

/**
 * The plaintext, or null when no configured secret opens it (tampered, or the
 * secret that wrote it is gone). `rotated` says it was written under an older
 * secret and should be encrypted again.
 */
export function decryptSecret(sealed: string, context: string): { plaintext: string; rotated: boolean } | null {
  if (!sealed.startsWith(VERSION)) return null;
  const raw = Buffer.from(sealed.slice(VERSION.length), "base64url");
  if (raw.length <= IV_BYTES + TAG_BYTES) return null;
  const iv = raw.subarray(0, IV_BYTES);
  const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const ciphertext = raw.subarray(IV_BYTES + TAG_BYTES);
  const keys = derivedKeys("encrypted-secret");
  for (const [index, key] of keys.entries()) {
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
      return { plaintext, rotated: index > 0 };
    } catch {
      // not this key: try the next one
    }
  }
  return null;
}

/** HMAC-SHA256 of `value` under every configured secret's key for `purpose` (first = current), hex. */
export function keyedHashes(purpose: string, value: string): string[] {
  return derivedKeys(purpose).map((key) => createHmac("sha256", key).update(value).digest("hex"));
}
