import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { closePasswordPool } from "~/auth/password.server";
import { ConfigError, getConfig } from "~/config.server";
import { closeDatabase, db } from "~/db.server";
import { startHousekeeping } from "~/housekeeping.server";
import { addLogFile, flushLogFiles, logger } from "~/logger.server";
import { projectRoot } from "~/utils/project-root.server";
import { migrateToLatest } from "../db/migrate";
import { bodyLimit, cspNonce, decodablePathsOnly, sameOriginOnly, securityHeaders } from "./security";
import { sessionMiddleware } from "./session-middleware";

/**
 * The production server: Express around the Remix build. This is where the
 * things that are not one route's business live: static files, security
 * headers, body limits, request logs, the client address, migrations at
 * start, and a graceful shutdown.
 */

const SHUTDOWN_GRACE_MS = 10_000;

async function main() {
  let config;
  try {
    config = getConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const isDev = process.env.NODE_ENV === "development" && process.argv.includes("--dev");
  // `npm start` always serves the optimised build: React picks its production
  // bundle from NODE_ENV. The app's own settings were read above, so this does
  // not switch on the production requirements (secret, origin, Secure cookies).
  if (!isDev) process.env.NODE_ENV ??= "production";
  if (config.logFile) await addLogFile(config.logFile);

  const applied = await migrateToLatest(db);
  if (applied.length) logger.info({ migrations: applied }, "database migrated");

  const root = projectRoot();
  const buildPath = path.join(root, "build/index.js");
  const loadBuild = async (): Promise<ServerBuild> =>
    import(`${pathToFileURL(buildPath).href}?t=${fs.statSync(buildPath).mtimeMs}`);
  let build = await loadBuild();

  const app = express();
  app.disable("x-powered-by");
  // With TRUST_PROXY, the client address is the one the nearest proxy saw (one hop).
  app.set("trust proxy", config.trustProxy ? 1 : false);

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
        },
        "request",
      );
    });
    next();
  });

  app.use(securityHeaders(config, { dev: isDev }));
  app.use(decodablePathsOnly());
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

  app.use(sessionMiddleware());

  const getLoadContext = (req: express.Request, res: express.Response) => ({
    clientIp: req.ip ?? req.socket.remoteAddress ?? "",
    cspNonce: cspNonce(res),
  });
  if (isDev) {
    const { broadcastDevReady } = await import("@remix-run/node");
    let version = fs.statSync(buildPath).mtimeMs;
    app.all("*", async (req, res, next) => {
      const current = fs.statSync(buildPath).mtimeMs;
      if (current !== version) {
        version = current;
        build = await loadBuild();
        await broadcastDevReady(build);
      }
      return createRequestHandler({ build, mode: "development", getLoadContext })(req, res, next);
    });
  } else {
    app.all("*", createRequestHandler({ build, mode: "production", getLoadContext }));
  }

  // Anything that escapes a middleware: logged, and a plain 500 with no details (never Express's stack page).
  app.use((error: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    logger.error({ err: error, method: req.method, path: req.path }, "unhandled server error");
    if (res.headersSent) return next(error);
    res.status(500).type("text/plain").send("Something went wrong. Please try again.");
  });

  const server = app.listen(config.port, config.host, async () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    logger.info({ url: `http://${config.host}:${port}`, origin: config.appOrigin }, "listening");
    stopHousekeeping = startHousekeeping();
    if (isDev) {
      const { broadcastDevReady } = await import("@remix-run/node");
      await broadcastDevReady(build);
    }
  });
  server.keepAliveTimeout = 65_000;
  let stopHousekeeping = () => {};

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    stopHousekeeping();
    logger.info({ signal }, "shutting down: draining requests");
    const force = setTimeout(() => {
      logger.warn("shutdown grace period over; closing open connections");
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(async () => {
      await Promise.allSettled([closeDatabase(), closePasswordPool()]);
      logger.info("stopped");
      flushLogFiles();
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
