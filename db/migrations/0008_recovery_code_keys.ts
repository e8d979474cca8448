import type { Kysely } from "kysely";

/**
 * Each user's recovery codes are HMAC'd under a random key of their own,
 * stored encrypted with ENCRYPTION_KEY: rotating ENCRYPTION_KEY re-encrypts
 * this key and the codes keep working (a keyed hash cannot be re-keyed without
 * the codes). Users without a row still have codes from before: those are
 * checked under SESSION_SECRET as they were written.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("recovery_code_keys")
    .addColumn("user_id", "integer", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("key_encrypted", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("recovery_code_keys").execute();
}
