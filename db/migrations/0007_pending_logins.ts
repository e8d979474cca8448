import type { Kysely } from "kysely";

/**
 * The pending two-factor login (password right, code not yet entered) lives on
 * the server: the cookie carries a random id, the row its SHA-256, whose
 * password it was, and when it ends. A row is deleted when it is used.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("pending_logins")
    .addColumn("id_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("password_fingerprint", "text", (c) => c.notNull())
    .addColumn("remember", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("redirect_to", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("pending_logins_user").on("pending_logins").column("user_id").execute();
  await db.schema.createIndex("pending_logins_expires_at").on("pending_logins").column("expires_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("pending_logins").execute();
}
