// `npm run user -- <command>`: manage users from the shell, through the same
// domain functions as the app (no second copy of the rules).
import { parseArgs } from "node:util";
import { z } from "zod";
import { emailField, fieldMessage, nameField, passwordField } from "~/auth/validation";
import { i18nFor } from "~/i18n/i18n.server";
import { listPasskeys, removePasskeys } from "~/auth/passkeys.server";
import { db } from "~/db.server";
import { listRoles } from "~/users/roles.server";
import {
  type Actor,
  createUser,
  deleteUser,
  findUserByEmail,
  listUsers,
  removeAllPasskeys,
  resetTwoFactor,
  setUserActive,
  updateUser,
} from "~/users/users.server";
import { migrateToLatest } from "../db/migrate";
import { runCommand, UsageError } from "./command";

/** Commands speak English (the catalogs' texts for the schemas' messages). */
const english = i18nFor("en").t;

const USAGE = `usage: npm run user -- <command>
  create --email E [--password P] [--name N] [--role R]   (default role: user)
                                    without --password: asked for (hidden) on a terminal,
                                    else read from standard input (first line)
  list
  set-role --email E --role R       (replaces the user's roles; R may be a comma-separated list)
  deactivate --email E
  activate --email E
  delete --email E
  reset-two-factor --email E        (a lost phone: turns two-factor off; the user is told by email)
  passkeys list <email>             (id, name, created, last used)
  passkeys remove <email> [<id>]    (one passkey, or all of them: a lost device)`;
/** The commands that take --options (checked before the database is opened or migrated). */
const ONE_WORD_COMMANDS = new Set(["create", "list", "set-role", "deactivate", "activate", "delete", "reset-two-factor"]);
const COMMANDS = [...ONE_WORD_COMMANDS, "passkeys"].join(", ");

/** Changes made here are logged like an admin's, with no actor: the command line. */
const COMMAND_LINE: Actor = { userId: null, origin: { ip: "", userAgent: "command line (npm run user)" } };

function option(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

function valid<T>(schema: z.ZodType<T>, value: string, name: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`--${name}: ${fieldMessage(result.error.issues[0]?.message ?? "invalid", english)}`);
  return result.data;
}

/** Typed ahead of the next prompt (two lines can arrive in one chunk). */
let typedAhead = "";

/** Reads a line on the terminal without showing it (raw mode: no echo). Ctrl-C cancels. */
function promptHidden(question: string): Promise<string> {
  const { stdin, stderr } = process;
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (outcome: () => void) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write("\n");
      outcome();
    };
    const onData = (chunk: string) => {
      for (let i = 0; i < chunk.length; i++) {
        const char = chunk[i]!;
        if (char === "\r" || char === "\n" || char === "\u0004") {
          typedAhead = chunk.slice(i + 1).replace(/^\n/, "");
          return finish(() => resolve(value));
        }
        if (char === "\u0003") return finish(() => reject(new UsageError("cancelled")));
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else if (char >= " ") value += char;
      }
    };
    stdin.on("data", onData);
    if (typedAhead) {
      const ahead = typedAhead;
      typedAhead = "";
      onData(ahead);
    }
    stdin.resume();
  });
}

/** The first line of standard input (a piped password: `printf '%s\n' "$PW" | npm run user -- create ...`). */
async function firstLineOfStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
}

/**
 * The new user's password: --password (which stays in the shell's history), else
 * asked for twice, hidden, on a terminal, else the first line of standard input.
 */
async function newPassword(values: Record<string, unknown>): Promise<string> {
  if (values.password !== undefined) return option(values, "password");
  let password: string;
  if (process.stdin.isTTY) {
    password = await promptHidden("Password: ");
    if (password && (await promptHidden("Repeat the password: ")) !== password) throw new UsageError("the passwords do not match");
  } else {
    password = await firstLineOfStdin();
  }
  if (!password) throw new UsageError("--password is required: type it when asked, or give it on standard input");
  return password;
}

async function userByEmail(values: Record<string, unknown>) {
  const email = valid(emailField, option(values, "email"), "email");
  const user = await findUserByEmail(email);
  if (!user) throw new UsageError(`no user with email ${email}`);
  return user;
}

