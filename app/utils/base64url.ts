/**
 * base64url (RFC 4648 §5, without padding) with the web's `btoa` / `atob`
 * rather than Node's own encoder, so that the modules using it run on any runtime.
 */

/** `String.fromCharCode` takes its bytes as arguments: a few KiB at a time stays far below any engine's argument limit. */
const CHUNK = 0x2000;

export function encodeBase64url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The bytes, or null when `text` has other characters, padding, or a length no
 * encoding has. Like Buffer, it ignores the unused low bits of the last
 * character (`QR` reads as `QQ` does); whatever it guards is authenticated.
 */
export function decodeBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** UTF-8 text as base64url. */
export function encodeBase64urlText(text: string): string {
  return encodeBase64url(new TextEncoder().encode(text));
}

/** base64url as UTF-8 text (malformed sequences become U+FFFD), or null when it is not base64url. */
export function decodeBase64urlText(text: string): string | null {
  const bytes = decodeBase64url(text);
  return bytes ? new TextDecoder().decode(bytes) : null;
}
