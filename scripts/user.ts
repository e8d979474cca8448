// `npm run user -- <command>`: manage users from the shell, through the same
// domain functions as the app (no second copy of the rules).
import { parseArgs } from "node:util";
import { z } from "zod";
import { closePasswordPool } from "~/auth/password.server";
import { emailField, nameField, passwordField } from "~/auth/validation";
import { closeDatabase, db } from "~/db.server";
import { createUser, deleteUser, findUserByEmail, listUsers, setUserActive } from "~/users/users.server";
import { migrateToLatest } from "../db/migrate";

const USAGE = `usage: npm run user -- <command>
  create --email E --password P [--name N]
  list
  deactivate --email E
  activate --email E
  delete --email E`;

class UsageError extends Error {}

function option(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

function valid<T>(schema: z.ZodType<T>, value: string, name: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`--${name}: ${result.error.issues[0]?.message ?? "invalid"}`);
  return result.data;
}

async function userByEmail(values: Record<string, unknown>) {
  const email = valid(emailField, option(values, "email"), "email");
  const user = await findUserByEmail(email);
  if (!user) throw new UsageError(`no user with email ${email}`);
  return user;
}

async function main(argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "help") return USAGE;
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { email: { type: "string" }, password: { type: "string" }, name: { type: "string" }, role: { type: "string" } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  await migrateToLatest(db);
  switch (command) {
    case "create": {
      const email = valid(emailField, option(values, "email"), "email");
      const password = valid(passwordField, option(values, "password"), "password");
      const name = values.name ? valid(nameField, String(values.name), "name") : email.split("@")[0]!;
      const user = await createUser({ email, password, name });
      return `created user ${user.id} <${user.email}>`;
    }
    case "list": {
      const users = await listUsers();
      if (users.length === 0) return "no users";
      return users
        .map((u) => `${u.id}\t${u.email}\t${u.name}\t${u.active ? "active" : "inactive"}`)
        .join("\n");
    }
    case "deactivate":
    case "activate": {
      const user = await userByEmail(values);
      await setUserActive(user.id, command === "activate");
      return `${command}d ${user.email}`;
    }
    case "delete": {
      const user = await userByEmail(values);
      await deleteUser(user.id);
      return `deleted ${user.email}`;
    }
    case undefined:
      throw new UsageError("a command is required (create, list, deactivate, activate, delete; --help for details)");
    default:
      throw new UsageError(`unknown command "${command}" (create, list, deactivate, activate, delete; --help for details)`);
  }
}

let exitCode = 0;
try {
  console.log(await main(process.argv.slice(2)));
} catch (error) {
  exitCode = error instanceof UsageError ? 2 : 1;
  const message = error instanceof Error ? error.message : String(error);
  console.error(`error: ${message.split("\n")[0]}`);
} finally {
  await Promise.allSettled([closeDatabase(), closePasswordPool()]);
}
process.exit(exitCode);
