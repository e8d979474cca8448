import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { closePasswordPool } from "~/auth/password.server";
import { ConfigError, getConfig } from "~/config.server";
import { closeDatabase, db } from "~/db.server";
import { logger } from "~/logger.server";
import { projectRoot } from "~/utils/project-root.server";
import { migrateToLatest } from "../db/migrate";

/**
 * The production server: Express around the Remix build. This is where the
 * things that are not one route's business live: static files, security
 * headers, body limits, request logs, the client address, migrations at
 * start, and a graceful shutdown.
 */

const MAX_BODY_BYTES = 64 * 1024;
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
          ip: req.ip,
        },
        "request",
      );
    });
    next();
  });

  app.use((_req, res, next) => {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    if (config.isProduction) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    next();
  });

  // Pages that send Referrer-Policy: no-referrer (password reset, email links) make the browser send
  // `Origin: null` with their plain form posts, which Remix's CSRF check refuses. `Sec-Fetch-Site:
  // same-origin`, which only the browser sets, vouches for them: drop the opaque Origin.
  app.use((req, _res, next) => {
    if (req.headers.origin === "null" && req.headers["sec-fetch-site"] === "same-origin") delete req.headers.origin;
    next();
  });

  app.use("/build", express.static(path.join(root, "public/build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "public"), { maxAge: "1h" }));

  app.use((req, res, next) => {
    const length = Number(req.headers["content-length"] ?? 0);
    if (length > MAX_BODY_BYTES) {
      res.status(413).type("text/plain").send("The request is too large.");
      return;
    }
    // Pages carry per-user data: never cached unless a route says otherwise.
    res.setHeader("Cache-Control", "no-store");
    next();
  });

  const getLoadContext = (req: express.Request) => ({ clientIp: req.ip ?? req.socket.remoteAddress ?? "" });
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

  const server = app.listen(config.port, config.host, async () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    logger.info({ url: `http://${config.host}:${port}`, origin: config.appOrigin }, "listening");
    if (isDev) {
      const { broadcastDevReady } = await import("@remix-run/node");
      await broadcastDevReady(build);
    }
  });
  server.keepAliveTimeout = 65_000;

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: draining requests");
    const force = setTimeout(() => {
      logger.warn("shutdown grace period over; closing open connections");
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(async () => {
      await Promise.allSettled([closeDatabase(), closePasswordPool()]);
      logger.info("stopped");
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
