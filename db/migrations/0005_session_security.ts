import { type Kysely, sql } from "kysely";
import type { Dialect } from "../connection";

/**
 * Session security: every session gets a public id (what the devices page
 * shows and posts back; never the session id or its hash), and the indexes
 * that housekeeping and the activity pages read by.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable("sessions").addColumn("public_id", "text", (c) => c.notNull().defaultTo("")).execute();
  // Sessions that exist before this migration get a random public id too (96 bits).
  const randomId = dialect === "postgres" ? sql`substr(md5(gen_random_uuid()::text), 1, 24)` : sql`lower(hex(randomblob(12)))`;
  await sql`UPDATE sessions SET public_id = ${randomId} WHERE public_id = ''`.execute(db);
  await db.schema.createIndex("sessions_public_id").unique().on("sessions").column("public_id").execute();
  await db.schema.createIndex("sessions_last_seen_at").on("sessions").column("last_seen_at").execute();

  // The activity log is append-only. The one change allowed is erasure of personal data when an
  // account is deleted: actor/subject to NULL (ON DELETE SET NULL), address and user agent to '',
  // details to '{}'. Anything else is refused by the database itself.
  if (dialect === "postgres") {
    await sql`CREATE FUNCTION activity_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' OR NEW.id IS DISTINCT FROM OLD.id OR NEW.created_at IS DISTINCT FROM OLD.created_at
          OR NEW.type IS DISTINCT FROM OLD.type
          OR (NEW.actor_id IS DISTINCT FROM OLD.actor_id AND NEW.actor_id IS NOT NULL)
          OR (NEW.subject_id IS DISTINCT FROM OLD.subject_id AND NEW.subject_id IS NOT NULL)
          OR (NEW.ip IS DISTINCT FROM OLD.ip AND NEW.ip <> '')
          OR (NEW.user_agent IS DISTINCT FROM OLD.user_agent AND NEW.user_agent <> '')
          OR (NEW.details IS DISTINCT FROM OLD.details AND NEW.details <> '{}') THEN
          RAISE EXCEPTION 'the activity log is append-only';
        END IF;
        RETURN NEW;
      END $$`.execute(db);
    await sql`CREATE TRIGGER activity_append_only_update BEFORE UPDATE ON activity
      FOR EACH ROW EXECUTE FUNCTION activity_append_only()`.execute(db);
    await sql`CREATE TRIGGER activity_append_only_delete BEFORE DELETE ON activity
      FOR EACH ROW EXECUTE FUNCTION activity_append_only()`.execute(db);
    return;
  }
  await sql`CREATE TRIGGER activity_append_only_update BEFORE UPDATE ON activity
    WHEN NEW.id IS NOT OLD.id OR NEW.created_at IS NOT OLD.created_at OR NEW.type IS NOT OLD.type
      OR (NEW.actor_id IS NOT OLD.actor_id AND NEW.actor_id IS NOT NULL)
      OR (NEW.subject_id IS NOT OLD.subject_id AND NEW.subject_id IS NOT NULL)
      OR (NEW.ip IS NOT OLD.ip AND NEW.ip <> '')
      OR (NEW.user_agent IS NOT OLD.user_agent AND NEW.user_agent <> '')
      OR (NEW.details IS NOT OLD.details AND NEW.details <> '{}')
    BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END`.execute(db);
  await sql`CREATE TRIGGER activity_append_only_delete BEFORE DELETE ON activity
    BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END`.execute(db);
}

export async function down(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === "postgres") {
    await sql`DROP TRIGGER activity_append_only_delete ON activity`.execute(db);
    await sql`DROP TRIGGER activity_append_only_update ON activity`.execute(db);
    await sql`DROP FUNCTION activity_append_only()`.execute(db);
  } else {
    await sql`DROP TRIGGER activity_append_only_delete`.execute(db);
    await sql`DROP TRIGGER activity_append_only_update`.execute(db);
  }
  await db.schema.dropIndex("sessions_last_seen_at").execute();
  await db.schema.dropIndex("sessions_public_id").execute();
  await db.schema.alterTable("sessions").dropColumn("public_id").execute();
}
