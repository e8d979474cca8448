import cluster from "node:cluster";
import type { Server } from "node:http";
import { fileURLToPath } from "node:url";
import { closePasswordPool } from "~/auth/password.server";
import { type Config, getConfig, redactPassword } from "~/config.server";
import { closeDatabase, db } from "~/db.server";
import { startHousekeeping } from "~/housekeeping.server";
import { addLogFile, flushLogFiles, logger } from "~/logger.server";
import { migrateToLatest } from "../db/migrate";
import { runPrimary, runWorker, startupFailure } from "./cluster";

/**
 * The production server. `npm start` runs WEB_CONCURRENCY worker processes on
 * one port (node:cluster): the primary migrates the database, starts the
 * workers, runs housekeeping (once per machine, not per worker) and writes
 * every worker's log lines; each worker serves requests. With one worker, or
 * under `npm run dev`, a single process does all of it.
 */

const SHUTDOWN_GRACE_MS = 10_000;


/** Serves requests in this process until SIGTERM/SIGINT, then drains and calls `onStopped`. */
async function serve(config: Config, { dev, onStopped }: { dev: boolean; onStopped: () => Promise<void> }) {
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
      await onStopped();
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  return server;
}

async function main() {
  const config = getConfig();
  const dev = process.env.NODE_ENV === "development" && process.argv.includes("--dev");

  if (cluster.isWorker) {
    await runWorker((onStopped) => serve(config, { dev: false, onStopped }));
    return;
  }

  if (config.logFile) await addLogFile(config.logFile);
  const applied = await migrateToLatest(db).catch((error: Error) => {
    // An unreachable or refusing PostgreSQL server (down, wrong password, no such database) is a setting to check, not a crash: one line.
    if (config.database.dialect === "postgres") {
      console.error(`Cannot use the database at DATABASE_URL=${redactPassword(config.database.url)}: ${error?.message ?? String(error)}`);
      process.exit(1);
    }
    throw error;
  });
  if (applied.length) logger.info({ migrations: applied }, "database migrated");

  if (dev || config.webConcurrency === 1) {
    let stopHousekeeping = () => {};
    const server = await serve(config, {
      dev,
      onStopped: async () => {
        stopHousekeeping();
        logger.info("stopped");
        flushLogFiles();
        process.exit(0);
      },
    });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    logger.info({ open: config.appOrigin, url: `http://${config.host}:${port}`, workers: 1 }, "listening");
    stopHousekeeping = startHousekeeping();
    return;
  }

  await runPrimary(config, {
    // Workers run this module (build/server.js), whoever started the primary: `npm start` imports it.
    script: fileURLToPath(import.meta.url),
    onListening: (port) => logger.info({ open: config.appOrigin, url: `http://${config.host}:${port}`, workers: config.webConcurrency }, "listening"),
    startHousekeeping,
  });
}

main().catch((error: unknown) => {
  // A bad setting or a port in use is something to change, not a crash: one line, no stack trace.
  console.error(startupFailure(error) ?? error);
  process.exit(1);
});
