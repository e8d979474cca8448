import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { type CDPSession, expect, type Page, test } from "@playwright/test";
import Database from "better-sqlite3";
import { currentUser, jsEnabled, newUser, openAccountMenu, PASSWORD, ready, type TestUser } from "./helpers";
import { expectAccessible } from "./axe";

/**
 * Passkeys in Chromium with a virtual authenticator (CDP WebAuthn domain).
 * WebAuthn refuses an IP address as relying-party id, so this spec runs its
 * own server (e2e/start-server.mjs) whose APP_ORIGIN is http://localhost:PORT,
 * and its pages are opened at localhost; the rest of the suite keeps
 * 127.0.0.1. One server per project (JavaScript on / off), on the ports after
 * E2E_PORT.
 */

const BASE_PORT = Number(process.env.E2E_PORT ?? 3210);
// One server for the file: its tests run one after the other, each well inside 180 s (axe runs three times).
test.describe.configure({ mode: "serial", timeout: 180_000 });

let server: ChildProcess | null = null;
let port = 0;

test.beforeAll(async ({}, testInfo) => {
  // A cold start (build check, migrations) on a loaded 2-core machine.
  test.setTimeout(180_000);
  port = BASE_PORT + (testInfo.project.use.javaScriptEnabled === false ? 2 : 1);
  server = spawn(process.execPath, [path.resolve("e2e/start-server.mjs")], {
    env: { ...process.env, E2E_PORT: String(port), E2E_APP_HOST: "localhost", WEB_CONCURRENCY: "1" },
    stdio: "inherit",
  });
  while (server.exitCode === null) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the passkey spec's server exited with ${server.exitCode}`);
});

test.afterAll(async () => {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((resolve) => server!.once("exit", resolve));
  server.kill("SIGTERM");
  await exited;
});

const origin = () => `http://localhost:${port}`;
const at = (pathname: string) => new RegExp(`^${origin().replace(/\./g, "\\.")}${pathname.replace(/[?]/g, "\\?")}$`);

async function visit(page: Page, pathname: string) {
  await page.goto(`${origin()}${pathname}`);
  await ready(page);
}

/** A platform authenticator that holds discoverable credentials and verifies the user (as Touch ID would). */
async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/**
 * Turns off passkey autofill on the login page: the virtual authenticator
 * answers a conditional request at once, which would sign in before the
 * button is pressed.
 */
