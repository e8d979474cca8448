import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import SQLite from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  type PostgresDialectConfig,
  PostgresDriver,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDatabase,
  SqliteDriver,
  type TransactionSettings,
} from "kysely";
import type pg from "pg";
import type { Database } from "./schema";

/** node-postgres, loaded only when DATABASE_URL is PostgreSQL (it costs every SQLite start and CLI run tens of ms). */
function loadPg(): typeof pg {
  return createRequire(import.meta.url)("pg") as typeof pg;
}

export type DB = Kysely<Database>;

/** The two databases the app runs on (DATABASE_URL `file:` or `postgres://`). */
export type Dialect = "sqlite" | "postgres";

/** Which database `db` (or a transaction on it) talks to. */
export function dialectOf(db: Kysely<any>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

/**
 * Opens the SQLite file (creating its folder) with the settings this app relies on:
 * - WAL: readers never block the writer, and a crash never corrupts the file;
 * - synchronous=NORMAL: in WAL mode a power loss can lose the last transactions
 *   but never corrupts; a process crash (SIGKILL) loses nothing acknowledged;
 * - foreign_keys: ON DELETE CASCADE ends a deleted user's sessions;
 * - busy_timeout: a second process (CLI, backup) waits for the lock instead of failing.
 * Switching a new file to WAL needs it to itself for a moment: when several
 * processes create it at once (instances or workers starting together), the
 * switch is retried for a while rather than failing the start.
 */
export function openSqlite(file: string): SQLite.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file, { timeout: 5000 });
  retryWhileBusy(() => sqlite.pragma("journal_mode = WAL"));
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  return sqlite;
}

/** True for SQLite's "database is locked" (SQLITE_BUSY and its extended codes). */
export function isBusy(error: unknown): boolean {
  return typeof (error as { code?: unknown })?.code === "string" && (error as { code: string }).code.startsWith("SQLITE_BUSY");
}

/** Runs a synchronous SQLite step again (after 50 ms) while it fails busy, for up to `ms`. */
function retryWhileBusy<T>(step: () => T, ms = 20_000): T {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return step();
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
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

/**
 * SQLite runs DDL inside transactions; telling Kysely so makes the migrator
 * run all pending migrations in one (BEGIN IMMEDIATE) transaction: a second
 * process starting at the same moment waits, then finds them applied.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
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
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

export function createDatabase(file: string): { db: DB; sqlite: SQLite.Database } {
  const sqlite = openSqlite(file);
  const db = new Kysely<Database>({ dialect: new SqliteWriteFirstDialect(withStatementCache(sqlite)) });
  return { db, sqlite };
}

/** Key of the advisory lock every PostgreSQL write transaction takes (see WriteLockingPostgresDriver). */
export const WRITE_LOCK_KEY = 7_245_120_001;

/**
 * The app's transactions were written for SQLite, where BEGIN IMMEDIATE makes
 * them one at a time: each reads, decides (the last admin, an unused code),
 * then writes. PostgreSQL's default (READ COMMITTED, row locks) would let two
 * of them decide on the same reading. Each transaction therefore starts by
 * taking one transaction-scoped advisory lock: transactions still run one at a
 * time across every instance, and each statement after the lock sees every
 * earlier commit. Single statements outside transactions run in parallel.
 */
class WriteLockingPostgresDriver extends PostgresDriver {
  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await super.beginTransaction(connection, settings);
    await connection.executeQuery(CompiledQuery.raw(`select pg_advisory_xact_lock(${WRITE_LOCK_KEY})`));
  }
}

