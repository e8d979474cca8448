import { expect, test } from "@playwright/test";
import { login, logout, register, sessionCookie } from "./helpers";

const DAY = 24 * 60 * 60;

test("login without remember me sets a browser-session cookie", async ({ page }) => {
  const user = await register(page);
  await logout(page);
  expect(await sessionCookie(page)).toBeUndefined();

  await login(page, user);
  const cookie = await sessionCookie(page);
  expect(cookie, "the __session cookie").toBeDefined();
  expect(cookie!.expires).toBe(-1);
  expect(cookie!.httpOnly).toBe(true);
  expect(cookie!.sameSite).toBe("Lax");
  expect(cookie!.path).toBe("/");
  await expect(page.getByRole("definition").filter({ hasText: /^Off$/ })).toBeVisible();
});

test("login with remember me sets a cookie that lasts about 30 days", async ({ page }) => {
  const user = await register(page);
  await logout(page);

  await login(page, user, { remember: true });
  const cookie = await sessionCookie(page);
  expect(cookie, "the __session cookie").toBeDefined();
  const now = Date.now() / 1000;
  expect(cookie!.expires).toBeGreaterThan(now + 29 * DAY);
  expect(cookie!.expires).toBeLessThan(now + 31 * DAY);
  expect(cookie!.httpOnly).toBe(true);
  await expect(page.getByRole("definition").filter({ hasText: /^On$/ })).toBeVisible();
});

test("logging in again replaces the session cookie", async ({ page }) => {
  const user = await register(page);
  const first = await sessionCookie(page);
  expect(first).toBeDefined();
  await logout(page);

  await login(page, user, { remember: true });
  const second = await sessionCookie(page);
  expect(second).toBeDefined();
  expect(second!.value).not.toBe(first!.value);
});
