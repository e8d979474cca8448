import os from "node:os";
import path from "node:path";
import { Piscina } from "piscina";
import { getConfig } from "~/config.server";
import { projectRoot } from "~/utils/project-root.server";
import { singleton } from "~/utils/singleton.server";

/**
 * The machine's cores are shared by all server processes: each process gets
 * its share, so N workers together hash on as many threads as there are cores
 * (and the threads run at a lower priority than pages: password-worker.mjs).
 */
export function hashingThreads(cores = os.availableParallelism(), processes = getConfig().webConcurrency): number {
  return Math.max(1, Math.floor(cores / processes));
}

const pool = () =>
  singleton(
    "password-pool",
    () =>
      new Piscina({
        filename: path.join(projectRoot(), "app/auth/password-worker.mjs"),
        minThreads: 1,
        maxThreads: hashingThreads(),
        idleTimeout: 60_000,
        // bcrypt keeps a few KB of state: a small young generation spares ~3 MB of RSS per thread.
        resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 },
      }),
  );

/** bcrypt-hashes a password at BCRYPT_COST, off the main thread. */
export function hashPassword(password: string, cost = getConfig().bcryptCost): Promise<string> {
  return pool().run({ password, cost }, { name: "hash" });
}

/**
 * Checks a password against a bcrypt hash, off the main thread. An empty hash
 * (an account made by a sign-in provider, without a password) matches nothing,
 * after the same time as a real check.
 */
export function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (hash === "") return verifyAgainstDummy(password);
  return pool().run({ password, hash }, { name: "verify" });
}

/** True when the account has a password (users made by a sign-in provider may have none). */
export function hasPassword(user: { password_hash: string }): boolean {
  return user.password_hash !== "";
}

/** The work factor a bcrypt hash was made with (`$2b$12$...` is 12). */
export function hashCost(hash: string): number {
  return Number(/^\$2[aby]?\$(\d{2})\$/.exec(hash)?.[1] ?? 0);
}

/** True when a stored hash is weaker than the configured cost and should be upgraded. */
export function needsRehash(hash: string): boolean {
  return hashCost(hash) < getConfig().bcryptCost;
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as checking a real password, for a login whose email
 * matches no account, so response time does not tell which emails exist.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword("dummy password that never matches");
  await verifyPassword(password, await dummyHash);
  return false;
}

export async function closePasswordPool(): Promise<void> {
  const store = globalThis as unknown as { __singletons?: Map<string, unknown> };
  const instance = store.__singletons?.get("password-pool") as Piscina | undefined;
  if (!instance) return;
  store.__singletons!.delete("password-pool");
  await instance.destroy();
}
