import type { Kysely } from "kysely";
import type { Dialect } from "../connection";
import { identity } from "./columns";

/**
 * Personal API tokens (app/api/api-tokens.server.ts). A token is
 * `rak_<lookup id>_<secret>`: the row is found by its lookup id and holds only
 * the secret's SHA-256. Revoked rows stay a while so a refused use can be
 * logged; the addresses a token was used from are kept to notice a new one.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("api_tokens")
    .addColumn("id", "integer", identity(dialect))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("lookup_id", "text", (c) => c.notNull().unique())
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint")
    .addColumn("last_used_at", "bigint")
    .addColumn("last_used_ip", "text")
    .addColumn("revoked_at", "bigint")
    .addColumn("refusal_logged_at", "bigint")
    .execute();
  await db.schema.createIndex("api_tokens_user").on("api_tokens").column("user_id").execute();

  await db.schema
    .createTable("api_token_addresses")
    .addColumn("token_id", "integer", (c) => c.notNull().references("api_tokens.id").onDelete("cascade"))
    .addColumn("ip", "text", (c) => c.notNull())
    .addColumn("first_used_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("api_token_addresses_pk", ["token_id", "ip"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("api_token_addresses").execute();
  await db.schema.dropTable("api_tokens").execute();
}
