// `npm run db:migrate`: applies pending migrations to DATABASE_URL.
import { ConfigError } from "~/config.server";
import { closeDatabase, db } from "~/db.server";
import { migrateToLatest } from "../db/migrate";

try {
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
  await closeDatabase();
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
  process.exit(1);
}
