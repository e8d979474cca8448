import type { Kysely } from "kysely";
import type { Dialect } from "../connection";
import { identity } from "./columns";

/**
 * Sign-in providers (app/auth/oidc/): `user_identities` links a provider's
 * account (issuer + subject) to at most one user; `oidc_flows` holds each
 * provider round trip on the server (state, nonce, PKCE verifier; the browser's
 * cookie carries only a random id), and the identity waiting for its account
 * to confirm a link. A user created by a provider has no password: its
 * `password_hash` is the empty string (no hash ever matches it), so the
 * column stays NOT NULL on both databases.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("user_identities")
    .addColumn("id", "integer", identity(dialect))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("issuer", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("email", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("last_used_at", "bigint")
    .execute();
  await db.schema.createIndex("user_identities_issuer_subject").unique().on("user_identities").columns(["issuer", "subject"]).execute();
  await db.schema.createIndex("user_identities_user_id").on("user_identities").columns(["user_id", "provider"]).execute();

  await db.schema
    .createTable("oidc_flows")
    .addColumn("id_hash", "text", (c) => c.primaryKey())
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("nonce", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("code_verifier", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("redirect_to", "text")
    .addColumn("user_id", "integer", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("issuer", "text")
    .addColumn("subject", "text")
    .addColumn("email", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("oidc_flows_expires_at").on("oidc_flows").column("expires_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("oidc_flows").execute();
  await db.schema.dropTable("user_identities").execute();
}
