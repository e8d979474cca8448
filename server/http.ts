import cluster from "node:cluster";
import fs from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createReadableStreamFromReadable, createRequestHandler, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import { resolveIdentity } from "~/auth/identity.server";
import type { Config } from "~/config.server";
import { logger } from "~/logger.server";
import { projectRoot } from "~/utils/project-root.server";
import { anonymousPages } from "./anonymous-pages";
import { NO_SUCH_ENDPOINT } from "~/api/responses.server";
import { requireApiToken } from "~/auth/guards.server";
import { isApiPath } from "~/auth/identity.server";
import { checkBody, decodedPath, isApiPathVariant, isRemixDataUrlUnderApi, type Refusal, sameOriginOnly, securityHeaders } from "./security";
import { staticFiles } from "./static-files";

/**
 * One server process: node:http around the Remix build, and the small adapter
 * between them (Node's request in, a web Request to Remix, its Response back
 * out). This is where the things that are not one route's business live:
 * security headers, the same-origin check, body limits, static files, request
 * logs, the client address, and who is asking (resolved once per request and
 * handed to every loader and action in the load context).
 */

const buildPath = () => path.join(projectRoot(), "build/index.js");

async function loadBuild(): Promise<ServerBuild> {
  return import(`${pathToFileURL(buildPath()).href}?t=${fs.statSync(buildPath()).mtimeMs}`);
}

/** The client's address: the socket's, or with TRUST_PROXY the one the nearest proxy reports (one hop). */
function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const socketAddress = req.socket.remoteAddress ?? "";
  const forwarded = trustProxy ? headerValue(req, "x-forwarded-for") : null;
  if (!forwarded) return socketAddress;
  const hops = forwarded.split(",");
  return hops[hops.length - 1]!.trim() || socketAddress;
}

function protocolOf(req: IncomingMessage, trustProxy: boolean): "http" | "https" {
  const forwarded = trustProxy ? headerValue(req, "x-forwarded-proto") : null;
  const first = forwarded ? forwarded.split(",")[0]!.trim() : "";
  return first === "https" ? "https" : "http";
}

/** Node's request as the web Request Remix reads; aborted when the client goes away before the answer. */
function webRequest(req: IncomingMessage, res: ServerResponse, url: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = createReadableStreamFromReadable(req);
    init.duplex = "half";
  }
  return new Request(url, init);
}

function writeHead(res: ServerResponse, status: number, headers: Iterable<[string, string]>) {
  res.statusCode = status;
  for (const [name, value] of headers) {
    if (name === "set-cookie") res.appendHeader("Set-Cookie", value);
    else res.setHeader(name, value);
  }
}

/** Writes Remix's Response; a one-chunk body (every page: entry.server renders to one buffer) goes out in one write. */
async function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  if (response.statusText) res.statusMessage = response.statusText;
  writeHead(res, response.status, response.headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  res.once("close", () => void reader.cancel().catch(() => {}));
  let chunk = await reader.read();
  if (chunk.done) {
    res.end();
    return;
  }
  if (/text\/event-stream/i.test(response.headers.get("Content-Type") ?? "")) res.flushHeaders();
  for (;;) {
    const next = await reader.read();
    if (next.done) {
      res.end(chunk.value);
      return;
    }
    if (!res.write(chunk.value)) await new Promise((resolve) => res.once("drain", resolve));
    chunk = next;
  }
}

/** A refusal from the server itself: plain text for pages, the API's JSON shape under /api/. */
function sendText(res: ServerResponse, { status, message }: Refusal, pathname = "") {
  res.statusCode = status;
  if (isApiPath(pathname)) {
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.end(JSON.stringify({ error: message }));
    return;
  }
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  res.end(message);
}

