import { deleteExpiredTokens } from "~/account/tokens.server";
import { deleteStaleApiTokens } from "~/api/api-tokens.server";
import { deleteExpiredChallenges } from "~/auth/passkeys.server";
import { deleteExpiredSessions } from "~/auth/sessions.server";
import { deleteExpiredPendingLogins } from "~/auth/two-factor-login.server";
import { sql } from "kysely";
import { databaseDialect, db } from "~/db.server";
import { logger } from "~/logger.server";
import { singleton } from "~/utils/singleton.server";

/**
 * Periodic cleanups: expired sessions here, and whatever other modules
 * register (expired tokens, ...). Each task deletes by an indexed column in
 * small batches and yields between them, so a run never blocks requests.
 *
 *   registerHousekeepingTask("expired tokens", (now) => deleteExpiredTokens(now));
 *
 * The server runs every task at start and then every HOUSEKEEPING_INTERVAL_MS.
 */

/** Returns how many rows it removed. */
export type HousekeepingTask = (now: number) => Promise<number>;

export const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;

const tasks = singleton("housekeeping-tasks", () => new Map<string, HousekeepingTask>());

/** Adds (or replaces) a named cleanup. Tasks are kept per process, shared by the server and the Remix build. */
export function registerHousekeepingTask(name: string, task: HousekeepingTask): void {
  tasks.set(name, task);
}

registerHousekeepingTask("expired sessions", (now) => deleteExpiredSessions(now));
registerHousekeepingTask("expired tokens", (now) => deleteExpiredTokens(now));
registerHousekeepingTask("expired pending logins", (now) => deleteExpiredPendingLogins(now));
registerHousekeepingTask("stale API tokens", (now) => deleteStaleApiTokens(now));
registerHousekeepingTask("expired passkey challenges", (now) => deleteExpiredChallenges(now));

/** Key of the advisory lock one instance holds while it runs housekeeping on PostgreSQL. */
export const HOUSEKEEPING_LOCK_KEY = 7_245_120_002;

/**
 * Runs `work` unless another instance is running it: on PostgreSQL, several
 * instances share the database, and the first to take the advisory lock does
 * the round while the others skip it (null). On SQLite one machine's primary
 * runs it; the tasks are idempotent deletes either way.
 */
export async function underHousekeepingLock<T>(work: () => Promise<T>): Promise<T | null> {
  if (databaseDialect() !== "postgres") return work();
  // The lock belongs to the session: take and release it on one connection.
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${sql.lit(HOUSEKEEPING_LOCK_KEY)}) as locked`.execute(connection);
    if (!rows[0]?.locked) return null;
    try {
      return await work();
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(HOUSEKEEPING_LOCK_KEY)})`.execute(connection);
    }
  });
}

/**
 * Runs every task once; a failing task is logged and does not stop the others.
 * Returns null when another instance was running them (PostgreSQL).
 */
export async function runHousekeeping(now = Date.now()): Promise<Record<string, number> | null> {
  const removed = await underHousekeepingLock(() => runTasks(now));
  if (removed === null) logger.debug({ pid: process.pid }, "housekeeping skipped: another instance is running it");
  return removed;
}

async function runTasks(now: number): Promise<Record<string, number>> {
  const removed: Record<string, number> = {};
  for (const [name, task] of tasks) {
    try {
      removed[name] = await task(now);
    } catch (error) {
      logger.error({ err: error, task: name }, "housekeeping task failed");
    }
  }
  const total = Object.values(removed).reduce((a, b) => a + b, 0);
  // One process per machine runs this (the only process, or one chosen worker); its pid tells which.
  logger[total > 0 ? "info" : "debug"]({ removed, pid: process.pid }, "housekeeping");
  return removed;
}

/**
 * Runs housekeeping now (without waiting for it) and then every `intervalMs`,
 * on a timer that does not keep the process alive. Returns a stop function.
 */
export function startHousekeeping(intervalMs = HOUSEKEEPING_INTERVAL_MS): () => void {
  let running: Promise<unknown> | null = null;
  const run = () => {
    // Never two runs at once: a slow run makes the next tick a no-op.
    running ??= runHousekeeping().finally(() => {
      running = null;
    });
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
