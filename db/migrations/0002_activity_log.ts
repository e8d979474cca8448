import type { Kysely } from "kysely";
import type { Dialect } from "../connection";
import { identity } from "./columns";

/** The append-only activity log (who did what, when, from where). */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("activity")
    .addColumn("id", "integer", identity(dialect))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("actor_id", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("subject_id", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("ip", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("user_agent", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("details", "text", (c) => c.notNull().defaultTo("{}"))
    .execute();
  await db.schema.createIndex("activity_subject").on("activity").columns(["subject_id", "id"]).execute();
  await db.schema.createIndex("activity_actor").on("activity").columns(["actor_id", "id"]).execute();
  await db.schema.createIndex("activity_type").on("activity").columns(["type", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("activity").execute();
}
