import type { IncomingMessage } from "node:http";
import { acceptedLanguage } from "../app/i18n/accept-language";

/**
 * Public pages that a visitor without cookies sees identically: rendered once
 * per server process, then answered from memory with this response's CSP
 * nonce put back in. Bots, uptime checks and first visits hit these pages
 * most, and the page bytes are the same for all of them.
 *
 * Narrow on purpose: GET of one of PAGES, exactly (no query string), with no
 * Cookie and no Authorization header, so nothing about the visitor (a flash
 * message, a session, a redirect target) can be in the page; and only a 200
 * HTML answer that sets no cookie is kept. The cache lives as long as the
 * process, which serves one build with one configuration. A page is kept per
 * language its `Accept-Language` chooses (app/i18n: a visitor without cookies
 * gets the language their browser asks for).
 */

export const PAGES = new Set(["/", "/login", "/register", "/forgot-password"]);

type Page = { status: number; headers: [string, string][]; body: string };

export function anonymousPages() {
  const pages = new Map<string, Page>();

  /** The key under which this request's page is kept, or null when it may not be shared. */
  function keyOf(req: IncomingMessage): string | null {
    if (req.method !== "GET" || !PAGES.has(req.url ?? "")) return null;
    if (req.headers.cookie !== undefined || req.headers.authorization !== undefined) return null;
    return `${req.url!} ${acceptedLanguage(req.headers["accept-language"])}`;
  }

  return {
    keyOf,
    /** The kept page for `key`, with `nonce` in place of the one it was rendered with. */
    get(key: string, nonce: string): Page | undefined {
      const page = pages.get(key);
      return page && { ...page, body: page.body.replaceAll(NONCE_MARK, nonce) };
    },
    /** Keeps a page rendered for `key` with `nonce`, when it is one that can be shared. */
    keep(key: string, nonce: string, response: Response, body: Uint8Array) {
      if (response.status !== 200 || response.headers.has("Set-Cookie")) return;
      if (!/^text\/html/.test(response.headers.get("Content-Type") ?? "") || nonce.length < 16) return;
      pages.set(key, {
        status: response.status,
        headers: [...response.headers],
        body: Buffer.from(body).toString("utf8").replaceAll(nonce, NONCE_MARK),
      });
    },
  };
}

/** Stands for the nonce in a kept page; cannot occur in HTML text (NUL). */
const NONCE_MARK = "\u0000nonce\u0000";
