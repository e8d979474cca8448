import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { generate } from "otplib";
import { userCli } from "./admin-helpers";
// These tests walk many pages each (axe on every one); without JavaScript a
// walk took 26-31 s on a slow day against the default 30 s. Their timeout is
// sized to the work, with room for a machine three times slower.
test.describe.configure({ timeout: 120_000 });

import { BASE_URL, e2eDatabase, exactPath, jsEnabled, logout, makeSessionsStale, newUser, ready, register, submitLogin, url, visit } from "./helpers";

/**
 * axe-core on every page of the app, signed out, signed in and as an admin,
 * including the pages a form post leads to (errors, the 429 page, two-factor
 * steps). WCAG 2.1 A and AA plus axe's best practices; any violation fails.
 */

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

/**
 * The violations on the page as it is now. Axe runs as a script in the page: in
 * the "no-js" project the page's HTML (the DOM a browser without JavaScript
 * built) is replayed at the same address in a context with JavaScript on for
 * axe, and the app's own scripts blocked.
 */
async function violations(page: Page): Promise<string[]> {
  let target = page;
  if (!jsEnabled()) {
    const html = await page.content();
    const address = page.url();
    const context = await page.context().browser()!.newContext({ baseURL: BASE_URL, javaScriptEnabled: true });
    target = await context.newPage();
    await target.route("**/build/**/*.js", (route) => route.abort());
    await target.route(
      (requested) => requested.href === address,
      (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }),
      { times: 1 },
    );
    await target.goto(address);
    await expect(target.locator("main h1")).toHaveText(await page.locator("main h1").allTextContents());
  }
  try {
    const results = await new AxeBuilder({ page: target }).withTags(AXE_TAGS).analyze();
    return results.violations.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n` +
        v.nodes.map((n) => `    ${n.target.join(" ")}\n      ${n.failureSummary?.replace(/\n/g, "\n      ")}`).join("\n"),
    );
  } finally {
    if (target !== page) await target.context().close();
  }
}

/** Asserts the current page has no violations; `label` names the page state in the failure message. */
async function expectAccessible(page: Page, label: string): Promise<void> {
  await ready(page);
  expect(await violations(page), `axe violations on ${label} (${page.url()})`).toEqual([]);
}

async function expectPageAccessible(page: Page, path: string): Promise<void> {
  await visit(page, path);
  await expectAccessible(page, path);
}

function totp(secret: string, steps = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });
}

test("signed-out pages", async ({ page }) => {
  for (const path of ["/", "/login", "/register", "/forgot-password", "/reset-password", "/verify-email?token=bogus"]) {
    await expectPageAccessible(page, path);
  }

  // A bogus reset token redirects to the clear error page.
  await visit(page, "/reset-password?token=bogus");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expectAccessible(page, "/reset-password?token=bogus");

  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expectAccessible(page, "the 404 page");
});

test("signed-out forms showing errors", async ({ page }) => {
  await visit(page, "/login");
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectAccessible(page, "the empty login form");

  await submitLogin(page, { email: "nobody@example.com", password: "wrong password" });
  await expect(page.getByRole("alert")).toHaveText("Invalid email or password.");
  await expectAccessible(page, "the login form with wrong credentials");

  await visit(page, "/register");
  await page.getByLabel("Email", { exact: true }).fill("not an email");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Create account", exact: true }).click();
  await expect(page.locator(".field-error").first()).toBeVisible();
  await expectAccessible(page, "the register form with bad input");

  await visit(page, "/forgot-password");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.locator(".field-error").first()).toBeVisible();
  await expectAccessible(page, "the empty forgot-password form");

  await visit(page, "/forgot-password");
  await page.getByLabel("Email", { exact: true }).fill(newUser().email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
  await expectAccessible(page, "the forgot-password confirmation");
});

test("the 429 page", async ({ page }) => {
  // A dedicated address: the limit counts per account, so no other test is locked out.
  const email = newUser().email;
  for (let i = 0; i < 5; i++) {
    await submitLogin(page, { email, password: "wrong password" });
    await expect(page.getByRole("alert")).toHaveText("Invalid email or password.");
  }
  await submitLogin(page, { email, password: "wrong password" });
  await expect(page.getByRole("heading", { level: 1, name: "Too many attempts" })).toBeVisible();
  await expectAccessible(page, "the 429 page");
});

test("signed-in pages", async ({ page }) => {
  await register(page);
  for (const path of [
    "/dashboard",
    "/dashboard/notes",
    "/logout",
    "/settings/profile",
    "/settings/email",
    "/settings/password",
    "/settings/two-factor",
    "/settings/sessions",
    "/settings/activity",
    "/settings/delete-account",
  ]) {
    await expectPageAccessible(page, path);
  }
});

test("signed-in forms showing errors, and a note", async ({ page }) => {
  await register(page);
  await visit(page, "/dashboard/notes");
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.locator(".field-error").first()).toBeVisible();
  await expectAccessible(page, "the empty note form");

  await visit(page, "/dashboard/notes");
  await page.getByLabel("Title").fill("Shopping");
  await page.getByLabel("Text").fill("Milk, bread");
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page).toHaveURL(/\/dashboard\/notes\/\d+$/);
  await expect(page.getByRole("heading", { name: "Shopping" })).toBeVisible();
  await expectAccessible(page, "a note page");

  await visit(page, "/settings/password");
  await page.getByLabel("Current password").fill("not the password");
  await page.getByLabel("New password").fill("short");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.locator(".field-error, [role=alert]").first()).toBeVisible();
  await expectAccessible(page, "the password form with errors");

  await visit(page, "/settings/delete-account");
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.locator(".field-error, [role=alert]").first()).toBeVisible();
  await expectAccessible(page, "the delete-account form with errors");
});

test("reauthentication", async ({ page }) => {
  const user = await register(page);
  makeSessionsStale(user.email);
  await visit(page, "/settings/sessions");
  await expect(page.getByRole("link", { name: "Confirm it now" })).toBeVisible();
  await expectAccessible(page, "the sessions page of a stale session");

  await visit(page, "/settings/password");
  await expect(page).toHaveURL(/\/reauthenticate\?redirectTo=/);
  await expect(page.getByRole("heading", { level: 1, name: "Confirm it's you" })).toBeVisible();
  await expectAccessible(page, "/reauthenticate");

  await page.getByLabel("Password", { exact: true }).fill("not the password");
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("alert")).toHaveText("Incorrect password.");
  await expectAccessible(page, "/reauthenticate with a wrong password");
});

test("two-factor: setup, recovery codes, the login code step", async ({ page }) => {
  const user = await register(page);
  await visit(page, "/settings/two-factor");
  await page.getByRole("button", { name: "Set up two-factor" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  await expectAccessible(page, "the two-factor setup step");

  const uri = (await page.getByText(/^otpauth:\/\/totp\//).textContent())!;
  const secret = new URL(uri).searchParams.get("secret")!;
  await ready(page);
  await page.getByLabel("Code from your app").fill("000000");
  await page.getByRole("button", { name: "Turn on two-factor" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectAccessible(page, "the two-factor setup step with a wrong code");

  await ready(page);
  await page.getByLabel("Code from your app").fill(await totp(secret));
  await page.getByRole("button", { name: "Turn on two-factor" }).click();
  await expect(page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem")).toHaveCount(10);
  await expectAccessible(page, "the recovery codes page");

  await expectPageAccessible(page, "/settings/two-factor");

  await logout(page);
  await submitLogin(page, user);
  await expect(page).toHaveURL(exactPath("/login/two-factor"));
  await expectAccessible(page, "/login/two-factor");

  await ready(page);
  await page.getByLabel("Authentication code").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectAccessible(page, "/login/two-factor with a wrong code");
});

test("admin pages, and the 403 page for everyone else", async ({ page, browser }) => {
  const admin = await register(page, newUser("Ada Admin"));
  userCli("set-role", "--email", admin.email, "--role", "admin");
  const other = newUser("Grace Hopper");
  userCli("create", "--email", other.email, "--name", other.name, "--password", other.password);
  const db = e2eDatabase();
  const { id } = db.prepare("SELECT id FROM users WHERE email = ?").get(other.email) as { id: number };
  db.close();

  for (const path of [
    "/admin/users",
    `/admin/users?q=${encodeURIComponent("Grace")}`,
    "/admin/users?q=nobody-matches-this",
    "/admin/users/new",
    `/admin/users/${id}`,
    `/admin/users/${id}?confirm=delete`,
    "/admin/audit",
  ]) {
    await expectPageAccessible(page, path);
  }

  if (jsEnabled()) {
    await visit(page, `/admin/users/${id}`);
    await page.getByRole("link", { name: "Delete user…" }).click();
    await expect(page.getByRole("dialog", { name: `Delete ${other.name}?` })).toBeVisible();
    await expectAccessible(page, "the delete dialog");
  }

  await visit(page, "/admin/users/new");
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.locator(".field-error").first()).toBeVisible();
  await expectAccessible(page, "the new-user form with errors");

  // A signed-in user without the admin role.
  const context = await browser.newContext({ baseURL: BASE_URL, javaScriptEnabled: jsEnabled() });
  const user = await context.newPage();
  await register(user);
  const response = await user.goto("/admin/users");
  expect(response?.status()).toBe(403);
  await expect(user.getByRole("heading", { level: 1, name: "Forbidden" })).toBeVisible();
  await expectAccessible(user, "the 403 page");
  expect(user.url()).toBe(url("/admin/users"));
  await context.close();
});
