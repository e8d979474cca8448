import { type Kysely, sql } from "kysely";
import type { Dialect } from "../connection";

/**
 * PostgreSQL only: the admin search's trigram index on names becomes one on
 * `lower(name)`. The search then asks `lower(name) LIKE lower(q)` instead of
 * `name ILIKE q`, the same matches (ILIKE lower-cases both sides) at less than
 * half the cost per row, which counts when a search with many matches walks
 * the sort index and filters (app/users/user-list.server.ts). Emails are
 * stored lower-cased, so their index (migration 0003) serves `email LIKE
 * lower(q)` as it is. SQLite's FTS5 trigram table is unchanged.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== "postgres") return;
  await sql`CREATE INDEX users_name_lower_trgm ON users USING gin (lower(name) gin_trgm_ops)`.execute(db);
  await sql`DROP INDEX users_name_trgm`.execute(db);
}

export async function down(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== "postgres") return;
  await sql`CREATE INDEX users_name_trgm ON users USING gin (name gin_trgm_ops)`.execute(db);
  await sql`DROP INDEX users_name_lower_trgm`.execute(db);
}
