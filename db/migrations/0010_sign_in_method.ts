import type { Kysely } from "kysely";

/**
 * Sessions remember how they were signed in (`password`, `password+code`,
 * `passkey`, `oidc:<provider>`, `oidc:<provider>+code`: app/auth/sign-in-method.ts),
 * and a pending two-factor login remembers its first factor, so the devices
 * page and the activity log can say it. Rows from before this migration were
 * all password sign-ins.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("sessions").addColumn("method", "text", (c) => c.notNull().defaultTo("password")).execute();
  await db.schema.alterTable("pending_logins").addColumn("method", "text", (c) => c.notNull().defaultTo("password")).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("pending_logins").dropColumn("method").execute();
  await db.schema.alterTable("sessions").dropColumn("method").execute();
}
