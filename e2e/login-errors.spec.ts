import { expect, test } from "@playwright/test";
import { currentUser, exactPath, INVALID_CREDENTIALS, logout, newUser, register, sessionCookie, submitLogin, url, visit } from "./helpers";

test("a wrong password shows the error and stays on /login", async ({ page }) => {
  const user = await register(page);
  await logout(page);

  await submitLogin(page, { email: user.email, password: `${user.password}-wrong` });
  await expect(page.getByRole("alert")).toHaveText(INVALID_CREDENTIALS);
  await expect(page).toHaveURL(exactPath("/login"));
  await expect(page.getByRole("heading", { level: 1, name: "Log in" })).toBeVisible();
  // The email is kept for another try.
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(user.email);
  await expect(currentUser(page)).toHaveCount(0);
  expect(await sessionCookie(page)).toBeUndefined();
});

test("an unknown email shows the same error", async ({ page }) => {
  const stranger = newUser();
  await submitLogin(page, stranger);
  await expect(page.getByRole("alert")).toHaveText(INVALID_CREDENTIALS);
  await expect(page).toHaveURL(exactPath("/login"));
  await expect(currentUser(page)).toHaveCount(0);
  expect(await sessionCookie(page)).toBeUndefined();
});

test("a failed login answers 400", async ({ page }) => {
  await visit(page, "/login");
  await page.getByLabel("Email", { exact: true }).fill(newUser().email);
  await page.getByLabel("Password", { exact: true }).fill("not the password");
  // Without JavaScript this is the document POST /login; with it, Remix's fetch to /login.data.
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === "POST" && /^\/login(\.data)?$/.test(new URL(r.url()).pathname),
    ),
    page.getByRole("button", { name: "Log in", exact: true }).click(),
  ]);
  expect(response.status()).toBe(400);
  await expect(page.getByRole("alert")).toHaveText(INVALID_CREDENTIALS);
});

test("redirectTo pointing off-site lands on /dashboard", async ({ page }) => {
  const user = await register(page);
  await logout(page);

  await visit(page, "/login?redirectTo=%2F%2Fevil.example");
  await submitLogin(page, user, { navigate: false });
  await expect(page).toHaveURL(exactPath("/dashboard"));
  expect(new URL(page.url()).origin).toBe(new URL(url("/")).origin);
  await expect(currentUser(page)).toHaveText(user.name);
});
