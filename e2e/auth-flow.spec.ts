import { expect, test } from "@playwright/test";
import {
  currentUser,
  exactPath,
  flash,
  jsEnabled,
  LOGIN_MESSAGE,
  login,
  logout,
  newUser,
  register,
  url,
  visit,
} from "./helpers";

test("register lands on the dashboard, log out, then the dashboard asks to log in", async ({ page }) => {
  const user = newUser("Grace Hopper");
  await register(page, user);

  await expect(flash(page)).toHaveText(
    `Welcome, ${user.name}! Your account is ready. Please confirm your email address with the link we sent to ${user.email}.`,
  );
  await expect(currentUser(page)).toHaveText(user.name);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(page.getByRole("main").getByText(user.email, { exact: true })).toBeVisible();

  await logout(page);
  await expect(page.getByRole("banner").getByRole("link", { name: "Log in" })).toBeVisible();

  await visit(page, "/dashboard");
  await expect(page).toHaveURL(url("/login?redirectTo=%2Fdashboard"));
  await expect(flash(page)).toHaveText(LOGIN_MESSAGE);
  await expect(page.getByRole("heading", { level: 1, name: "Log in" })).toBeVisible();
  await expect(currentUser(page)).toHaveCount(0);
});

test("the flash is shown once", async ({ page }) => {
  await visit(page, "/dashboard");
  await expect(page).toHaveURL(url("/login?redirectTo=%2Fdashboard"));
  await expect(flash(page)).toHaveText(LOGIN_MESSAGE);

  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Log in" })).toBeVisible();
  await expect(flash(page)).toHaveCount(0);
});

test("after logout, Back and reload do not show the dashboard", async ({ page }) => {
  const user = await register(page);
  await logout(page);
  await login(page, user);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();

  await logout(page);

  await page.goBack();
  await page.reload();
  await expect(page).toHaveURL(url("/login?redirectTo=%2Fdashboard"));
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toHaveCount(0);
  await expect(currentUser(page)).toHaveCount(0);

  // And a fresh visit is still anonymous.
  await visit(page, "/dashboard");
  await expect(page).toHaveURL(url("/login?redirectTo=%2Fdashboard"));
});

test("signed-in users visiting /login or /register go to the dashboard", async ({ page }) => {
  await register(page);
  await visit(page, "/login");
  await expect(page).toHaveURL(exactPath("/dashboard"));
  await visit(page, "/register");
  await expect(page).toHaveURL(exactPath("/dashboard"));
});

test("the two projects really differ: forms submit by fetch with JavaScript, as documents without", async ({ page }) => {
  const user = await register(page);
  await logout(page);
  const posts: string[] = [];
  // Only the form's own post: with JavaScript the login page also asks for passkey options (a fetch) for autofill.
  page.on("request", (request) => {
    if (request.method() === "POST" && new URL(request.url()).pathname.startsWith("/login")) posts.push(request.resourceType());
  });
  await login(page, user);
  expect(posts).toEqual([jsEnabled() ? "fetch" : "document"]);
});
