import { type Kysely, sql } from "kysely";
import type { Dialect } from "../connection";

/**
 * PostgreSQL only: indexes that make the admin user list as cheap as on
 * SQLite at 100,000 users (docs/decisions/012-postgresql-and-several-instances.md).
 * - The trigram index on names becomes one on `lower(name)`: the search asks
 *   `lower(name) LIKE lower(q)` instead of `name ILIKE q`, the same matches
 *   (ILIKE lower-cases both sides) at less than half the cost per row. Emails
 *   are stored lower-cased, so their index (migration 0003) serves
 *   `email LIKE lower(q)` as it is.
 * - The name sort index carries the columns the list shows (INCLUDE): a page,
 *   and a search that walks the index filtering rows, read the index alone
 *   (an index-only scan, with `lower(name)` taken from the index), never the
 *   table row by row.
 * SQLite's FTS5 trigram table and its indexes are unchanged.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== "postgres") return;
  await sql`CREATE INDEX users_name_lower_trgm ON users USING gin (lower(name) gin_trgm_ops)`.execute(db);
  await sql`DROP INDEX users_name_trgm`.execute(db);
  await sql`DROP INDEX users_name`.execute(db);
  await sql`CREATE INDEX users_name ON users (lower(name), id) INCLUDE (name, email, active, created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== "postgres") return;
  await sql`DROP INDEX users_name`.execute(db);
  await sql`CREATE INDEX users_name ON users (lower(name), id)`.execute(db);
  await sql`CREATE INDEX users_name_trgm ON users USING gin (name gin_trgm_ops)`.execute(db);
  await sql`DROP INDEX users_name_lower_trgm`.execute(db);
}
