import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { createDatabase, createPostgresDatabase, type DB, type Dialect } from "../../db/connection";

/** The database this vitest project runs on (vitest.config.ts sets TEST_DATABASE per project). */
export const testDialect: Dialect = process.env.TEST_DATABASE === "postgres" ? "postgres" : "sqlite";

/**
 * A new, empty database of this project's dialect, for tests that start
 * servers of their own: a `postgres://` URL (a database on the run's
 * throw-away server) or a `file:` URL (a SQLite file under .tmp/).
 * `migrated`: on PostgreSQL, a copy of the run's migrated template (much
 * faster than migrating; the server then finds nothing to do); a SQLite file
 * is always new (the server migrates it in a few ms).
 */
export async function newDatabaseUrl({ migrated = false }: { migrated?: boolean } = {}): Promise<string> {
  if (testDialect === "sqlite") {
    const dir = path.resolve(".tmp/http", randomUUID());
    fs.mkdirSync(dir, { recursive: true });
    return `file:${path.join(dir, "app.db")}`;
  }
  const url = new URL(inject("postgresAdminUrl"));
  const name = `t_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  try {
    // app_template: tests/postgres-global-setup.ts (TEMPLATE_DATABASE) migrates it once per run.
    await client.query(`CREATE DATABASE "${name}"${migrated ? " TEMPLATE app_template" : ""}`);
  } finally {
    await client.end();
  }
  url.pathname = `/${name}`;
  return url.href;
}

/** startServer's database option for a URL from newDatabaseUrl. */
export function serverDatabase(url: string): { dbPath: string } | { databaseUrl: string } {
  return url.startsWith("file:") ? { dbPath: url.slice("file:".length) } : { databaseUrl: url };
}

/** A Kysely handle on a database from newDatabaseUrl (either dialect), for tests that run commands on it; destroy it when done. */
export function openDatabaseUrl(url: string): DB {
  return url.startsWith("file:") ? createDatabase(url.slice("file:".length)).db : createPostgresDatabase(url, { poolSize: 2 }).db;
}
