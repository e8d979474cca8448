import type { Kysely } from "kysely";

/**
 * A rotated session id (reauthentication, password change) stays usable for a
 * short grace, until the browser is seen with the new one: the response that
 * carried the new cookie may never arrive (app/auth/sessions.server.ts,
 * docs/decisions/016-session-rotation-grace.md). The row keeps the previous
 * id's hash, when it was rotated, and the new id sealed under the previous
 * one, so that only a holder of the previous id can recover it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("sessions").addColumn("previous_id_hash", "text").execute();
  await db.schema.alterTable("sessions").addColumn("rotated_at", "bigint").execute();
  await db.schema.alterTable("sessions").addColumn("next_id_sealed", "text").execute();
  await db.schema.createIndex("sessions_previous_id_hash").on("sessions").column("previous_id_hash").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("sessions_previous_id_hash").execute();
  for (const column of ["next_id_sealed", "rotated_at", "previous_id_hash"]) {
    await db.schema.alterTable("sessions").dropColumn(column).execute();
  }
}
