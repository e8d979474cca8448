import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import bcrypt from "bcryptjs";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";

const dir = path.resolve(".tmp/cli", randomUUID());
const dbPath = path.join(dir, "app.db");

function user(...args: string[]) {
  return userWithInput(undefined, ...args);
}

/** The command with `input` piped to its standard input (not a terminal). */
function userWithInput(input: string | undefined, ...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/user.ts", ...args], {
    env: { PATH: process.env.PATH, NODE_ENV: "test", DATABASE_URL: `file:${dbPath}`, BCRYPT_COST: "4", LOG_LEVEL: "silent" },
    encoding: "utf8",
    input,
  });
  return { code: result.status, out: result.stdout.trim(), err: result.stderr.trim() };
}

beforeAll(() => fs.mkdirSync(dir, { recursive: true }));

// Each test starts the command several times (a TypeScript process each, 1-2 s on a
// quiet 2-core machine, several times that on a busy one): a timeout sized to the work.
const CLI_TIMEOUT = { timeout: 180_000 };

describe("npm run user", CLI_TIMEOUT, () => {
  it("creates, lists, deactivates, activates and deletes users", () => {
    expect(user("create", "--email", "Cli@Example.com", "--password", "long enough pw", "--name", "Cli User")).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^created user \d+ <cli@example.com>$/),
    });
    expect(user("list").out).toMatch(/cli@example.com\tCli User\tactive/);
    expect(user("deactivate", "--email", "cli@example.com")).toMatchObject({ code: 0, out: "deactivated cli@example.com" });
    expect(user("list").out).toMatch(/cli@example.com\tCli User\tinactive/);
    expect(user("activate", "--email", "cli@example.com").code).toBe(0);
    const sql = new Database(dbPath, { readonly: true });
    const row = sql.prepare("SELECT active, password_hash FROM users WHERE email = ?").get("cli@example.com") as {
      active: number;
      password_hash: string;
    };
    sql.close();
    expect(row.active).toBe(1);
    expect(row.password_hash).toMatch(/^\$2[aby]\$04\$/);
    expect(user("delete", "--email", "cli@example.com")).toMatchObject({ code: 0, out: "deleted cli@example.com" });
    expect(user("list").out).toBe("no users");
  });

  it("create without --password reads the password from standard input when it is not a terminal", async () => {
    const created = userWithInput("piped password 42\nignored second line\n", "create", "--email", "piped@example.com");
    expect(created).toMatchObject({ code: 0, out: expect.stringMatching(/^created user \d+ <piped@example.com>$/) });
    expect(`${created.out}${created.err}`).not.toContain("piped password 42");
    const sql = new Database(dbPath, { readonly: true });
    const { password_hash } = sql.prepare("SELECT password_hash FROM users WHERE email = ?").get("piped@example.com") as { password_hash: string };
    sql.close();
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

  it("refuses a duplicate email", () => {
    expect(user("create", "--email", "dup@example.com", "--password", "long enough pw").code).toBe(0);
    const again = user("create", "--email", "DUP@example.com", "--password", "long enough pw");
    expect(again.code).toBe(1);
    expect(again.err).toBe("error: An account with this email already exists.");
  });
});

describe("npm run user, roles", CLI_TIMEOUT, () => {
  const rolesOf = (email: string) => {
    const sql = new Database(dbPath, { readonly: true });
    const rows = sql
      .prepare("SELECT roles.name FROM user_roles JOIN roles ON roles.id = role_id JOIN users ON users.id = user_id WHERE email = ? ORDER BY roles.name")
      .all(email) as { name: string }[];
    sql.close();
    return rows.map((r) => r.name);
  };

  it("creates users with the user role by default, or the one given; set-role replaces the roles", () => {
    expect(user("create", "--email", "member@example.com", "--password", "long enough pw").code).toBe(0);
    expect(rolesOf("member@example.com")).toEqual(["user"]);
    expect(user("create", "--email", "boss@example.com", "--password", "long enough pw", "--role", "admin")).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^created user \d+ <boss@example.com> with role admin$/),
    });
    expect(rolesOf("boss@example.com")).toEqual(["admin"]);
    expect(user("list").out).toMatch(/boss@example.com\tboss\tactive\tadmin/);

    expect(user("set-role", "--email", "member@example.com", "--role", "admin,user")).toMatchObject({
      code: 0,
      out: "member@example.com now has role admin,user",
    });
    expect(rolesOf("member@example.com")).toEqual(["admin", "user"]);
    expect(user("set-role", "--email", "member@example.com", "--role", "user").code).toBe(0);
    expect(rolesOf("member@example.com")).toEqual(["user"]);
  });

  it("keeps the last active admin, with a one-line reason and a non-zero exit", () => {
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
    expect(rolesOf("last@example.com")).toEqual(["admin"]);
  });

  it("records what it changes in the activity log, with no actor (the command line)", () => {
    expect(user("create", "--email", "logged@example.com", "--password", "long enough pw").code).toBe(0);
    expect(user("deactivate", "--email", "logged@example.com").code).toBe(0);
    const sql = new Database(dbPath, { readonly: true });
    const rows = sql
      .prepare("SELECT type, actor_id, user_agent FROM activity WHERE subject_id = (SELECT id FROM users WHERE email = ?) ORDER BY id")
      .all("logged@example.com");
    sql.close();
    expect(rows).toEqual([
      { type: "user_created", actor_id: null, user_agent: "command line (npm run user)" },
      { type: "user_deactivated", actor_id: null, user_agent: "command line (npm run user)" },
    ]);
  });
});

