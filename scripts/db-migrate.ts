// `npm run db:migrate`: applies pending migrations to DATABASE_URL.
import { db } from "~/db.server";
import { migrateToLatest } from "../db/migrate";
import { runCommand } from "./command";

await runCommand(async () => {
  const applied = await migrateToLatest(db);
  return applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.";
});
