import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../db/connection";
import { newDatabaseUrl, openDatabaseUrl } from "../helpers/database";

/** The command's working folder: on PostgreSQL its data folder (the outbox) is ./data. */
const dir = path.resolve(".tmp/cli", randomUUID());
/** The project's database (a new SQLite file or PostgreSQL database: the command migrates it). */
let databaseUrl: string;
let db: DB;
/** Where the command's development outbox is: next to the SQLite file, or ./data on PostgreSQL. */
const outbox = () => path.join(databaseUrl.startsWith("file:") ? path.dirname(databaseUrl.slice("file:".length)) : path.join(dir, "data"), "outbox");

function user(...args: string[]) {
  return userWithInput(undefined, ...args);
}

/** The command with `input` piped to its standard input (not a terminal). */
function userWithInput(input: string | undefined, ...args: string[]) {
  return userOn(databaseUrl, input, args);
}

function userOn(url: string, input: string | undefined, args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", path.resolve("scripts/user.ts"), ...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      DATABASE_URL: url,
      BCRYPT_COST: "4",
      LOG_LEVEL: "silent",
      // tsx reads the `~` alias from the project's tsconfig, not from the working folder.
      TSX_TSCONFIG_PATH: path.resolve("tsconfig.json"),
    },
    encoding: "utf8",
    input,
  });
  return { code: result.status, out: result.stdout.trim(), err: result.stderr.trim() };
}

beforeAll(async () => {
  fs.mkdirSync(dir, { recursive: true });
  databaseUrl = await newDatabaseUrl();
  db = openDatabaseUrl(databaseUrl);
});
afterAll(async () => {
  await db?.destroy();
});

// Each test starts the command several times (a TypeScript process each, 1-2 s on a
// quiet 2-core machine, several times that on a busy one): a timeout sized to the work.
const CLI_TIMEOUT = { timeout: 180_000 };

describe("npm run user", CLI_TIMEOUT, () => {
  it("creates, lists, deactivates, activates and deletes users", async () => {
    expect(user("create", "--email", "Cli@Example.com", "--password", "long enough pw", "--name", "Cli User")).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^created user \d+ <cli@example.com>$/),
    });
    expect(user("list").out).toMatch(/cli@example.com\tCli User\tactive/);
    expect(user("deactivate", "--email", "cli@example.com")).toMatchObject({ code: 0, out: "deactivated cli@example.com" });
    expect(user("list").out).toMatch(/cli@example.com\tCli User\tinactive/);
    expect(user("activate", "--email", "cli@example.com").code).toBe(0);
    const row = await db.selectFrom("users").select(["active", "password_hash"]).where("email", "=", "cli@example.com").executeTakeFirstOrThrow();
    expect(row.active).toBe(1);
    expect(row.password_hash).toMatch(/^\$2[aby]\$04\$/);
    expect(user("delete", "--email", "cli@example.com")).toMatchObject({ code: 0, out: "deleted cli@example.com" });
    expect(user("list").out).toBe("no users");
  });

  it("create without --password reads the password from standard input when it is not a terminal", async () => {
    const created = userWithInput("piped password 42\nignored second line\n", "create", "--email", "piped@example.com");
    expect(created).toMatchObject({ code: 0, out: expect.stringMatching(/^created user \d+ <piped@example.com>$/) });
    expect(`${created.out}${created.err}`).not.toContain("piped password 42");
    const { password_hash } = await db.selectFrom("users").select("password_hash").where("email", "=", "piped@example.com").executeTakeFirstOrThrow();
    expect(await bcrypt.compare("piped password 42", password_hash)).toBe(true);

    const weak = userWithInput("short\n", "create", "--email", "weak@example.com");
    expect(weak.code).toBe(2);
    expect(weak.err).toMatch(/^error: --password: Password must be at least 8/);
    const empty = userWithInput("", "create", "--email", "empty@example.com");
    expect(empty.code).toBe(2);
    expect(empty.err).toBe("error: --password is required: type it when asked, or give it on standard input");
  });

  it.each([
    [[], /a command is required/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["create", "--email", "a@b.co"], /--password is required/],
    [["create", "--email", "nope", "--password", "long enough pw"], /--email: Enter a valid email address/],
    [["create", "--email", "a@b.co", "--password", "short"], /--password: Password must be at least 8/],
    [["create", "--bogus", "x"], /Unknown option '--bogus'/],
    [["delete", "--email", "ghost@example.com"], /no user with email ghost@example.com/],
    [["create", "--email", "r@b.co", "--password", "long enough pw", "--role", "wizard"], /--role: unknown role "wizard" \(roles: admin, user\)/],
    [["set-role", "--email", "ghost@example.com", "--role", "admin"], /no user with email ghost@example.com/],
  ])("refuses %j with a one-line reason and a non-zero exit", (args, message) => {
    const result = user(...args);
    expect(result.code).not.toBe(0);
    expect(result.err.split("\n")).toHaveLength(1);
    expect(result.err).toMatch(message);
  });

  it("answers a usage error before it opens the database: a mistyped command migrates nothing", async () => {
    const untouched = await newDatabaseUrl();
    for (const args of [[], ["frobnicate", "--email", "a@b.co"]]) expect(userOn(untouched, undefined, args).code).toBe(2);
    const opened = openDatabaseUrl(untouched);
    try {
      expect(await opened.introspection.getTables()).toEqual([]);
    } finally {
      await opened.destroy();
    }
  });

  it("refuses a duplicate email", () => {
    expect(user("create", "--email", "dup@example.com", "--password", "long enough pw").code).toBe(0);
    const again = user("create", "--email", "DUP@example.com", "--password", "long enough pw");
    expect(again.code).toBe(1);
    expect(again.err).toBe("error: An account with this email already exists.");
  });
});

