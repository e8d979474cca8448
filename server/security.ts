import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isApiPath } from "~/auth/identity.server";
import { authorizationOrigins } from "~/auth/oidc/providers.server";
import type { Config } from "~/config.server";

/**
 * The protections that are the server's business, not one route's: security
 * headers with a per-request CSP nonce, the same-origin check for every
 * state-changing request, and request body limits. Each check answers with
 * the refusal to send, or null to go on.
 */

export const MAX_BODY_BYTES = 64 * 1024;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

export type Refusal = { status: number; message: string };

/**
 * form-action: this site, the sign-in providers' issuers (OIDC_<ID>_ISSUER)
 * and their authorization endpoints once discovered (a form that starts a
 * provider sign-in is answered with a redirect there, which form-action also
 * governs). Rebuilt only when a discovery adds an origin.
 */
function formAction(config: Config): () => string {
  const issuers = config.oidcProviders.map((provider) => new URL(provider.issuer).origin);
  let known = -1;
  let directive = "";
  return () => {
    if (known !== authorizationOrigins.size) {
      known = authorizationOrigins.size;
      directive = `form-action 'self'${[...new Set([...issuers, ...authorizationOrigins])].map((origin) => ` ${origin}`).join("")}`;
    }
    return directive;
  };
}

/**
 * 16 random bytes, base64: a CSP nonce. The bytes come from a 4 KiB block of
 * the CSPRNG refilled when used up (one system call per 256 nonces instead of
 * one per request); each nonce is used once.
 */
const NONCE_BYTES = 16;
let randomBlock = Buffer.alloc(0);
let randomOffset = 0;
export function newNonce(): string {
  if (randomOffset + NONCE_BYTES > randomBlock.length) {
    randomBlock = randomBytes(4096);
    randomOffset = 0;
  }
  const nonce = randomBlock.toString("base64", randomOffset, randomOffset + NONCE_BYTES);
  randomOffset += NONCE_BYTES;
  return nonce;
}

/** Sets the security headers of one response; returns its CSP nonce. */
export function securityHeaders(config: Config, { dev = false } = {}) {
  const fixed: [string, string][] = [
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "strict-origin-when-cross-origin"],
    ["X-Frame-Options", "DENY"],
    ["Cross-Origin-Opener-Policy", "same-origin"],
    ["Cross-Origin-Resource-Policy", "same-origin"],
    ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"],
  ];
  if (config.isProduction) fixed.push(["Strict-Transport-Security", "max-age=31536000; includeSubDomains"]);
  const formActionDirective = formAction(config);
  const policy = (nonce: string) =>
    [
      "default-src 'self'",
      // Remix's inline scripts carry the nonce; modules they load are trusted through it.
      `script-src 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src 'self'${dev ? " ws:" : ""}`,
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      formActionDirective(),
    ].join("; ");
  return (res: ServerResponse): string => {
    const nonce = newNonce();
    res.setHeader("Content-Security-Policy", policy(nonce));
    for (const [name, value] of fixed) res.setHeader(name, value);
    return nonce;
  };
}

/**
 * True when a browser's `Origin` is this app's. Outside production the
 * loopback names of the same port are one origin (a developer may open
 * http://127.0.0.1:3000 or http://localhost:3000).
 */
export function isSameOrigin(origin: string, config: Config): boolean {
  if (origin === config.appOrigin) return true;
  if (config.isProduction) return false;
  try {
    const a = new URL(origin);
    const b = new URL(config.appOrigin);
    return a.protocol === b.protocol && a.port === b.port && LOOPBACK.has(a.hostname) && LOOPBACK.has(b.hostname);
  } catch {
    return false;
  }
}

/**
 * Every state-changing request from another origin is refused (403) before
 * any action runs: `Origin` must be APP_ORIGIN when present, and
 * `Sec-Fetch-Site` must not be `cross-site`. (Cookies are also SameSite=Lax.)
 *
 * The app's URLs come from APP_ORIGIN, never from the request: the Host header
 * Remix sees is set from it (or from the verified Origin), and
 * X-Forwarded-Host is dropped, so Remix's own Origin/Host check agrees with ours.
 *
 * The JSON API under /api/ is exempt from the 403: it accepts no cookies, only
 * a bearer token a script sends on purpose, so there is no ambient credential
 * for another site to ride on.
 */
