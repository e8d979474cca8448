import { expect, test } from "@playwright/test";
import { exactPath, flash, login, logout, newUser, register, visit } from "./helpers";
import { linkInMail, waitForMail } from "./mail";

test("confirm the address from the registration mail", async ({ page }) => {
  const user = await register(page);
  await expect(flash(page)).toContainText(`Please confirm your email address with the link we sent to ${user.email}.`);
  await visit(page, "/settings/profile");
  await expect(page.getByText("Not confirmed")).toBeVisible();

  const link = await linkInMail(user.email, /^Confirm your email address/, "/verify-email");
  await visit(page, link);
  await expect(page.getByRole("heading", { level: 1, name: "Confirm your email address" })).toBeVisible();
  await page.getByRole("button", { name: "Confirm email address" }).click();
  await expect(page).toHaveURL(exactPath("/settings/profile"));
  await expect(flash(page)).toHaveText(`Thank you: ${user.email} is confirmed.`);
  await expect(page.getByText("Confirmed", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Resend confirmation email" })).toHaveCount(0);
});

test("change email: a link to the new address, a notice to the old, the change once confirmed", async ({ page }) => {
  const user = await register(page);
  const newEmail = newUser().email;

  await visit(page, "/settings/profile");
  await page.getByRole("link", { name: "Change your email address" }).click();
  await expect(page).toHaveURL(exactPath("/settings/email"));
  await page.getByLabel("New email address").fill(newEmail);
  await page.getByRole("button", { name: "Send confirmation link" }).click();
  await expect(flash(page)).toHaveText(`We sent a confirmation link to ${newEmail}. Your email address changes when you open it.`);
  await expect(page.getByText(`Waiting for confirmation: ${newEmail}`)).toBeVisible();

  const notice = await waitForMail(user.email, /is being changed/);
  expect(notice.text).toContain(`from ${user.email} to ${newEmail}`);

  // Not yet: the account still uses the old address.
  await visit(page, "/settings/profile");
  await expect(page.getByRole("main").getByText(user.email, { exact: true })).toBeVisible();

  const link = await linkInMail(newEmail, /^Confirm your new email address/, "/verify-email");
  await visit(page, link);
  await expect(page.getByRole("heading", { level: 1, name: "Confirm your new email address" })).toBeVisible();
  await page.getByRole("button", { name: "Confirm new address" }).click();
  await expect(page).toHaveURL(exactPath("/settings/profile"));
  await expect(flash(page)).toHaveText(`Your email address is now ${newEmail}.`);
  await expect(page.getByRole("main").getByText(newEmail, { exact: true })).toBeVisible();
  await expect(page.getByText("Confirmed", { exact: true })).toBeVisible();

  await logout(page);
  await login(page, { email: newEmail, password: user.password });
});