describe("npm run user, roles", CLI_TIMEOUT, () => {
  const rolesOf = async (email: string) => {
    const rows = await db
      .selectFrom("user_roles")
      .innerJoin("roles", "roles.id", "user_roles.role_id")
      .innerJoin("users", "users.id", "user_roles.user_id")
      .select("roles.name")
      .where("users.email", "=", email)
      .orderBy("roles.name")
      .execute();
    return rows.map((r) => r.name);
  };

  it("creates users with the user role by default, or the one given; set-role replaces the roles", async () => {
    expect(user("create", "--email", "member@example.com", "--password", "long enough pw").code).toBe(0);
    expect(await rolesOf("member@example.com")).toEqual(["user"]);
    expect(user("create", "--email", "boss@example.com", "--password", "long enough pw", "--role", "admin")).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^created user \d+ <boss@example.com> with role admin$/),
    });
    expect(await rolesOf("boss@example.com")).toEqual(["admin"]);
    expect(user("list").out).toMatch(/boss@example.com\tboss\tactive\tadmin/);

    expect(user("set-role", "--email", "member@example.com", "--role", "admin,user")).toMatchObject({
      code: 0,
      out: "member@example.com now has role admin,user",
    });
    expect(await rolesOf("member@example.com")).toEqual(["admin", "user"]);
    expect(user("set-role", "--email", "member@example.com", "--role", "user").code).toBe(0);
    expect(await rolesOf("member@example.com")).toEqual(["user"]);
  });

  it("keeps the last active admin, with a one-line reason and a non-zero exit", async () => {
    expect(user("create", "--email", "last@example.com", "--password", "long enough pw", "--role", "admin").code).toBe(0);
    // boss@example.com from the previous test is the other admin: remove it first.
    expect(user("set-role", "--email", "boss@example.com", "--role", "user").code).toBe(0);
    for (const args of [
      ["set-role", "--email", "last@example.com", "--role", "user"],
      ["deactivate", "--email", "last@example.com"],
      ["delete", "--email", "last@example.com"],
    ]) {
      const result = user(...args);
      expect(result.code).toBe(1);
      expect(result.err).toBe("error: This is the last active admin. Make another user an admin first.");
    }
    expect(await rolesOf("last@example.com")).toEqual(["admin"]);
  });

  it("records what it changes in the activity log, with no actor (the command line)", async () => {
    expect(user("create", "--email", "logged@example.com", "--password", "long enough pw").code).toBe(0);
    expect(user("deactivate", "--email", "logged@example.com").code).toBe(0);
    const rows = await db
      .selectFrom("activity")
      .select(["type", "actor_id", "user_agent"])
      .where("subject_id", "=", (eb) => eb.selectFrom("users").select("id").where("email", "=", "logged@example.com"))
      .orderBy("id")
      .execute();
    expect(rows).toEqual([
      { type: "user_created", actor_id: null, user_agent: "command line (npm run user)" },
      { type: "user_deactivated", actor_id: null, user_agent: "command line (npm run user)" },
    ]);
  });
});

