import { deleteExpiredTokens } from "~/account/tokens.server";
import { deleteStaleApiTokens } from "~/api/api-tokens.server";
import { deleteExpiredSessions } from "~/auth/sessions.server";
import { deleteExpiredPendingLogins } from "~/auth/two-factor-login.server";
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

/** Runs every task once; a failing task is logged and does not stop the others. */
export async function runHousekeeping(now = Date.now()): Promise<Record<string, number>> {
  const removed: Record<string, number> = {};
  for (const [name, task] of tasks) {
    try {
      removed[name] = await task(now);
    } catch (error) {
      logger.error({ err: error, task: name }, "housekeeping task failed");
    }
  }
  const total = Object.values(removed).reduce((a, b) => a + b, 0);
  // One process per machine runs this (the cluster's primary); its pid tells which.
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