export async function createApp(config: Config, { dev = false } = {}) {
  const root = projectRoot();
  let build = await loadBuild();
  let remix = createRequestHandler(build, dev ? "development" : "production");
  let buildVersion = fs.statSync(buildPath()).mtimeMs;

  /**
   * `npm run dev`: `remix dev` rebuilds on every edit and waits for this server
   * to load the new build; then it tells the browser (LiveReload in root.tsx)
   * to reload. Watched, not only checked per request: the browser waits for
   * that message before it sends one.
   */
  let reloading: Promise<void> | null = null;
  const reloadIfRebuilt = () =>
    (reloading ??= (async () => {
      const current = fs.statSync(buildPath(), { throwIfNoEntry: false })?.mtimeMs;
      if (current === undefined || current === buildVersion) return;
      buildVersion = current;
      build = await loadBuild();
      remix = createRequestHandler(build, "development");
      const { broadcastDevReady } = await import("@remix-run/node");
      await broadcastDevReady(build);
    })()
      .catch((error: unknown) => logger.error({ err: error }, "could not load the new build"))
      .finally(() => {
        reloading = null;
      }));
  if (dev) fs.watchFile(buildPath(), { interval: 250 }, () => void reloadIfRebuilt()).unref();

  const setSecurityHeaders = securityHeaders(config, { dev });
  const refuseCrossSite = sameOriginOnly(config);
  const publicFiles = staticFiles(path.join(root, "public"));
  const logRequests = logger.isLevelEnabled("info");
  const pages = anonymousPages();

  const appOrigin = new URL(config.appOrigin).origin;
  const urlOf = (req: IncomingMessage, target: string) => `${protocolOf(req, config.trustProxy)}://${req.headers.host}${target}`;

  /** The load context of one request: its client address, CSP nonce and identity. Sets the cookies the identity needs. */
  async function loadContext(req: IncomingMessage, res: ServerResponse, pathname: string, clientIp: string, cspNonce: string) {
    const { identity, setCookies } = await resolveIdentity({
      path: pathname,
      headers: { get: (name) => headerValue(req, name) },
      client: { userAgent: headerValue(req, "user-agent") ?? "", ip: clientIp },
    });
    // Remix's own Set-Cookie (login, logout, reauthentication) comes later in the response and wins.
    for (const cookie of setCookies) res.appendHeader("Set-Cookie", cookie);
    return { clientIp, cspNonce, identity } satisfies AppLoadContext;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, clientIp: string, log: { userId?: number }) {
    const cspNonce = setSecurityHeaders(res);
    const target = req.url ?? "/";
    const query = target.indexOf("?");
    const rawPath = query === -1 ? target : target.slice(0, query);
    const pathname = decodedPath(rawPath);
    if (pathname === null || !rawPath.startsWith("/")) return sendText(res, { status: 400, message: "The address is not valid." }, rawPath);
    if (rawPath === "/favicon.ico") {
      res.statusCode = 301;
      res.setHeader("Location", "/favicon.svg");
      return res.end();
    }
    const variant = isApiPathVariant(rawPath);
    if (variant || isRemixDataUrlUnderApi(rawPath, query === -1 ? "" : target.slice(query))) {
      // As routes/api.$.ts answers an unknown /api path: its guard (counted; 401 without a valid token), then 404,
      // for the API path the URL names (`/api.data` too; another spelling of one, as /api: the bearer token, never the cookie; JSON).
      const apiPath = variant ? "/api" : rawPath.replace(/\.data$/, "");
      const context = await loadContext(req, res, apiPath, clientIp, cspNonce);
      log.userId = context.identity?.user.id;
      try {
        // Not urlOf: the Host header is only checked further on (sameOriginOnly), and the token's guard needs no host of the client's.
        await requireApiToken({ request: webRequest(req, res, `${appOrigin}${target}`), context });
      } catch (refusal) {
        if (refusal instanceof Response) return sendResponse(res, refusal);
        throw refusal;
      }
      return sendText(res, { status: 404, message: NO_SUCH_ENDPOINT }, apiPath);
    }
    if (await publicFiles(req, res, pathname)) return;

    const refusal = refuseCrossSite(req, rawPath) ?? checkBody(req, rawPath);
    if (refusal) return sendText(res, refusal, rawPath);
    // Pages carry per-user data: never cached unless a route says otherwise.
    res.setHeader("Cache-Control", "no-store");

    if (dev) await reloadIfRebuilt();

    const pageKey = dev ? null : pages.keyOf(req);
    const kept = pageKey ? pages.get(pageKey, cspNonce) : undefined;
    if (kept) {
      writeHead(res, kept.status, kept.headers);
      return void res.end(kept.body);
    }

    const context = await loadContext(req, res, rawPath, clientIp, cspNonce);
    log.userId = context.identity?.user.id;
    const response = await remix(webRequest(req, res, urlOf(req, target)), context);
    if (pageKey) {
      const body = new Uint8Array(await response.arrayBuffer());
      pages.keep(pageKey, cspNonce, response, body);
      writeHead(res, response.status, response.headers);
      return void res.end(body);
    }
    await sendResponse(res, response);
  }

  function onRequest(req: IncomingMessage, res: ServerResponse) {
    const started = logRequests ? process.hrtime.bigint() : 0n;
    const clientIp = clientAddress(req, config.trustProxy);
    const log: { userId?: number } = {};
    if (logRequests) {
      res.once("finish", () => {
        if (req.url?.startsWith("/build/")) return;
        logger.info(
          {
            method: req.method,
            path: (req.url ?? "/").split("?")[0],
            status: res.statusCode,
            ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
            userId: log.userId ?? null,
            ip: clientIp,
            // Which worker process served it (absent with one process).
            worker: cluster.worker?.id,
          },
          "request",
        );
      });
    }
    handle(req, res, clientIp, log).catch((error: unknown) => {
      // Anything that escapes: logged, and a plain 500 with no details.
      logger.error({ err: error, method: req.method, path: (req.url ?? "/").split("?")[0] }, "unhandled server error");
      if (res.headersSent) return res.destroy();
      sendText(res, { status: 500, message: "Something went wrong. Please try again." }, (req.url ?? "/").split("?")[0]);
    });
  }

  const server: Server = createServer(onRequest);
  return { server, build: () => build };
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : value;
}
