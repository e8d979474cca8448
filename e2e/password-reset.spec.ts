import { expect, test } from "@playwright/test";
import { currentUser, exactPath, flash, login, logout, register, submitLogin, visit, INVALID_CREDENTIALS } from "./helpers";
import { linkInMail } from "./mail";

const NEW_PASSWORD = "lantern orchard pebble 58";

test("forgot password → mail → reset → log in with the new password", async ({ page }) => {
  const user = await register(page);
  await logout(page);

  await visit(page, "/login");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL(exactPath("/forgot-password"));
  await expect(page.getByRole("heading", { level: 1, name: "Forgot your password?" })).toBeVisible();
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
  await expect(page.getByRole("status")).toContainText(`If an account exists for ${user.email}`);

  const link = await linkInMail(user.email, /^Reset your/, "/reset-password");
  expect(link).toContain("/reset-password?token=");
  await visit(page, link);
  // The token left the address bar at once.
  await expect(page).toHaveURL(exactPath("/reset-password"));
  await expect(page.getByRole("heading", { level: 1, name: "Choose a new password" })).toBeVisible();

  await page.getByLabel("New password", { exact: true }).fill("password123");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("This password is too easy to guess. This is a commonly used password.")).toBeVisible();

  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(exactPath("/login"));
  await expect(flash(page)).toHaveText("Your password has been changed. Log in with your new password.");

  await submitLogin(page, user, { navigate: false });
  await expect(page.getByRole("alert")).toHaveText(INVALID_CREDENTIALS);
  await login(page, { email: user.email, password: NEW_PASSWORD });
  await expect(currentUser(page)).toHaveText(user.name);

  // The link worked once.
  await logout(page);
  await visit(page, link);
  await expect(page.getByRole("heading", { level: 1, name: "This link has already been used" })).toBeVisible();
  await page.getByRole("link", { name: "Request a new link" }).click();
  await expect(page).toHaveURL(exactPath("/forgot-password"));
});

test("an unknown address gets the same answer", async ({ page }) => {
  await visit(page, "/forgot-password");
  const email = `nobody-${Date.now()}@example.com`;
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
  await expect(page.getByRole("status")).toContainText(`If an account exists for ${email}`);
});

test("an altered link gets a clear page, not a form", async ({ page }) => {
  await visit(page, "/reset-password?token=not-a-real-token");
  await expect(page).toHaveURL(exactPath("/reset-password"));
  await expect(page.getByRole("heading", { level: 1, name: "This link is not valid" })).toBeVisible();
  await expect(page.getByLabel("New password")).toHaveCount(0);
});
