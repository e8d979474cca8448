import { expect, test } from "@playwright/test";
import { currentUser, exactPath, flash, login, logout, newUser, register, uniqueEmail, visit } from "./helpers";
import { signInWithTestProvider, throughTestProvider } from "./oidc-helpers";

/**
 * Sign-in with an OpenID Connect provider (a real one: oidc-provider, started
 * by e2e/start-server.mjs), through its own login page, with JavaScript on
 * and off.
 */

test("a first sign-in with the provider creates the account and signs in", async ({ page }) => {
  const email = uniqueEmail();
  await visit(page, "/login");
  await signInWithTestProvider(page, email);
  await expect(page).toHaveURL(exactPath("/dashboard"));
  await expect(currentUser(page)).toHaveText(email.split("@")[0]!);
  await visit(page, "/settings/connections");
  await expect(page.getByRole("heading", { level: 2, name: "Test IdP" })).toBeVisible();
  await expect(page.getByRole("main").getByText(email)).toBeVisible();
});

test("links the provider from settings, signs in with it, unlinks it, and signs in again with the password", async ({ page }) => {
  const user = await register(page, newUser("Grace Hopper"));
  const providerEmail = uniqueEmail();
  await visit(page, "/settings/connections");
  await expect(page.getByText("No provider is linked yet.")).toBeVisible();
  await page.getByRole("button", { name: "Link Test IdP" }).click();
  await throughTestProvider(page, providerEmail);
  await expect(page).toHaveURL(exactPath("/settings/connections"));
  await expect(flash(page)).toHaveText("Test IdP is linked: you can sign in with it.");
  await expect(page.getByRole("main").getByText(providerEmail)).toBeVisible();

  await logout(page);
  await visit(page, "/login");
  await signInWithTestProvider(page, providerEmail);
  await expect(page).toHaveURL(exactPath("/dashboard"));
  await expect(currentUser(page)).toHaveText(user.name);

  await visit(page, "/settings/connections");
  await page.getByRole("button", { name: "Remove Test IdP" }).click();
  await expect(flash(page)).toHaveText("The connection was removed.");
  await expect(page.getByText("No provider is linked yet.")).toBeVisible();

  await logout(page);
  await login(page, user);
  await expect(currentUser(page)).toHaveText(user.name);
});

test("a verified provider email of an existing account links only after its password", async ({ page }) => {
  const user = await register(page, newUser("Katherine Johnson"));
  await logout(page);
  await visit(page, "/login");
  await signInWithTestProvider(page, user.email);
  await expect(page).toHaveURL(exactPath("/auth/test/link"));
  await expect(page.getByRole("heading", { level: 1, name: "Link Test IdP to your account" })).toBeVisible();
  await page.getByLabel("Password", { exact: true }).fill("not the password");
  await page.getByRole("button", { name: "Link and sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Incorrect password.");
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Link and sign in" }).click();
  await expect(page).toHaveURL(exactPath("/dashboard"));
  await expect(currentUser(page)).toHaveText(user.name);
});
