import cluster from "node:cluster";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import express from "express";
import { resolveIdentity } from "~/auth/identity.server";
import type { Config } from "~/config.server";
import { logger } from "~/logger.server";
import { projectRoot } from "~/utils/project-root.server";
import { apiUrlsOnly, bodyLimit, cspNonce, decodablePathsOnly, sameOriginOnly, securityHeaders } from "./security";

/**
 * One server process: Express around the Remix build. This is where the
 * things that are not one route's business live: static files, security
 * headers, body limits, request logs, the client address, and who is asking
 * (resolved once per request, handed to every loader and action in the load
 * context).
 */

const buildPath = () => path.join(projectRoot(), "build/index.js");

async function loadBuild(): Promise<ServerBuild> {
  return import(`${pathToFileURL(buildPath()).href}?t=${fs.statSync(buildPath()).mtimeMs}`);
}

/** The load context of one request: its client address, CSP nonce and identity. Sets the cookies the identity needs. */
async function loadContext(req: express.Request, res: express.Response): Promise<AppLoadContext> {
  const clientIp = req.ip ?? req.socket.remoteAddress ?? "";
  const { identity, setCookies } = await resolveIdentity({
    path: req.path,
    headers: { get: (name) => req.get(name) ?? null },
    client: { userAgent: req.get("User-Agent") ?? "", ip: clientIp },
  });
  // Remix's own Set-Cookie (login, logout, reauthentication) comes later in the response and wins.
  for (const cookie of setCookies) res.append("Set-Cookie", cookie);
  res.locals.userId = identity?.user.id;
  return { clientIp, cspNonce: cspNonce(res), identity };
}

export async function createApp(config: Config, { dev = false } = {}) {
  const root = projectRoot();
  let build = await loadBuild();

  const app = express();
  app.disable("x-powered-by");
  // With TRUST_PROXY, the client address is the one the nearest proxy saw (one hop).
  app.set("trust proxy", config.trustProxy ? 1 : false);

  if (logger.isLevelEnabled("info")) {
    app.use((req, res, next) => {
      const started = process.hrtime.bigint();
      res.on("finish", () => {
        if (req.path.startsWith("/build/")) return;
        logger.info(
          {
            method: req.method,
            path: req.path,
            status: res.statusCode,
            ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
            userId: res.locals.userId ?? null,
            ip: req.ip,
            // Which worker process served it (absent with one process).
            worker: cluster.worker?.id,
          },
          "request",
        );
      });
      next();
    });
  }

  app.use(securityHeaders(config, { dev }));
  app.use(decodablePathsOnly());
  app.use(apiUrlsOnly());
  app.get("/favicon.ico", (_req, res) => res.redirect(301, "/favicon.svg"));
  app.use("/build", express.static(path.join(root, "public/build"), { immutable: true, maxAge: "1y" }));
  // Only paths that look like files reach the disk: a page request costs no stat() call.
  const publicFiles = express.static(path.join(root, "public"), { maxAge: "1h" });
  app.use((req, res, next) => (path.extname(req.path) ? publicFiles(req, res, next) : next()));

  app.use(sameOriginOnly(config));
  app.use(bodyLimit());
  app.use((_req, res, next) => {
    // Pages carry per-user data: never cached unless a route says otherwise.
    res.setHeader("Cache-Control", "no-store");
    next();
  });

  if (dev) {
    const { broadcastDevReady } = await import("@remix-run/node");
    let version = fs.statSync(buildPath()).mtimeMs;
    app.all("*", async (req, res, next) => {
      const current = fs.statSync(buildPath()).mtimeMs;
      if (current !== version) {
        version = current;
        build = await loadBuild();
        await broadcastDevReady(build);
      }
      return createRequestHandler({ build, mode: "development", getLoadContext: loadContext })(req, res, next);
    });
  } else {
    app.all("*", createRequestHandler({ build, mode: "production", getLoadContext: loadContext }));
  }

  // Anything that escapes a middleware: logged, and a plain 500 with no details (never Express's stack page).
  app.use((error: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    logger.error({ err: error, method: req.method, path: req.path }, "unhandled server error");
    if (res.headersSent) return next(error);
    res.status(500).type("text/plain").send("Something went wrong. Please try again.");
  });

  return { app, build: () => build };
}
