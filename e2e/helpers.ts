import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import Database from "better-sqlite3";

/** Shared steps for the end-to-end specs. Every spec runs with JavaScript on ("js") and off ("no-js"). */

export const BASE_URL = `http://127.0.0.1:${process.env.E2E_PORT ?? 3210}`;
export const PASSWORD = "correct horse battery staple";

export const SESSION_COOKIE = "__session";
export const LOGIN_MESSAGE = "Please log in to access this page.";
export const LOGOUT_MESSAGE = "You have been logged out.";
export const INVALID_CREDENTIALS = "Invalid email or password.";

export type TestUser = { name: string; email: string; password: string };

/** An absolute URL on the test server, for exact URL assertions. */
export function url(path: string): string {
  return new URL(path, BASE_URL).href;
}

/** A regular expression matching exactly `path` (no query) on the test server. */
export function exactPath(path: string): RegExp {
  return new RegExp(`^${escapeRegExp(url(path))}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** An email no other test (or earlier run) uses. */
export function uniqueEmail(): string {
  return `e2e-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
}

/** A fresh, not yet registered user. */
export function newUser(name = "Ada Lovelace"): TestUser {
  return { name, email: uniqueEmail(), password: PASSWORD };
}

/** True in the "js" project. */
export function jsEnabled(): boolean {
  return test.info().project.use.javaScriptEnabled !== false;
}

/**
 * With JavaScript on, waits until React has hydrated the page, so clicks go
 * through Remix (fetch submissions, client-side navigation) rather than the
 * browser's native form handling. Does nothing with JavaScript off.
 */
export async function ready(page: Page): Promise<void> {
  if (!jsEnabled()) return;
  await page.waitForFunction(() => {
    const key = Object.keys(document).find((k) => k.startsWith("__reactContainer$"));
    if (!key) return false;
    type FiberRoot = { current?: { memoizedState?: { isDehydrated?: boolean } } };
    const hostRoot = (document as unknown as Record<string, { stateNode?: FiberRoot } | undefined>)[key];
    return hostRoot?.stateNode?.current?.memoizedState?.isDehydrated === false;
  });
}

/**
 * Shows the app in Spanish from now on: the layout switch's cookie, as if the
 * visitor had pressed "Español" (a signed-in user who saved no choice gets it too).
 */
export async function useSpanish(page: Page): Promise<void> {
  await page.context().addCookies([{ name: "lang", value: "es", url: BASE_URL }]);
}

/** Opens `path` and waits for hydration (JavaScript on). */
export async function visit(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await ready(page);
}

/** The flash message (`role="status"`) of the current page. */
export function flash(page: Page) {
  return page.getByRole("main").getByRole("status");
}

/** The signed-in user's name in the site header (on the account menu's button). */
export function currentUser(page: Page) {
  return page.getByRole("banner").locator(".account-menu summary .current-user");
}

/** Opens the header's account menu (Settings, Sessions, Activity, Log out) unless it is open. */
export async function openAccountMenu(page: Page): Promise<void> {
  const menu = page.getByRole("banner").locator("details.account-menu");
  // The menu closes on navigation: if one lands just after the click (a slow
  // machine), open it again, as a person would.
  await expect(async () => {
    if ((await menu.getAttribute("open")) === null) await menu.locator("summary").click();
    await expect(menu.getByRole("button", { name: "Log out", exact: true })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
}

/** Registers `user` through the form; the browser ends up signed in on /dashboard. */
export async function register(page: Page, user: TestUser = newUser()): Promise<TestUser> {
  await visit(page, "/register");
  await page.getByLabel("Name", { exact: true }).fill(user.name);
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Create account", exact: true }).click();
  await expect(page).toHaveURL(exactPath("/dashboard"));
  await expect(currentUser(page)).toHaveText(user.name);
  return user;
}

export type LoginOptions = {
  /** Tick "Remember me". */
  remember?: boolean;
  /** Open /login first (default); false submits the login form already on the page. */
  navigate?: boolean;
};

/** Fills and submits the login form; where the browser lands is the caller's to check. */
export async function submitLogin(
  page: Page,
  credentials: { email: string; password: string },
  { remember = false, navigate = true }: LoginOptions = {},
): Promise<void> {
  if (navigate) await visit(page, "/login");
  else await ready(page);
  await page.getByLabel("Email", { exact: true }).fill(credentials.email);
  await page.getByLabel("Password", { exact: true }).fill(credentials.password);
  if (remember) await page.getByLabel("Remember me").check();
  await page.getByRole("button", { name: "Log in", exact: true }).click();
}

/** Logs in from /login and waits for the dashboard. */
export async function login(
  page: Page,
  credentials: { email: string; password: string },
  options: LoginOptions = {},
): Promise<void> {
  await submitLogin(page, credentials, options);
  await expect(page).toHaveURL(exactPath("/dashboard"));
  await expect(currentUser(page)).toBeVisible();
}

/** Logs out with the "Log out" button of the header's account menu (a POST to /logout); lands on / with the flash. */
export async function logout(page: Page): Promise<void> {
  await ready(page);
  await openAccountMenu(page);
  await page.getByRole("banner").getByRole("button", { name: "Log out", exact: true }).click();
  await expect(page).toHaveURL(exactPath("/"));
  await expect(flash(page)).toHaveText(LOGOUT_MESSAGE);
  await expect(currentUser(page)).toHaveCount(0);
}

/** The session cookie of the page's browser context, if any. */
export async function sessionCookie(page: Page) {
  const cookies = await page.context().cookies();
  return cookies.find((cookie) => cookie.name === SESSION_COOKIE);
}

/** The e2e server's database (e2e/start-server.mjs), to arrange what a browser cannot (an old password entry). */
export function e2eDatabase(): Database.Database {
  const db = new Database(path.resolve(`.tmp/e2e-${process.env.E2E_PORT ?? 3210}/app.db`));
  db.pragma("busy_timeout = 5000");
  return db;
}

/** Makes the user's sessions stale: the password was not entered recently, so sensitive pages ask for it. */
export function makeSessionsStale(email: string): void {
  const db = e2eDatabase();
  try {
    db.prepare("UPDATE sessions SET fresh_at = NULL WHERE user_id = (SELECT id FROM users WHERE email = ?)").run(email);
  } finally {
    db.close();
  }
}
