// `npm run db:seed -- --users N [--password P]`: fills the database with N
// realistic users (thousands per second). Without --password they get a random
// one nobody knows: seeded data is for looking at, not for logging in.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { hashPassword } from "~/auth/password.server";
import { fieldMessage, passwordField } from "~/auth/validation";
import { i18nFor } from "~/i18n/i18n.server";
import { db } from "~/db.server";
import { migrateToLatest } from "../db/migrate";
import { runCommand, UsageError } from "./command";
import { seedUsers } from "../db/seed";

/** Commands speak English (the catalogs' texts for the schemas' messages). */
const english = i18nFor("en").t;

const USAGE = "usage: npm run db:seed -- --users N [--password P]";
const MAX_USERS = 10_000_000;

function parse(argv: string[]): { users: number; password: string | undefined } {
  let values: { users?: string; password?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { users: { type: "string" }, password: { type: "string" }, help: { type: "boolean" } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) throw new UsageError(USAGE);
  if (values.users === undefined) throw new UsageError(`--users is required (${USAGE})`);
  if (!/^\d+$/.test(values.users) || Number(values.users) < 1 || Number(values.users) > MAX_USERS) {
    throw new UsageError(`--users: expected a whole number from 1 to ${MAX_USERS.toLocaleString("en")}`);
  }
  if (values.password !== undefined) {
    const result = passwordField.safeParse(values.password);
    if (!result.success) throw new UsageError(`--password: ${fieldMessage(result.error.issues[0]?.message ?? "invalid", english)}`);
  }
  return { users: Number(values.users), password: values.password };
}

async function main(argv: string[]): Promise<string> {
  const { users, password } = parse(argv);
  await migrateToLatest(db);
  const passwordHash = await hashPassword(password ?? randomBytes(24).toString("base64url"));
  const { inserted, ms } = await seedUsers(db, { count: users, passwordHash });
  const perSecond = Math.round(inserted / (ms / 1000));
  return `inserted ${inserted} users in ${(ms / 1000).toFixed(1)} s (${perSecond.toLocaleString("en")} per second)`;
}

await runCommand(main);
