import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  SqliteDialect,
  type SqliteDatabase,
  SqliteDriver,
} from "kysely";
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

/**
 * Every transaction in this app reads, then writes. SQLite's default `BEGIN`
 * (deferred) starts as a reader; when another process (the CLI, a second
 * server worker) commits in between, the upgrade to writer fails at once with
 * SQLITE_BUSY, without waiting: busy_timeout cannot help a stale snapshot.
 * `BEGIN IMMEDIATE` takes the write lock first, so a transaction waits its
 * turn (busy_timeout) and then runs on fresh data.
 */
class ImmediateTransactionDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class SqliteWriteFirstDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;
  constructor(database: SqliteDatabase) {
    super({ database });
    this.#database = database;
  }
  override createDriver(): Driver {
    return new ImmediateTransactionDriver({ database: this.#database });
  }
}

export function createDatabase(file: string): { db: DB; sqlite: SQLite.Database } {
  const sqlite = openSqlite(file);
  const db = new Kysely<Database>({ dialect: new SqliteWriteFirstDialect(withStatementCache(sqlite)) });
  return { db, sqlite };
}
