import { createDatabase, type DB } from "../db/connection";
import { getConfig } from "./config.server";
import { singleton } from "./utils/singleton.server";

export type { DB };
export type * from "../db/schema";

function connection() {
  const file = getConfig().databasePath;
  return singleton(`database:${file}`, () => createDatabase(file));
}

/** The app's database (Kysely over better-sqlite3), opened on first use. */
export const db: DB = new Proxy({} as DB, {
  get(_target, property) {
    const instance = connection().db;
    const value = Reflect.get(instance, property, instance);
    return typeof value === "function" ? value.bind(instance) : value;
  },
});

/** The raw better-sqlite3 handle, for the few things Kysely does not do (backup, pragmas). */
export function sqliteHandle() {
  return connection().sqlite;
}

/** Closes the database (graceful shutdown). */
export async function closeDatabase(): Promise<void> {
  const file = getConfig().databasePath;
  const store = globalThis as unknown as { __singletons?: Map<string, unknown> };
  if (!store.__singletons?.has(`database:${file}`)) return;
  const { db: instance } = connection();
  store.__singletons.delete(`database:${file}`);
  await instance.destroy();
}
