import cluster from "node:cluster";
import { fileURLToPath } from "node:url";
import { type Config, getConfig, redactPassword } from "~/config.server";
import { addLogFile, flushLogFiles, logger } from "~/logger.server";
import { HOUSEKEEPER_ENV, runPrimary, runWorker, StartupError, startupFailure } from "./cluster";

/**
 * The production server. `npm start` runs WEB_CONCURRENCY worker processes on
 * one port (node:cluster): the primary starts the workers and writes every
 * worker's log lines; each worker migrates the database (safe when several
 * start at once) and serves requests, and one of them also runs housekeeping
 * (once per machine, not per worker). The primary never opens the database
 * nor loads the app: it is a small process. With one worker, or under
 * `npm run dev`, a single process does all of it.
 */

const SHUTDOWN_GRACE_MS = 10_000;


/** Serves requests in this process until SIGTERM/SIGINT, then drains and calls `onStopped`. */
async function serve(config: Config, { dev, onStopped }: { dev: boolean; onStopped: () => Promise<void> }) {
  await migrateDatabase(config);
  // `npm start` always serves the optimised build: React picks its production
  // bundle from NODE_ENV when it loads, just below. The app's own settings were
  // read before, so this does not switch on the production requirements
  // (secret, origin, Secure cookies). Only serving processes set it: a
  // cluster's workers inherit the primary's environment, and must read their
  // settings under the same rules as the primary did.
  if (!dev) process.env.NODE_ENV ??= "production";
  // Loaded here, not at the top: the cluster's primary serves no requests and
  // never loads Remix or React (tens of MB it would hold for nothing).
  const { createApp } = await import("./http");
  const { server, build } = await createApp(config, { dev });
  if (config.oidcProviders.length) (await import("~/auth/oidc/providers.server")).discoverProvidersInBackground();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.keepAliveTimeout = 65_000;
  if (dev) {
    const { broadcastDevReady } = await import("@remix-run/node");
    await broadcastDevReady(build());
  }

  let stopping = false;
  let stopHousekeeping = () => {};
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
      stopHousekeeping();
      const [{ closeDatabase }, { closePasswordPool }] = await Promise.all([import("~/db.server"), import("~/auth/password.server")]);
      await Promise.allSettled([closeDatabase(), closePasswordPool()]);
      await onStopped();
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  // One process per machine runs housekeeping: the only one, or the worker the primary chose.
  if (!cluster.isWorker || process.env[HOUSEKEEPER_ENV] === "1") {
    const { startHousekeeping } = await import("~/housekeeping.server");
    if (!stopping) stopHousekeeping = startHousekeeping();
  }
  return server;
}

/**
 * Applies pending migrations before this process serves. Every worker does it:
 * the first to take the write lock (SQLite) or advisory lock (PostgreSQL)
 * migrates and the others then find nothing to do (db/migrate.ts).
 */
async function migrateDatabase(config: Config) {
  const [{ db }, { migrateToLatest }] = await Promise.all([import("~/db.server"), import("../db/migrate")]);
  const applied = await migrateToLatest(db).catch((error: Error) => {
    // An unreachable or refusing PostgreSQL server (down, wrong password, no such database) is a setting to check, not a crash: one line.
    if (config.database.dialect === "postgres") {
      throw new StartupError(`Cannot use the database at DATABASE_URL=${redactPassword(config.database.url)}: ${error?.message ?? String(error)}`);
    }
    throw error;
  });
  if (applied.length) logger.info({ migrations: applied }, "database migrated");
}

async function main() {
  const config = getConfig();
  const dev = process.env.NODE_ENV === "development" && process.argv.includes("--dev");

  if (cluster.isWorker) {
    await runWorker((onStopped) => serve(config, { dev: false, onStopped }));
    return;
  }

  if (config.logFile) await addLogFile(config.logFile);

  if (dev || config.webConcurrency === 1) {
    const server = await serve(config, {
      dev,
      onStopped: async () => {
        logger.info("stopped");
        flushLogFiles();
        process.exit(0);
      },
    });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    logger.info({ open: config.appOrigin, url: `http://${config.host}:${port}`, workers: 1 }, "listening");
    return;
  }

  await runPrimary(config, {
    // Workers run this module (build/server.js), whoever started the primary: `npm start` imports it.
    script: fileURLToPath(import.meta.url),
    onListening: (port) => logger.info({ open: config.appOrigin, url: `http://${config.host}:${port}`, workers: config.webConcurrency }, "listening"),
  });
}

main().catch((error: unknown) => {
  // A bad setting or a port in use is something to change, not a crash: one line, no stack trace.
  console.error(startupFailure(error) ?? error);
  process.exit(1);
});
