import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect, type SqliteDatabase } from "kysely";
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

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew; preparing is a large part of a small
 * query's cost. The app's queries are a fixed set of SQL strings (values are
 * parameters), so their prepared statements are kept and reused (LRU).
 * Streaming (`.stream()`) is not used: a statement cannot iterate twice at once.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

export function createDatabase(file: string): { db: DB; sqlite: SQLite.Database } {
  const sqlite = openSqlite(file);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, sqlite };
}
