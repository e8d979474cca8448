import { expect, type Page, test } from "@playwright/test";
import { generate } from "otplib";
import { grantRole, insertUsers } from "./admin-helpers";
import { signInWithTestProvider } from "./oidc-helpers";
import {
  e2eDatabase,
  exactPath,
  jsEnabled,
  logout,
  makeSessionsStale,
  newUser,
  ready,
  register,
  submitLogin,
  url,
  useSpanish,
  visit,
} from "./helpers";
import { expectAccessible } from "./axe";

// One page, or one short sequence of page states, per test: axe on a page
// takes a few seconds (without JavaScript the page is replayed in a second
// context), and walks of seven pages ran 26-78 s on slow days. Each test here
// does at most three axe runs; without JavaScript the longest took 51 s in a
// clean-clone CI run (2026-12-02), so these get 180 s: room for a machine
// three times slower.
test.describe.configure({ timeout: 180_000 });

/**
 * axe-core on every page of the app, signed out, signed in and as an admin,
 * including the pages a form post leads to (errors, the 429 page, two-factor
 * steps). WCAG 2.1 A and AA plus axe's best practices; any violation fails.
 */

async function expectPageAccessible(page: Page, path: string): Promise<void> {
  await visit(page, path);
  await expectAccessible(page, path);
}

function totp(secret: string, steps = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });
}

const SIGNED_OUT_PAGES = ["/", "/login", "/register", "/forgot-password", "/reset-password", "/verify-email?token=bogus"];

for (const path of SIGNED_OUT_PAGES) {
  test(`signed-out page ${path}`, async ({ page }) => {
    await expectPageAccessible(page, path);
  });
}

test("a bogus reset link and the 404 page", async ({ page }) => {
  // A bogus reset token redirects to the clear error page.
  await visit(page, "/reset-password?token=bogus");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expectAccessible(page, "/reset-password?token=bogus");

  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expectAccessible(page, "the 404 page");
});

test("the login form showing errors", async ({ page }) => {
  await visit(page, "/login");
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectAccessible(page, "the empty login form");

  await submitLogin(page, { email: "nobody@example.com", password: "wrong password" });
  await expect(page.getByRole("alert")).toHaveText("Invalid email or password.");
  await expectAccessible(page, "the login form with wrong credentials");
});

test("the register form showing errors", async ({ page }) => {
  await visit(page, "/register");
  await page.getByLabel("Email", { exact: true }).fill("not an email");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Create account", exact: true }).click();
  await expect(page.locator(".field-error").first()).toBeVisible();
  await expectAccessible(page, "the register form with bad input");
});