describe("npm run user -- reset-two-factor", CLI_TIMEOUT, () => {
  it("turns a user's two-factor off (a lost phone), logs it with no actor and mails the user", () => {
    expect(user("create", "--email", "lostphone@example.com", "--password", "long enough pw").code).toBe(0);
    const sql = new Database(dbPath);
    const { id } = sql.prepare("SELECT id FROM users WHERE email = ?").get("lostphone@example.com") as { id: number };
    sql.prepare("INSERT INTO two_factor (user_id, secret_encrypted, confirmed_at, created_at) VALUES (?, 'v1.x', 1, 1)").run(id);
    sql.prepare("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, 'h', 1)").run(id);
    sql.close();

    expect(user("reset-two-factor", "--email", "lostphone@example.com")).toMatchObject({ code: 0, out: "two-factor reset for lostphone@example.com" });
    const check = new Database(dbPath, { readonly: true });
    expect(check.prepare("SELECT count(*) AS n FROM two_factor WHERE user_id = ?").get(id)).toEqual({ n: 0 });
    expect(check.prepare("SELECT count(*) AS n FROM recovery_codes WHERE user_id = ?").get(id)).toEqual({ n: 0 });
    expect(check.prepare("SELECT actor_id, user_agent FROM activity WHERE type = 'two_factor_reset' AND subject_id = ?").get(id)).toEqual({
      actor_id: null,
      user_agent: "command line (npm run user)",
    });
    check.close();
    const mails = fs.readdirSync(path.join(dir, "outbox")).filter((f) => f.includes("two_factor_reset"));
    expect(mails).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, "outbox", mails[0]!), "utf8")).toContain("lostphone@example.com");

    expect(user("reset-two-factor", "--email", "lostphone@example.com")).toMatchObject({ code: 0, out: "two-factor was already off for lostphone@example.com" });
    expect(user("reset-two-factor", "--email", "ghost@example.com")).toMatchObject({ code: 2, err: "error: no user with email ghost@example.com" });
  });
});

describe("npm run user -- passkeys", CLI_TIMEOUT, () => {
  it("lists a user's passkeys and removes one or all of them, logged with no actor", () => {
    expect(user("create", "--email", "keys@example.com", "--password", "long enough pw").code).toBe(0);
    const sql = new Database(dbPath);
    const { id } = sql.prepare("SELECT id FROM users WHERE email = ?").get("keys@example.com") as { id: number };
    const insert = sql.prepare(
      "INSERT INTO passkeys (user_id, name, credential_id, public_key, counter, transports, device_type, backed_up, created_at, last_used_at) VALUES (?, ?, ?, 'pk', 0, '[]', 'multiDevice', 1, 0, ?)",
    );
    const first = Number(insert.run(id, "MacBook Touch ID", "cred-1", null).lastInsertRowid);
    insert.run(id, "Phone", "cred-2", 86_400_000);
    insert.run(id, "YubiKey", "cred-3", null);
    sql.close();

    expect(user("passkeys", "list", "keys@example.com")).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^\d+\tMacBook Touch ID\tcreated 1970-01-01T00:00:00.000Z\tlast used never\n\d+\tPhone\tcreated .*\tlast used 1970-01-02T00:00:00.000Z\n\d+\tYubiKey/),
    });
    expect(user("passkeys", "remove", "keys@example.com", String(first))).toMatchObject({ code: 0, out: `removed passkey ${first} (MacBook Touch ID) of keys@example.com` });
    expect(user("passkeys", "remove", "keys@example.com", String(first))).toMatchObject({ code: 2, err: `error: keys@example.com has no passkey ${first}` });
    expect(user("passkeys", "remove", "keys@example.com")).toMatchObject({ code: 0, out: "removed 2 passkeys of keys@example.com" });
    expect(user("passkeys", "list", "keys@example.com")).toMatchObject({ code: 0, out: "no passkeys for keys@example.com" });
    const check = new Database(dbPath, { readonly: true });
    expect(check.prepare("SELECT actor_id, details FROM activity WHERE type = 'passkey_removed' AND subject_id = ? ORDER BY id").all(id)).toEqual([
      { actor_id: null, details: JSON.stringify({ passkey: "MacBook Touch ID" }) },
      { actor_id: null, details: JSON.stringify({ passkeys: 2 }) },
    ]);
    check.close();

    expect(user("passkeys", "list")).toMatchObject({ code: 2, err: "error: passkeys list: an email is required" });
    expect(user("passkeys", "forget", "keys@example.com")).toMatchObject({ code: 2 });
    expect(user("passkeys", "list", "ghost@example.com")).toMatchObject({ code: 2, err: "error: no user with email ghost@example.com" });
  });
});
