import { type Kysely, sql } from "kysely";
import { type MigrationResultSet, Migrator } from "kysely/migration";
import { dialectOf, isBusy } from "./connection";
import { migrationsFor } from "./migrations/index";

/** Key of the session-level advisory lock held while migrating PostgreSQL. */
export const MIGRATION_LOCK_KEY = 7_245_120_000;

/**
 * Applies every pending migration; throws with the failing migration's name.
 * Safe when several instances start at once: on PostgreSQL the first to take
 * an advisory lock migrates (in one transaction) while the others wait, then
 * find nothing to do; on SQLite the run is one BEGIN IMMEDIATE transaction
 * (db/connection.ts), which a second process waits for.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const dialect = dialectOf(db);
  if (dialect === "sqlite") return migrateSqlite(db);
  // One connection for the lock and the migrator: the advisory lock belongs to a session.
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(connection);
    try {
      return await migrate(connection);
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(connection);
    }
  });
}

/**
 * busy_timeout (5 s) is how long a statement waits for another process's
 * write lock; the first of several instances creating a database holds it for
 * its whole migration run, which a loaded machine can stretch past that: the
 * others try again (up to a minute) rather than fail to start.
 */
async function migrateSqlite(db: Kysely<any>): Promise<string[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await migrate(db);
    } catch (error) {
      if (!isBusy((error as Error).cause) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function migrate(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrationsFor(dialectOf(db)) },
  });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