async function withoutAutofill(page: Page) {
  await page.addInitScript(() => {
    if (window.PublicKeyCredential) window.PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
}

async function register(page: Page, user: TestUser = newUser()): Promise<TestUser> {
  await visit(page, "/register");
  await page.getByLabel("Name", { exact: true }).fill(user.name);
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Create account", exact: true }).click();
  // The file's first registration meets a cold server (password worker, first queries): give it time on a loaded machine.
  await expect(page).toHaveURL(at("/dashboard"), { timeout: 60_000 });
  return user;
}

async function addPasskey(page: Page, name: string) {
  await visit(page, "/settings/passkeys");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("main").getByRole("status")).toContainText(`Passkey “${name}” added`);
  await expect(page.getByRole("list", { name: "Your passkeys" }).getByRole("heading", { name })).toBeVisible();
}

async function logout(page: Page) {
  await ready(page);
  await openAccountMenu(page);
  await page.getByRole("banner").getByRole("button", { name: "Log out", exact: true }).click();
  await expect(page).toHaveURL(at("/"));
}

function makeStale(email: string) {
  const db = new Database(path.resolve(`.tmp/e2e-${port}/app.db`));
  try {
    db.pragma("busy_timeout = 5000");
    db.prepare("UPDATE sessions SET fresh_at = NULL WHERE user_id = (SELECT id FROM users WHERE email = ?)").run(email);
  } finally {
    db.close();
  }
}

/** Without JavaScript no passkey can be added: one is put in the database, as if added elsewhere. */
function seedPasskey(email: string, name: string) {
  const db = new Database(path.resolve(`.tmp/e2e-${port}/app.db`));
  try {
    db.pragma("busy_timeout = 5000");
    db.prepare(
      "INSERT INTO passkeys (user_id, name, credential_id, public_key, counter, transports, device_type, backed_up, created_at, last_used_at) SELECT id, ?, ?, 'pk', 0, '[]', 'multiDevice', 1, ?, NULL FROM users WHERE email = ?",
    ).run(name, `seeded-${Math.random().toString(36).slice(2)}`, Date.now(), email);
  } finally {
    db.close();
  }
}

async function passwordLogin(page: Page, user: TestUser) {
  await visit(page, "/login");
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await expect(page).toHaveURL(at("/dashboard"));
}

// Every test runs with JavaScript on and off: without it, the pages say plainly that passkeys need it,
// and the password (and managing passkeys added elsewhere) works as before.

test("add a passkey, log out, sign in with it (no email, no password)", async ({ page }) => {
  if (!jsEnabled()) {
    const user = await register(page);
    await visit(page, "/settings/passkeys");
    await expect(page.getByText("Passkeys need JavaScript. Without it, your password keeps working as before.")).toBeVisible();
    await page.getByLabel("Name", { exact: true }).fill("Laptop");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect(page.getByRole("alert")).toContainText("Adding a passkey needs JavaScript");
    await logout(page);
    await visit(page, "/login");
    await expect(page.getByText("Passkeys need JavaScript. Without it, log in with your email and password.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toHaveCount(0);
    await passwordLogin(page, user);
    return;
  }
  await withoutAutofill(page);
  await addVirtualAuthenticator(page);
  const user = await register(page);
  await addPasskey(page, "MacBook Touch ID");
  await logout(page);
  await visit(page, "/login");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(at("/dashboard"));
  await expect(currentUser(page)).toHaveText(user.name);
  await visit(page, "/settings/sessions");
  await expect(page.getByRole("list").getByRole("listitem").filter({ hasText: "This device" })).toContainText(/Signed in with\s*Passkey/);
});

test("the email field's autofill offers the passkey (conditional mediation)", async ({ page }) => {
  if (!jsEnabled()) {
    await page.goto(`${origin()}/login`);
    await expect(page.getByLabel("Email", { exact: true })).toHaveAttribute("autocomplete", "username webauthn");
    await expect(page.getByText("Passkeys need JavaScript. Without it, log in with your email and password.")).toBeVisible();
    return;
  }
  await addVirtualAuthenticator(page);
  const user = await register(page);
  await addPasskey(page, "Laptop");
  await logout(page);
  // The page as served offers passkeys in the email field's autofill; the virtual authenticator then picks the
  // one passkey at once, as a user would from the suggestions (often before a test could look at the field).
  const served = await page.goto(`${origin()}/login`);
  expect(await served!.text()).toMatch(/autocomplete="username webauthn"/i);
  await expect(page).toHaveURL(at("/dashboard"));
  await expect(currentUser(page)).toHaveText(user.name);
});

test("reauthenticate with the passkey, then delete it", async ({ page }) => {
  if (!jsEnabled()) {
    const user = await register(page);
    seedPasskey(user.email, "Phone");
    makeStale(user.email);
    await visit(page, "/settings/passkeys");
    await page.getByRole("button", { name: "Remove Phone" }).click();
    await expect(page).toHaveURL(at("/reauthenticate?redirectTo=%2Fsettings%2Fpasskeys"));
    await expect(page.getByText("Passkeys need JavaScript. Without it, confirm with your password.")).toBeVisible();
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Confirm", exact: true }).click();
    await expect(page).toHaveURL(at("/settings/passkeys"));
    await page.getByRole("button", { name: "Remove Phone" }).click();
    await expect(page.getByRole("main").getByRole("status")).toContainText("Passkey “Phone” removed");
    return;
  }
  await addVirtualAuthenticator(page);
  const user = await register(page);
  await addPasskey(page, "Phone");
  makeStale(user.email);
  await visit(page, "/settings/passkeys");
  await page.getByRole("button", { name: "Remove Phone" }).click();
  await expect(page).toHaveURL(at("/reauthenticate?redirectTo=%2Fsettings%2Fpasskeys"));
  await ready(page);
  await page.getByRole("button", { name: "Confirm with a passkey" }).click();
  await expect(page).toHaveURL(at("/settings/passkeys"));
  await ready(page);
  await page.getByRole("button", { name: "Remove Phone" }).click();
  await expect(page.getByRole("main").getByRole("status")).toContainText("Passkey “Phone” removed");
  await expect(page.getByText("You have no passkeys.")).toBeVisible();
});

test("the passkey pages have no axe violations", async ({ page }) => {
  await withoutAutofill(page);
  if (jsEnabled()) await addVirtualAuthenticator(page);
  const user = await register(page);
  if (jsEnabled()) await addPasskey(page, "Laptop");
  else seedPasskey(user.email, "Laptop");
  await visit(page, "/settings/passkeys");
  await expectAccessible(page, "/settings/passkeys with a passkey");
  await visit(page, "/reauthenticate");
  await expectAccessible(page, "/reauthenticate with a passkey");
  await logout(page);
  await visit(page, "/login");
  await expectAccessible(page, "/login");
});
