import { type Kysely, sql } from "kysely";
import type { Dialect } from "../connection";
import { identity } from "./columns";

/**
 * Roles and permissions (a user can hold several roles; a role grants several
 * permissions), the two built-in roles, and what the admin user list needs to
 * stay fast at 100,000 users: sort indexes and a trigram full-text index over
 * name and email for `?q=` (see docs/decisions/003-admin-user-list-at-scale.md).
 */

const PERMISSIONS: [string, string][] = [
  ["users:read", "See the user list and each user's details"],
  ["users:write", "Create users, edit them, change their roles and end their sessions"],
  ["users:delete", "Delete users"],
  ["audit:read", "Read the activity log of every user"],
];

const ROLES: [string, string, string[]][] = [
  ["admin", "Manages users and reads the audit log", PERMISSIONS.map(([name]) => name)],
  ["user", "A signed-in member (the role every new account gets)", []],
];

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("roles")
    .addColumn("id", "integer", identity(dialect))
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .createTable("permissions")
    .addColumn("id", "integer", identity(dialect))
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .createTable("role_permissions")
    .addColumn("role_id", "integer", (c) => c.notNull().references("roles.id").onDelete("cascade"))
    .addColumn("permission_id", "integer", (c) => c.notNull().references("permissions.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("role_permissions_pk", ["role_id", "permission_id"])
    .execute();
  await db.schema
    .createTable("user_roles")
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("role_id", "integer", (c) => c.notNull().references("roles.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("user_roles_pk", ["user_id", "role_id"])
    .execute();
  // "Who holds this role" (the last-admin rule counts admins).
  await db.schema.createIndex("user_roles_role").on("user_roles").columns(["role_id", "user_id"]).execute();

  for (const [name, description] of PERMISSIONS) {
    await sql`INSERT INTO permissions (name, description) VALUES (${name}, ${description})`.execute(db);
  }
  for (const [name, description, permissions] of ROLES) {
    await sql`INSERT INTO roles (name, description) VALUES (${name}, ${description})`.execute(db);
    for (const permission of permissions) {
      await sql`INSERT INTO role_permissions (role_id, permission_id)
        SELECT roles.id, permissions.id FROM roles, permissions
        WHERE roles.name = ${name} AND permissions.name = ${permission}`.execute(db);
    }
  }
  // Accounts created before roles existed become plain users.
  await sql`INSERT INTO user_roles (user_id, role_id) SELECT users.id, roles.id FROM users, roles WHERE roles.name = 'user'`.execute(db);

  // Sorting the admin list by name (case-insensitive) or creation date walks an
  // index; the id makes the order total, so keyset pagination can seek into it.
  await sql`CREATE INDEX users_name ON users (lower(name), id)`.execute(db);
  await sql`CREATE INDEX users_created_at ON users (created_at, id)`.execute(db);

  if (dialect === "postgres") {
    // Substring search over name and email: pg_trgm GIN indexes, which
    // `ILIKE '%q%'` uses (PostgreSQL's counterpart of the FTS5 table below).
    await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
    await sql`CREATE INDEX users_name_trgm ON users USING gin (name gin_trgm_ops)`.execute(db);
    await sql`CREATE INDEX users_email_trgm ON users USING gin (email gin_trgm_ops)`.execute(db);
    // "Page 1 of M" counts every user on every request: SQLite reads its smallest index,
    // PostgreSQL's count(*) reads the whole table. The count is kept in one row instead,
    // by statement-level triggers, in the same transaction as the insert or delete.
    await sql`CREATE TABLE users_count (n bigint NOT NULL)`.execute(db);
    await sql`INSERT INTO users_count (n) SELECT count(*) FROM users`.execute(db);
    await sql`CREATE FUNCTION users_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN UPDATE users_count SET n = n + (SELECT count(*) FROM inserted); RETURN NULL; END $$`.execute(db);
    await sql`CREATE FUNCTION users_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN UPDATE users_count SET n = n - (SELECT count(*) FROM deleted); RETURN NULL; END $$`.execute(db);
    await sql`CREATE TRIGGER users_count_insert AFTER INSERT ON users REFERENCING NEW TABLE AS inserted
      FOR EACH STATEMENT EXECUTE FUNCTION users_count_insert()`.execute(db);
    await sql`CREATE TRIGGER users_count_delete AFTER DELETE ON users REFERENCING OLD TABLE AS deleted
      FOR EACH STATEMENT EXECUTE FUNCTION users_count_delete()`.execute(db);
    return;
  }
  // Substring search over name and email: an FTS5 trigram index kept in step
  // with `users` by triggers (LIKE '%q%' would read every row).
  await sql`CREATE VIRTUAL TABLE users_search USING fts5(
    name, email, content='users', content_rowid='id', tokenize='trigram')`.execute(db);
  await sql`CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, name, email) VALUES (new.id, new.name, new.email);
  END`.execute(db);
  await sql`CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, name, email) VALUES ('delete', old.id, old.name, old.email);
  END`.execute(db);
  await sql`CREATE TRIGGER users_search_update AFTER UPDATE OF name, email ON users BEGIN
    INSERT INTO users_search (users_search, rowid, name, email) VALUES ('delete', old.id, old.name, old.email);
    INSERT INTO users_search (rowid, name, email) VALUES (new.id, new.name, new.email);
  END`.execute(db);
  await sql`INSERT INTO users_search (users_search) VALUES ('rebuild')`.execute(db);
}

export async function down(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === "postgres") {
    await sql`DROP TABLE users_count`.execute(db);
    await sql`DROP FUNCTION users_count_insert() CASCADE`.execute(db);
    await sql`DROP FUNCTION users_count_delete() CASCADE`.execute(db);
    await sql`DROP INDEX users_email_trgm`.execute(db);
    await sql`DROP INDEX users_name_trgm`.execute(db);
  } else {
    for (const trigger of ["users_search_update", "users_search_delete", "users_search_insert"]) {
      await sql`DROP TRIGGER ${sql.raw(trigger)}`.execute(db);
    }
    await sql`DROP TABLE users_search`.execute(db);
  }
  await sql`DROP INDEX users_created_at`.execute(db);
  await sql`DROP INDEX users_name`.execute(db);
  await db.schema.dropTable("user_roles").execute();
  await db.schema.dropTable("role_permissions").execute();
  await db.schema.dropTable("permissions").execute();
  await db.schema.dropTable("roles").execute();
}
