import { spawnSync } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, type Page } from "@playwright/test";
import { newUser, register, type TestUser, visit } from "./helpers";

/** The e2e server's database (see e2e/start-server.mjs). */
const DB_PATH = path.resolve(".tmp", `e2e-${process.env.E2E_PORT ?? "3210"}`, "app.db");

/** `npm run user -- …` against the e2e server's database, as an operator would run it. */
export function userCli(...args: string[]): string {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/user.ts", ...args], {
    env: { PATH: process.env.PATH, NODE_ENV: "test", DATABASE_URL: `file:${DB_PATH}`, BCRYPT_COST: "4", LOG_LEVEL: "silent" },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`npm run user -- ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Registers a user, makes them an admin from the shell, and opens the user list through the header's Admin link. */
export async function registerAdmin(page: Page, user: TestUser = newUser("Ada Admin")): Promise<TestUser> {
  await register(page, user);
  userCli("set-role", "--email", user.email, "--role", "admin");
  // The role applies at the next request: no new login.
  await visit(page, "/dashboard");
  await page.getByRole("banner").getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  return user;
}

/** Gives a user a role straight in the database (fast arrangement; `npm run user -- set-role` is what operators run). */
export function grantRole(email: string, role: string): void {
  const sql = new Database(DB_PATH);
  try {
    sql.pragma("busy_timeout = 5000");
    sql
      .prepare("INSERT OR IGNORE INTO user_roles (user_id, role_id) SELECT users.id, roles.id FROM users, roles WHERE users.email = ? AND roles.name = ?")
      .run(email, role);
  } finally {
    sql.close();
  }
}

/** Inserts users straight into the database (fast arrangement for list tests); their password is unusable. */
export function insertUsers(users: { name: string; email: string }[]): void {
  const sql = new Database(DB_PATH);
  try {
    sql.pragma("busy_timeout = 5000");
    const insert = sql.prepare(
      "INSERT INTO users (email, name, password_hash, created_at, updated_at) VALUES (?, ?, 'not-a-bcrypt-hash', ?, ?)",
    );
    const role = sql.prepare("INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE name = 'user'");
    sql.transaction(() => {
      users.forEach((user, i) => {
        const now = Date.now() - (users.length - i) * 1000;
        role.run(insert.run(user.email, user.name, now, now).lastInsertRowid);
      });
    })();
  } finally {
    sql.close();
  }
}

/** The body rows of the user table. */
export function userRows(page: Page) {
  return page.getByRole("table").locator("tbody tr");
}
