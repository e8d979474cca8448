import type { Kysely } from "kysely";
import type { Dialect } from "../connection";
import { identity } from "./columns";

/**
 * Email confirmation status, and the one-time tokens sent by email (password
 * reset, email confirmation, email change). Only a token's SHA-256 is stored.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable("users").addColumn("email_confirmed_at", "bigint").execute();

  await db.schema
    .createTable("account_tokens")
    .addColumn("id", "integer", identity(dialect))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("password_fingerprint", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .addColumn("revoked_at", "bigint")
    .execute();
  await db.schema.createIndex("account_tokens_hash_unique").unique().on("account_tokens").column("token_hash").execute();
  await db.schema.createIndex("account_tokens_user").on("account_tokens").columns(["user_id", "purpose"]).execute();
  await db.schema.createIndex("account_tokens_expires_at").on("account_tokens").column("expires_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("account_tokens").execute();
  await db.schema.alterTable("users").dropColumn("email_confirmed_at").execute();
}
