import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { Database } from "./schema";

export type DB = Kysely<Database>;

/**
 * Opens the SQLite file (creating its folder) with the settings this app relies on:
 * - WAL: readers never block the writer, and a crash never corrupts the file;
 * - synchronous=NORMAL: in WAL mode a power loss can lose the last transactions
 *   but never corrupts; a process crash (SIGKILL) loses nothing acknowledged;
 * - foreign_keys: ON DELETE CASCADE ends a deleted user's sessions;
 * - busy_timeout: a second process (CLI, backup) waits for the lock instead of failing.
 */
export function openSqlite(file: string): SQLite.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  return sqlite;
}

export function createDatabase(file: string): { db: DB; sqlite: SQLite.Database } {
  const sqlite = openSqlite(file);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, sqlite };
}