async function roleList(values: Record<string, unknown>): Promise<string[]> {
  const roles = option(values, "role")
    .split(",")
    .map((role) => role.trim())
    .filter(Boolean);
  if (roles.length === 0) throw new UsageError("--role is required");
  const known = (await listRoles()).map((role) => role.name);
  const unknown = roles.find((role) => !known.includes(role));
  if (unknown !== undefined) throw new UsageError(`--role: unknown role "${unknown}" (roles: ${known.join(", ")})`);
  return roles;
}

/** `passkeys list <email>` / `passkeys remove <email> [<id>]`. */
async function passkeys(args: string[]): Promise<string> {
  const [sub, rawEmail, rawId, ...extra] = args;
  if (sub !== "list" && sub !== "remove") throw new UsageError(`passkeys: expected list or remove (--help for details)`);
  if (extra.length > 0 || (sub === "list" && rawId !== undefined)) throw new UsageError(`passkeys ${sub}: too many arguments`);
  if (rawEmail === undefined || rawEmail.startsWith("-")) throw new UsageError(`passkeys ${sub}: an email is required`);
  const passkeyId = rawId === undefined ? null : valid(z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER), rawId, "id");
  await migrateToLatest(db);
  const user = await userByEmail({ email: rawEmail });
  if (sub === "list") {
    const list = await listPasskeys(user.id);
    if (list.length === 0) return `no passkeys for ${user.email}`;
    const when = (ms: number | null) => (ms === null ? "never" : new Date(ms).toISOString());
    return list.map((p) => `${p.id}\t${p.name}\tcreated ${when(p.createdAt)}\tlast used ${when(p.lastUsedAt)}`).join("\n");
  }
  if (passkeyId === null) {
    const removed = await removeAllPasskeys(user.id, COMMAND_LINE);
    return `removed ${removed} ${removed === 1 ? "passkey" : "passkeys"} of ${user.email}`;
  }
  const [name] = await removePasskeys(user.id, passkeyId, { actorId: null, origin: COMMAND_LINE.origin });
  if (name === undefined) throw new UsageError(`${user.email} has no passkey ${passkeyId}`);
  return `removed passkey ${passkeyId} (${name}) of ${user.email}`;
}

async function main(argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "help") return USAGE;
  if (command === "passkeys") return passkeys(rest);
  if (command === undefined) throw new UsageError(`a command is required (${COMMANDS}; --help for details)`);
  if (!ONE_WORD_COMMANDS.has(command)) throw new UsageError(`unknown command "${command}" (${COMMANDS}; --help for details)`);
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
      const password = valid(passwordField, await newPassword(values), "password");
      const name = values.name ? valid(nameField, String(values.name), "name") : email.split("@")[0]!;
      const roles = values.role === undefined ? undefined : await roleList(values);
      const user = await createUser({ email, password, name, roles }, Date.now(), COMMAND_LINE);
      return `created user ${user.id} <${user.email}>${roles ? ` with role ${roles.join(",")}` : ""}`;
    }
    case "list": {
      const users = await listUsers();
      if (users.length === 0) return "no users";
      return users
        .map((u) => `${u.id}\t${u.email}\t${u.name}\t${u.active ? "active" : "inactive"}\t${u.roles.join(",")}`)
        .join("\n");
    }
    case "set-role": {
      const user = await userByEmail(values);
      const roles = await roleList(values);
      await updateUser(user.id, { roles }, Date.now(), COMMAND_LINE);
      return `${user.email} now has role ${[...new Set(roles)].sort().join(",")}`;
    }
    case "deactivate":
    case "activate": {
      const user = await userByEmail(values);
      await setUserActive(user.id, command === "activate", Date.now(), COMMAND_LINE);
      return `${command}d ${user.email}`;
    }
    case "delete": {
      const user = await userByEmail(values);
      await deleteUser(user.id, COMMAND_LINE);
      return `deleted ${user.email}`;
    }
    case "reset-two-factor": {
      const user = await userByEmail(values);
      const reset = await resetTwoFactor(user.id, COMMAND_LINE);
      return reset ? `two-factor reset for ${user.email}` : `two-factor was already off for ${user.email}`;
    }
    default:
      throw new UsageError(`unknown command "${command}" (${COMMANDS}; --help for details)`);
  }
}

await runCommand(main);
