import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { login, logout, register, sessionCookie, visit } from "./helpers";

/** The e2e server's DATABASE_URL (a postgres:// URL under playwright.postgres.config.ts). */
const DATABASE_URL = () => fs.readFileSync(path.resolve(`.tmp/e2e-${process.env.E2E_PORT ?? 3210}/database-url`), "utf8").trim();

const DAY = 24 * 60 * 60;

test("on PostgreSQL: register, log in with remember me, open the admin user list, log out", async ({ page }) => {
  expect(DATABASE_URL()).toMatch(/^postgres:\/\//);
  const user = await register(page);
  await logout(page);

  await login(page, user, { remember: true });
  const cookie = await sessionCookie(page);
  expect(cookie!.expires).toBeGreaterThan(Date.now() / 1000 + 29 * DAY);

  // Made an admin from the shell, as an operator would (the CLI on the same PostgreSQL database).
  const cli = spawnSync(process.execPath, ["--import", "tsx", "scripts/user.ts", "set-role", "--email", user.email, "--role", "admin"], {
    env: { PATH: process.env.PATH, NODE_ENV: "test", DATABASE_URL: DATABASE_URL(), LOG_LEVEL: "silent" },
    encoding: "utf8",
  });
  expect(cli.status, cli.stderr).toBe(0);
  await visit(page, "/dashboard");
  await page.getByRole("banner").getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  await expect(page.getByRole("main")).toContainText(user.email);

  await visit(page, `/admin/users?q=${encodeURIComponent(user.email.slice(0, 12))}`);
  await expect(page.getByRole("main")).toContainText(user.email);

  await logout(page);
  await visit(page, "/admin/users");
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Fadmin%2Fusers$/);
});
