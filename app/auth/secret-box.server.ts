import { getConfig } from "~/config.server";
import {
  AES_GCM_IV_BYTES as IV_BYTES,
  AES_GCM_TAG_BYTES as TAG_BYTES,
  aesGcmOpen,
  aesGcmSeal,
  hkdfSha256,
  hmacSha256Hex,
  randomBytes,
} from "~/utils/crypto.server";
import { decodeBase64url, encodeBase64url } from "~/utils/base64url";

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

/** The 32-byte keys that may open a value: every ENCRYPTION_KEY (first = current), then the legacy SESSION_SECRET ones. */
function decryptionKeys(): Uint8Array[] {
  return [...encryptionKeys(), ...legacySessionSecretKeys("encrypted-secret")];
}

function encryptionKeys(): Uint8Array[] {
  return getConfig().encryptionKeys.map((key) =>
    hkdfSha256(key, "remix-auth-kit/encryption-key", "remix-auth-kit/encrypted-secret/v2"),
  );
}

/** A 32-byte key for `purpose` from each SESSION_SECRET: how versions before ENCRYPTION_KEY derived theirs. */
export function legacySessionSecretKeys(purpose: string): Uint8Array[] {
  return getConfig().sessionSecrets.map((secret) =>
    hkdfSha256(secret, "remix-auth-kit", `remix-auth-kit/${purpose}/v1`),
  );
}

export function encryptSecret(plaintext: string | Uint8Array, context: string): string {
  const [key] = encryptionKeys();
  const iv = randomBytes(IV_BYTES);
  const { ciphertext, tag } = aesGcmSeal(key!, iv, context, plaintext);
  const sealed = new Uint8Array(iv.length + tag.length + ciphertext.length);
  sealed.set(iv);
  sealed.set(tag, iv.length);
  sealed.set(ciphertext, iv.length + tag.length);
  return VERSION + encodeBase64url(sealed);
}

/** Like decryptSecret, as bytes. */
export function decryptSecretBytes(sealed: string, context: string): { plaintext: Uint8Array; rotated: boolean } | null {
  if (!sealed.startsWith(VERSION)) return null;
  const raw = decodeBase64url(sealed.slice(VERSION.length));
  if (!raw || raw.length <= IV_BYTES + TAG_BYTES) return null;
  const iv = raw.subarray(0, IV_BYTES);
  const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const ciphertext = raw.subarray(IV_BYTES + TAG_BYTES);
  for (const [index, key] of decryptionKeys().entries()) {
    const plaintext = aesGcmOpen(key, iv, context, ciphertext, tag);
    if (plaintext) return { plaintext, rotated: index > 0 };
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
  return opened && { plaintext: new TextDecoder().decode(opened.plaintext), rotated: opened.rotated };
}

/** HMAC-SHA256 of `value` under `key`, hex. */
export function keyedHash(key: Uint8Array, value: string): string {
  return hmacSha256Hex(key, value);
}
