import { type Dialect, type DB, openDatabase } from "../db/connection";
import { getConfig } from "./config.server";
import { singleton } from "./utils/singleton.server";

export type { DB, Dialect };
export type * from "../db/schema";

function connectionKey(): string {
  const { database } = getConfig();
  return `database:${database.dialect === "sqlite" ? database.path : database.url}`;
}

function connection() {
  return singleton(connectionKey(), () => openDatabase(getConfig().database));
}

/** The app's database (Kysely over better-sqlite3 or a PostgreSQL pool, by DATABASE_URL), opened on first use. */
export const db: DB = new Proxy({} as DB, {
  get(_target, property) {
    const instance = connection().db;
    const value = Reflect.get(instance, property, instance);
    return typeof value === "function" ? value.bind(instance) : value;
  },
});

/** Which database DATABASE_URL names; the few queries whose SQL differs branch on it. */
export function databaseDialect(): Dialect {
  return getConfig().database.dialect;
}

/** The raw better-sqlite3 handle, for the few things Kysely does not do (backup, pragmas). SQLite only. */
export function sqliteHandle() {
  const { sqlite } = connection();
  if (!sqlite) throw new Error("sqliteHandle(): the database is PostgreSQL");
  return sqlite;
}

/** The node-postgres pool under `db` (rate limits use it directly). PostgreSQL only. */
export function postgresPool() {
  const { pool } = connection();
  if (!pool) throw new Error("postgresPool(): the database is SQLite");
  return pool;
}

/**
 * Housekeeping's way to delete a backlog: `deleteBatch` removes at most
 * `batchSize` rows (by an indexed column) and returns its result; batches run
 * until one comes back short, with a pause between them so that requests are
 * served meanwhile. Returns how many rows went.
 */
export async function deleteInBatches(batchSize: number, deleteBatch: () => Promise<{ numDeletedRows: bigint }>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = Number((await deleteBatch()).numDeletedRows);
    total += deleted;
    if (deleted < batchSize) return total;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** Closes the database (graceful shutdown). */
export async function closeDatabase(): Promise<void> {
  const key = connectionKey();
  const store = globalThis as unknown as { __singletons?: Map<string, unknown> };
  if (!store.__singletons?.has(key)) return;
  const { db: instance } = connection();
  store.__singletons.delete(key);
  await instance.destroy();
}
