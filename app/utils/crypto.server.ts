import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync } from "node:crypto";

/**
 * The app's one door to cryptography, so that moving it to another runtime
 * means replacing this file. Random values come from WebCrypto
 * (`crypto.getRandomValues`, in every runtime). Hashes, HMAC, HKDF and
 * AES-GCM come from `node:crypto`: WebCrypto offers them only as promises, and
 * they run on hot synchronous paths (a session id is hashed on every request).
 */

export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** `bytes` random bytes as base64url: the app's ids and tokens (32 bytes = 256 bits, 43 characters). */
export function randomToken(bytes = 32): string {
  return Buffer.from(randomBytes(bytes)).toString("base64url");
}

export function randomHex(bytes: number): string {
  return Buffer.from(randomBytes(bytes)).toString("hex");
}

/** A uniform integer in [0, max), max ≤ 2³²: rejection sampling, so no value is likelier than another. */
export function randomBelow(max: number): number {
  if (!Number.isInteger(max) || max < 1 || max > 2 ** 32) throw new RangeError(`randomBelow: expected a whole number from 1 to 2^32, got ${max}`);
  const limit = 2 ** 32 - (2 ** 32 % max);
  const word = new Uint32Array(1);
  do crypto.getRandomValues(word);
  while (word[0]! >= limit);
  return word[0]! % max;
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export function sha256Base64url(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

export function hmacSha256(key: string | Uint8Array, value: string): Uint8Array {
  return createHmac("sha256", key).update(value).digest();
}

export function hmacSha256Hex(key: string | Uint8Array, value: string): string {
  return createHmac("sha256", key).update(value).digest("hex");
}

/** A `length`-byte key from `secret` (HKDF-SHA256). */
export function hkdfSha256(secret: string | Uint8Array, salt: string, info: string, length = 32): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", secret, salt, info, length));
}

export const AES_GCM_IV_BYTES = 12;
export const AES_GCM_TAG_BYTES = 16;

/** AES-256-GCM: ciphertext and its 16-byte tag; `aad` is authenticated, not encrypted. */
export function aesGcmSeal(
  key: Uint8Array,
  iv: Uint8Array,
  aad: string,
  plaintext: string | Uint8Array,
): { ciphertext: Uint8Array; tag: Uint8Array } {
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

/** The plaintext, or null when the key, iv, aad or tag do not match the ciphertext. */
export function aesGcmOpen(key: Uint8Array, iv: Uint8Array, aad: string, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array | null {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}