describe("npm run user -- reset-two-factor", CLI_TIMEOUT, () => {
  it("turns a user's two-factor off (a lost phone), logs it with no actor and mails the user", async () => {
    expect(user("create", "--email", "lostphone@example.com", "--password", "long enough pw").code).toBe(0);
    const { id } = await db.selectFrom("users").select("id").where("email", "=", "lostphone@example.com").executeTakeFirstOrThrow();
    await db.insertInto("two_factor").values({ user_id: id, secret_encrypted: "v1.x", confirmed_at: 1, last_time_step: null, created_at: 1 }).execute();
    await db.insertInto("recovery_codes").values({ user_id: id, code_hash: "h", created_at: 1 }).execute();

    expect(user("reset-two-factor", "--email", "lostphone@example.com")).toMatchObject({ code: 0, out: "two-factor reset for lostphone@example.com" });
    const count = async (table: "two_factor" | "recovery_codes") =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).where("user_id", "=", id).executeTakeFirstOrThrow()).n);
    expect(await count("two_factor")).toBe(0);
    expect(await count("recovery_codes")).toBe(0);
    expect(
      await db.selectFrom("activity").select(["actor_id", "user_agent"]).where("type", "=", "two_factor_reset").where("subject_id", "=", id).executeTakeFirst(),
    ).toEqual({
      actor_id: null,
      user_agent: "command line (npm run user)",
    });
    const mails = fs.readdirSync(outbox()).filter((f) => f.includes("two_factor_reset"));
    expect(mails).toHaveLength(1);
    expect(fs.readFileSync(path.join(outbox(), mails[0]!), "utf8")).toContain("lostphone@example.com");

    expect(user("reset-two-factor", "--email", "lostphone@example.com")).toMatchObject({ code: 0, out: "two-factor was already off for lostphone@example.com" });
    expect(user("reset-two-factor", "--email", "ghost@example.com")).toMatchObject({ code: 2, err: "error: no user with email ghost@example.com" });
  });
});

describe("npm run user -- passkeys", CLI_TIMEOUT, () => {
  it("lists a user's passkeys and removes one or all of them, logged with no actor", async () => {
    expect(user("create", "--email", "keys@example.com", "--password", "long enough pw").code).toBe(0);
    const { id } = await db.selectFrom("users").select("id").where("email", "=", "keys@example.com").executeTakeFirstOrThrow();
    const passkey = (name: string, credential_id: string, last_used_at: number | null) => ({
      user_id: id,
      name,
      credential_id,
      public_key: "pk",
      counter: 0,
      transports: "[]",
      device_type: "multiDevice",
      backed_up: 1,
      created_at: 0,
      last_used_at,
    });
    const { id: first } = await db.insertInto("passkeys").values(passkey("MacBook Touch ID", "cred-1", null)).returning("id").executeTakeFirstOrThrow();
    await db.insertInto("passkeys").values([passkey("Phone", "cred-2", 86_400_000), passkey("YubiKey", "cred-3", null)]).execute();

    expect(user("passkeys", "list", "keys@example.com")).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^\d+\tMacBook Touch ID\tcreated 1970-01-01T00:00:00.000Z\tlast used never\n\d+\tPhone\tcreated .*\tlast used 1970-01-02T00:00:00.000Z\n\d+\tYubiKey/),
    });
    expect(user("passkeys", "remove", "keys@example.com", String(first))).toMatchObject({ code: 0, out: `removed passkey ${first} (MacBook Touch ID) of keys@example.com` });
    expect(user("passkeys", "remove", "keys@example.com", String(first))).toMatchObject({ code: 2, err: `error: keys@example.com has no passkey ${first}` });
    expect(user("passkeys", "remove", "keys@example.com")).toMatchObject({ code: 0, out: "removed 2 passkeys of keys@example.com" });
    expect(user("passkeys", "list", "keys@example.com")).toMatchObject({ code: 0, out: "no passkeys for keys@example.com" });
    const removals = await db.selectFrom("activity").select(["actor_id", "details"]).where("type", "=", "passkey_removed").where("subject_id", "=", id).orderBy("id").execute();
    expect(removals.map((entry) => ({ actor_id: entry.actor_id, details: JSON.parse(String(entry.details)) }))).toEqual([
      { actor_id: null, details: { passkey: "MacBook Touch ID" } },
      { actor_id: null, details: { passkeys: 2 } },
    ]);

    expect(user("passkeys", "list")).toMatchObject({ code: 2, err: "error: passkeys list: an email is required" });
    expect(user("passkeys", "forget", "keys@example.com")).toMatchObject({ code: 2 });
    expect(user("passkeys", "list", "ghost@example.com")).toMatchObject({ code: 2, err: "error: no user with email ghost@example.com" });
  });
});