class WriteLockingPostgresDialect extends PostgresDialect {
  readonly #config: PostgresDialectConfig;
  constructor(config: PostgresDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new WriteLockingPostgresDriver(this.#config);
  }
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * node-postgres returns int8 (bigint: the millisecond times, count(*)) and
 * numeric as strings, because they can exceed 2^53. Here they never do
 * (times, counts), and db/schema.ts says number: parse them.
 */
function numberTypes(types: typeof pg.types): pg.CustomTypesConfig {
  return {
    getTypeParser(oid: number, format?: "text" | "binary") {
      if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
      return types.getTypeParser(oid, format);
    },
  } as pg.CustomTypesConfig;
}

/** At most this many distinct statement texts are remembered (and prepared) per process; each connection keeps its own copy. */
const PREPARED_STATEMENTS_MAX = 300;
/** "cached plan must not change result type": another instance changed a table a prepared `select *` reads. */
const FEATURE_NOT_SUPPORTED = "0A000";

/**
 * Kysely sends every query unnamed, so PostgreSQL parses and plans it on
 * every run; for the small queries of a request (the session's join of five
 * tables above all) planning costs more than running. Each connection
 * therefore prepares the app's statements under a name derived from their
 * text, and PostgreSQL reuses the parse and, once it finds a generic plan as
 * good as the custom ones, the plan. Not prepared: statements whose best plan
 * depends on the values (the admin search's LIKE patterns, where a generic
 * plan could read the whole table), anything but plain DML, and statements
 * beyond the first PREPARED_STATEMENTS_MAX texts (bounded memory).
 */
function prepareStatements(client: pg.PoolClient, names: Map<string, string | null>): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const nameOf = (text: string): string | null => {
    let name = names.get(text);
    if (name !== undefined) return name;
    // Full: texts beyond the first ones (IN lists of many lengths, bulk inserts) run unnamed and are not kept.
    if (names.size >= PREPARED_STATEMENTS_MAX) return null;
    const preparable = /^\s*(select|insert|update|delete|with)\b/i.test(text) && !/\blike\b/i.test(text);
    name = preparable ? `s${names.size}` : null;
    names.set(text, name);
    return name;
  };
  client.query = ((text: unknown, values?: unknown, callback?: unknown) => {
    const name = typeof text === "string" && Array.isArray(values) && callback === undefined ? nameOf(text) : null;
    if (!name) return query(text, values, callback);
    return query({ name, text, values }).catch((error: { code?: string }) => {
      if (error?.code !== FEATURE_NOT_SUPPORTED) throw error;
      // The prepared copy is stale: run it unnamed, now and from now on in this process
      // (inside a transaction the retry fails too: the transaction is over either way).
      names.set(text as string, null);
      return query(text, values);
    });
  }) as typeof client.query;
}

/** Connections per process; several instances times WEB_CONCURRENCY workers share the server's max_connections. */
export const POOL_SIZE = 10;

export function createPostgresDatabase(url: string, { poolSize = POOL_SIZE }: { poolSize?: number } = {}): { db: DB; pool: pg.Pool } {
  const { Pool, types } = loadPg();
  const pool = new Pool({ connectionString: url, max: poolSize, types: numberTypes(types), application_name: "remix-auth-kit" });
  // An idle connection that the server closes (a restart, a network cut) is dropped from the pool, not a crash.
  pool.on("error", () => {});
  const statementNames = new Map<string, string | null>();
  pool.on("connect", (client) => prepareStatements(client, statementNames));
  const db = new Kysely<Database>({ dialect: new WriteLockingPostgresDialect({ pool }) });
  return { db, pool };
}

export type OpenDatabase =
  | { dialect: "sqlite"; db: DB; sqlite: SQLite.Database; pool: null }
  | { dialect: "postgres"; db: DB; sqlite: null; pool: pg.Pool };

/** Opens the database DATABASE_URL names (see parseDatabaseUrl in app/config.server.ts). */
export function openDatabase(target: { dialect: "sqlite"; path: string } | { dialect: "postgres"; url: string }): OpenDatabase {
  if (target.dialect === "sqlite") return { dialect: "sqlite", ...createDatabase(target.path), pool: null };
  return { dialect: "postgres", ...createPostgresDatabase(target.url), sqlite: null };
}
