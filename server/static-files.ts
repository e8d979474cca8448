import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";

/**
 * The files in public/: the browser build under /build/ (fingerprinted names,
 * cached for a year) and a few others (an hour). Only GET and HEAD of a path
 * with a file extension reach the disk, so a page request costs no stat().
 * Anything else, a missing file or a dotfile, goes on to the app (its 404).
 */

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

const YEAR = "public, max-age=31536000, immutable";
const HOUR = "public, max-age=3600";

export function staticFiles(root: string) {
  const base = path.resolve(root);
  /** Answers the request from a file and returns true, or returns false to let the app answer. */
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    if ((req.method !== "GET" && req.method !== "HEAD") || !path.extname(pathname)) return false;
    if (pathname.includes("\0") || pathname.split("/").some((segment) => segment.startsWith("."))) return false;
    const file = path.join(base, pathname);
    if (!file.startsWith(base + path.sep)) return false;
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(file);
    } catch {
      return false;
    }
    if (!stat.isFile()) return false;
    const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    res.setHeader("Cache-Control", pathname.startsWith("/build/") ? YEAR : HOUR);
    res.setHeader("ETag", etag);
    res.setHeader("Last-Modified", stat.mtime.toUTCString());
    res.setHeader("Content-Type", TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream");
    if (req.headers["if-none-match"] === etag) {
      res.statusCode = 304;
      res.end();
      return true;
    }
    res.setHeader("Content-Length", stat.size);
    if (req.method === "HEAD") {
      res.end();
      return true;
    }
    await new Promise<void>((resolve) => {
      fs.createReadStream(file)
        .on("error", () => res.destroy())
        .on("close", resolve)
        .pipe(res);
    });
    return true;
  };
}