test("the forgot-password form: errors and the confirmation", async ({ page }) => {
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

const SIGNED_IN_PAGES = [
  "/dashboard",
  "/dashboard/notes",
  "/logout",
  "/settings/profile",
  "/settings/email",
  "/settings/password",
  "/settings/two-factor",
  "/settings/sessions",
  "/settings/connections",
  "/settings/activity",
  "/settings/delete-account",
];

for (const path of SIGNED_IN_PAGES) {
  test(`signed-in page ${path}`, async ({ page }) => {
    await register(page);
    await expectPageAccessible(page, path);
  });
}

test("the note form showing errors, and a note", async ({ page }) => {
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
});

test("the password and delete-account forms showing errors", async ({ page }) => {
  await register(page);
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

test("the confirm-link page of a provider sign-in, and connections with a linked provider", async ({ page }) => {
  const user = await register(page);
  await logout(page);
  await visit(page, "/login");
  await signInWithTestProvider(page, user.email);
  await expect(page.getByRole("heading", { level: 1, name: "Link Test IdP to your account" })).toBeVisible();
  await expectAccessible(page, "the confirm-link page");

  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Link and sign in" }).click();
  await expect(page).toHaveURL(exactPath("/dashboard"));
  await visit(page, "/settings/connections");
  await expect(page.getByRole("heading", { level: 2, name: "Test IdP" })).toBeVisible();
  await expectAccessible(page, "/settings/connections with a linked provider");
});

/** Opens the two-factor setup step; returns the secret from the otpauth URI. */
async function startTwoFactorSetup(page: Page): Promise<string> {
  await visit(page, "/settings/two-factor");
  await page.getByRole("button", { name: "Set up two-factor" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const uri = (await page.getByText(/^otpauth:\/\/totp\//).textContent())!;
  return new URL(uri).searchParams.get("secret")!;
}

async function finishTwoFactorSetup(page: Page, secret: string): Promise<void> {
  await ready(page);
  await page.getByLabel("Code from your app").fill(await totp(secret));
  await page.getByRole("button", { name: "Turn on two-factor" }).click();
  await expect(page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem")).toHaveCount(10);
}

test("two-factor setup: the QR step, a wrong code, the recovery codes", async ({ page }) => {
  await register(page);
  const secret = await startTwoFactorSetup(page);
  await expectAccessible(page, "the two-factor setup step");

  await ready(page);
  await page.getByLabel("Code from your app").fill("000000");
  await page.getByRole("button", { name: "Turn on two-factor" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectAccessible(page, "the two-factor setup step with a wrong code");

  await finishTwoFactorSetup(page, secret);
  await expectAccessible(page, "the recovery codes page");
});

test("two-factor on: the settings page and the login code step", async ({ page }) => {
  const user = await register(page);
  await finishTwoFactorSetup(page, await startTwoFactorSetup(page));
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

/** An admin signed in on `page`, and another user they manage (arranged in the database: the CLI has its own tests). */
async function adminAndOther(page: Page): Promise<{ otherId: number; otherName: string }> {
  const admin = await register(page, newUser("Ada Admin"));
  grantRole(admin.email, "admin");
  const other = newUser("Grace Hopper");
  insertUsers([other]);
  const db = e2eDatabase();
  try {
    const { id } = db.prepare("SELECT id FROM users WHERE email = ?").get(other.email) as { id: number };
    return { otherId: id, otherName: other.name };
  } finally {
    db.close();
  }
}

const ADMIN_PAGES: ((otherId: number) => string)[] = [
  () => "/admin/users",
  () => `/admin/users?q=${encodeURIComponent("Grace")}`,
  () => "/admin/users?q=nobody-matches-this",
  () => "/admin/users/new",
  (id) => `/admin/users/${id}`,
  (id) => `/admin/users/${id}?confirm=delete`,
  () => "/admin/audit",
];

for (const pathOf of ADMIN_PAGES) {
  test(`admin page ${pathOf(0).replace("/0", "/<id>")}`, async ({ page }) => {
    const { otherId } = await adminAndOther(page);
    await expectPageAccessible(page, pathOf(otherId));
  });
}

test("admin forms: the delete dialog and the new-user form with errors", async ({ page }) => {
  const { otherId, otherName } = await adminAndOther(page);
  if (jsEnabled()) {
    await visit(page, `/admin/users/${otherId}`);
    await page.getByRole("link", { name: "Delete user…" }).click();
    await expect(page.getByRole("dialog", { name: `Delete ${otherName}?` })).toBeVisible();
    await expectAccessible(page, "the delete dialog");
  }

  await visit(page, "/admin/users/new");
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.locator(".field-error").first()).toBeVisible();
  await expectAccessible(page, "the new-user form with errors");
});

test("the 403 page for a user without the admin role", async ({ page }) => {
  await register(page);
  const response = await page.goto("/admin/users");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1, name: "Forbidden" })).toBeVisible();
  await expectAccessible(page, "the 403 page");
  expect(page.url()).toBe(url("/admin/users"));
});

// In Spanish: every signed-out and signed-in page, an admin page and a form with errors (axe checks
// the page's lang, labels and names in that language too). One page per test.
test.describe("in Spanish", () => {
  for (const path of SIGNED_OUT_PAGES) {
    test(`signed-out page ${path} (es)`, async ({ page }) => {
      await useSpanish(page);
      await expectPageAccessible(page, path);
      await expect(page.locator("html")).toHaveAttribute("lang", "es");
    });
  }

  for (const path of SIGNED_IN_PAGES) {
    test(`signed-in page ${path} (es)`, async ({ page }) => {
      await register(page);
      await useSpanish(page);
      await expectPageAccessible(page, path);
      await expect(page.locator("html")).toHaveAttribute("lang", "es");
    });
  }

  test("admin page /admin/users/<id> (es)", async ({ page }) => {
    const { otherId } = await adminAndOther(page);
    await useSpanish(page);
    await expectPageAccessible(page, `/admin/users/${otherId}`);
  });

  test("the login form showing errors (es)", async ({ page }) => {
    await useSpanish(page);
    await visit(page, "/login");
    await page.getByLabel("Correo electrónico", { exact: true }).fill("nadie@example.com");
    await page.getByLabel("Contraseña", { exact: true }).fill("contraseña equivocada");
    await page.getByRole("button", { name: "Iniciar sesión", exact: true }).click();
    await expect(page.getByRole("alert")).toHaveText("Correo electrónico o contraseña incorrectos.");
    await expectAccessible(page, "the Spanish login form with wrong credentials");
  });
});
