// `npm run db:migrate`: applies pending migrations to DATABASE_URL.
import { db } from "~/db.server";
import { migrateToLatest } from "../db/migrate";
import { runCommand, UsageError } from "./command";

await runCommand(async (args) => {
  if (args.length) throw new UsageError(`unexpected argument "${args[0]}" (usage: npm run db:migrate)`);
  const applied = await migrateToLatest(db);
  return applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.";
});
