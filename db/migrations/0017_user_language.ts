import type { Kysely } from "kysely";

/**
 * The language a user chose with the layout's switch (`en`, `es`:
 * app/i18n/languages.ts); null = not chosen, so the browser's
 * `Accept-Language` decides (docs/decisions/017-languages.md).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").addColumn("language", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").dropColumn("language").execute();
}
