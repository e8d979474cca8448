import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";

function seed(dbPath: string, ...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/db-seed.ts", ...args], {
    env: { PATH: process.env.PATH, NODE_ENV: "test", DATABASE_URL: `file:${dbPath}`, BCRYPT_COST: "4", LOG_LEVEL: "silent" },
    encoding: "utf8",
  });
  return { code: result.status, out: result.stdout.trim(), err: result.stderr.trim() };
}

function freshDb(): string {
  const dir = path.resolve(".tmp/seed", randomUUID());
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, "app.db");
}

describe("npm run db:seed", () => {
  it("inserts N users with the user role into a migrated database, twice without clashing", () => {
    const dbPath = freshDb();
    expect(seed(dbPath, "--users", "2500")).toMatchObject({ code: 0, out: expect.stringMatching(/^inserted 2500 users in [\d.]+ s \([\d,]+ per second\)$/) });
    expect(seed(dbPath, "--users", "100", "--password", "seeded password").code).toBe(0);
    const sql = new Database(dbPath, { readonly: true });
    const count = (query: string) => (sql.prepare(query).get() as { n: number }).n;
    expect(count("SELECT count(*) AS n FROM users")).toBe(2600);
    expect(count("SELECT count(DISTINCT email) AS n FROM users")).toBe(2600);
    expect(count("SELECT count(*) AS n FROM user_roles JOIN roles ON roles.id = role_id WHERE roles.name = 'user'")).toBe(2600);
    expect(count("SELECT count(DISTINCT password_hash) AS n FROM users")).toBe(2);
    sql.close();
  });

  it.each([
    [[], /--users is required/],
    [["--users", "0"], /--users: expected a whole number from 1 to 10,000,000/],
    [["--users", "ten"], /--users: expected a whole number/],
    [["--users", "5", "--password", "short"], /--password: Password must be at least 8/],
    [["--users", "5", "--admins", "2"], /Unknown option '--admins'/],
  ])("refuses %j with a one-line reason and a non-zero exit", (args, message) => {
    const result = seed(freshDb(), ...args);
    expect(result.code).not.toBe(0);
    expect(result.err.split("\n")).toHaveLength(1);
    expect(result.err).toMatch(message);
  });
});
