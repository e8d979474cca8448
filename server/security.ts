import { randomBytes } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { NO_SUCH_ENDPOINT } from "~/api/responses.server";
import { isApiPath } from "~/auth/identity.server";
import type { Config } from "~/config.server";

/**
 * The protections that are the server's business, not one route's: security
 * headers with a per-request CSP nonce, the same-origin check for every
 * state-changing request, and request body limits.
 */

export const MAX_BODY_BYTES = 64 * 1024;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The CSP nonce of this response (set by securityHeaders). */
export function cspNonce(res: Response): string {
  return String(res.locals.cspNonce ?? "");
}

export function securityHeaders(config: Config, { dev = false } = {}) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const nonce = randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    res.setHeader(
      "Content-Security-Policy",
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
        "form-action 'self'",
      ].join("; "),
    );
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
    res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()");
    if (config.isProduction) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    next();
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
 * Every state-changing request from another origin gets 403 before any action
 * runs: `Origin` must be APP_ORIGIN when present, and `Sec-Fetch-Site` must not
 * be `cross-site`. (Cookies are also SameSite=Lax.)
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
  return (req: Request, res: Response, next: NextFunction) => {
    // Pages with Referrer-Policy: no-referrer (reset and email links) make the browser send
    // `Origin: null` with their own form posts; `Sec-Fetch-Site: same-origin`, which only a
    // browser sets, vouches for them. The opaque Origin is dropped so Remix's check agrees.
    if (req.headers.origin === "null" && req.headers["sec-fetch-site"] === "same-origin") delete req.headers.origin;
    const origin = req.headers.origin;
    const sameOrigin = origin !== undefined && isSameOrigin(origin, config);
    const crossSite = (origin !== undefined && !sameOrigin) || req.headers["sec-fetch-site"] === "cross-site";
    if (!SAFE_METHODS.has(req.method) && crossSite && !isApiPath(req.path)) {
      res.status(403).type("text/plain").send("Cross-site requests are not allowed.");
      return;
    }
    delete req.headers["x-forwarded-host"];
    req.headers.host = sameOrigin ? new URL(origin).host : appHost;
    next();
  };
}

const FORM_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/**
 * Every page action reads a form: a body over the limit gets 413, a body of
 * unknown length 411 (forms always send Content-Length), a body that is not a
 * form (JSON, plain text, ...) 415. Under /api/ the same limits answer in
 * JSON, and the route decides the body's type (JSON only: readJsonBody).
 */
export function bodyLimit(maxBytes = MAX_BODY_BYTES) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const api = isApiPath(req.path);
    const refuse = (status: number, message: string) =>
      api ? res.status(status).json({ error: message }) : res.status(status).type("text/plain").send(message);
    const length = req.headers["content-length"];
    const hasBody = req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
    if (hasBody && !api && !FORM_TYPES.test(req.headers["content-type"] ?? "")) {
      refuse(415, "Send the form as application/x-www-form-urlencoded or multipart/form-data.");
      return;
    }
    if (length === undefined) {
      if (req.headers["transfer-encoding"]) {
        refuse(411, "The request needs a Content-Length.");
        return;
      }
      return next();
    }
    if (!/^\d+$/.test(length) || Number(length) > maxBytes) {
      refuse(413, "The request is too large.");
      return;
    }
    next();
  };
}

/** A path that cannot be percent-decoded is the client's mistake: 400, before anything tries to route it. */
export function decodablePathsOnly() {
  return (req: Request, res: Response, next: NextFunction) => {
    try {
      decodeURIComponent(req.path);
    } catch {
      res.status(400).type("text/plain").send("The address is not valid.");
      return;
    }
    next();
  };
}

/**
 * The API answers at its own URLs only: Remix's data URLs for its routes
 * (`/api/….data`, `?_data=`) would run the same loaders and actions but answer
 * in Remix's internal format, so they get the API's JSON 404 before anything runs.
 */
export function apiUrlsOnly() {
  return (req: Request, res: Response, next: NextFunction) => {
    if (isApiPath(req.path) && (req.path.endsWith(".data") || req.query._data !== undefined)) {
      res.status(404).json({ error: NO_SUCH_ENDPOINT });
      return;
    }
    next();
  };
}