export function sameOriginOnly(config: Config) {
  const appHost = new URL(config.appOrigin).host;
  return (req: IncomingMessage, pathname: string): Refusal | null => {
    const headers = req.headers;
    // Pages with Referrer-Policy: no-referrer (reset and email links) make the browser send
    // `Origin: null` with their own form posts; `Sec-Fetch-Site: same-origin`, which only a
    // browser sets, vouches for them. The opaque Origin is dropped so Remix's check agrees.
    if (headers.origin === "null" && headers["sec-fetch-site"] === "same-origin") delete headers.origin;
    const origin = headers.origin;
    const sameOrigin = origin !== undefined && isSameOrigin(origin, config);
    const crossSite = (origin !== undefined && !sameOrigin) || headers["sec-fetch-site"] === "cross-site";
    if (!SAFE_METHODS.has(req.method ?? "") && crossSite && !isApiPath(pathname)) {
      return { status: 403, message: "Cross-site requests are not allowed." };
    }
    delete headers["x-forwarded-host"];
    headers.host = sameOrigin ? new URL(origin).host : appHost;
    return null;
  };
}

const FORM_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/**
 * Every page action reads a form: a body over the limit gets 413, a body of
 * unknown length 411 (forms always send Content-Length), a body that is not a
 * form (JSON, plain text, ...) 415. Under /api/ the same limits apply, and the
 * route decides the body's type (JSON only: readJsonBody).
 */
export function checkBody(req: IncomingMessage, pathname: string, maxBytes = MAX_BODY_BYTES): Refusal | null {
  if (SAFE_METHODS.has(req.method ?? "")) return null;
  const length = req.headers["content-length"];
  const chunked = req.headers["transfer-encoding"] !== undefined;
  const hasBody = chunked || (length !== undefined && length !== "0");
  if (hasBody && !isApiPath(pathname) && !FORM_TYPES.test(req.headers["content-type"] ?? "")) {
    return { status: 415, message: "Send the form as application/x-www-form-urlencoded or multipart/form-data." };
  }
  if (length === undefined) return chunked ? { status: 411, message: "The request needs a Content-Length." } : null;
  if (!/^\d+$/.test(length) || Number(length) > maxBytes) return { status: 413, message: "The request is too large." };
  return null;
}

/** The decoded path, or null when it cannot be percent-decoded (the client's mistake: 400). */
export function decodedPath(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}

/**
 * Another spelling of an API path, which Remix would route to the API's
 * routes (it matches decoded, dot-segment-free paths whatever their case) but
 * which is not the API's own URL: `/API/v1/me`, `/%61pi/v1/notes`,
 * `/x/../api/v1/me`. The API answers at its exact URLs only, so these get its
 * JSON 404 instead of a page's answers (a 401 that ignored the token, a 415 in
 * plain text).
 */
export function isApiPathVariant(rawPath: string): boolean {
  // Most paths name no API in any spelling: no URL to parse for them.
  if (isApiPath(rawPath) || !/api|%|\/\./i.test(rawPath)) return false;
  const canonical = (decodedPath(new URL(rawPath, "http://path.invalid").pathname) ?? "").toLowerCase();
  return isApiPath(canonical) || canonical === "/api.data";
}

/**
 * The API answers at its own URLs only: Remix's data URLs for its routes
 * (`/api/….data`, `?_data=`) would run the same loaders and actions but answer
 *  * in Remix's internal format, so they get the API's JSON 404 (401 without a valid
 * token, as everywhere under /api/) before any route runs.
 */
export function isRemixDataUrlUnderApi(pathname: string, search: string): boolean {
  const data = pathname.endsWith(".data");
  return isApiPath(data ? pathname.slice(0, -".data".length) : pathname) && (data || new URLSearchParams(search).has("_data"));
}
