import { expect, type Page, test } from "@playwright/test";
import { generate } from "otplib";
import { currentUser, exactPath, flash, logout, ready, register, sessionCookie, submitLogin, type TestUser, url, visit } from "./helpers";

/** A TOTP code for the secret, `steps` 30-second steps from now, as an authenticator app would show it. */
function totp(secret: string, steps = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });
}

/** Turns two-factor on from the settings page the way a person would, reading the setup URI off the page. */
async function enableTwoFactor(page: Page): Promise<{ secret: string; recoveryCodes: string[] }> {
  await visit(page, "/settings/two-factor");
  await expect(page.getByText("Two-factor authentication is off.")).toBeVisible();
  await page.getByRole("button", { name: "Set up two-factor" }).click();

  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const uri = (await page.getByText(/^otpauth:\/\/totp\//).textContent())!;
  expect(uri).toMatch(/^otpauth:\/\/totp\/Remix%20Auth%20Kit:/);
  const secret = new URL(uri).searchParams.get("secret")!;

  await ready(page);
  await page.getByLabel("Code from your app").fill(await totp(secret));
  await page.getByRole("button", { name: "Turn on two-factor" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Two-factor authentication is on." })).toBeVisible();
  const list = page.getByRole("list", { name: "Recovery codes" });
  await expect(list.getByRole("listitem")).toHaveCount(10);
  const recoveryCodes = (await list.getByRole("listitem").allTextContents()).map((c) => c.trim());
  for (const code of recoveryCodes) expect(code).toMatch(/^[2-9a-z]{5}-[2-9a-z]{5}$/);
  return { secret, recoveryCodes };
}

/** The password step: lands on /login/two-factor. */
async function passwordStep(page: Page, user: TestUser) {
  await submitLogin(page, user);
  await expect(page).toHaveURL(exactPath("/login/two-factor"));
  await expect(page.getByRole("heading", { level: 1, name: "Two-factor authentication" })).toBeVisible();
}

async function submitCode(page: Page, code: string) {
  await ready(page);
  await page.getByLabel("Authentication code").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}

const INVALID_CODE = "That code is not valid. Try the current code from your app, or a recovery code.";

test("enable two-factor, log in with a code, a replayed code is refused, a recovery code works once", async ({ page }) => {
  const user = await register(page);
  const { secret, recoveryCodes } = await enableTwoFactor(page);
  await logout(page);

  // The password alone opens nothing.
  await passwordStep(page, user);
  expect(await sessionCookie(page)).toBeUndefined();
  await visit(page, "/dashboard");
  await expect(page).toHaveURL(url("/login?redirectTo=%2Fdashboard"));
  await expect(currentUser(page)).toHaveCount(0);

  // The pending login is still there: finish it with a code.
  await visit(page, "/login/two-factor");
  const code = await totp(secret, 1);
  await submitCode(page, code);
  await expect(page).toHaveURL(exactPath("/dashboard"));
  await expect(currentUser(page)).toHaveText(user.name);
  await logout(page);

  // The same code again is a replay: the person is told to wait for the next one.
  await passwordStep(page, user);
  await submitCode(page, code);
  await expect(page.getByRole("alert")).toHaveText(
    "That code was already used. Wait for the next code to appear in your app (a new one comes every 30 seconds) and enter that one.",
  );
  await expect(page).toHaveURL(exactPath("/login/two-factor"));
  await expect(currentUser(page)).toHaveCount(0);

  // A recovery code works instead, once.
  await submitCode(page, recoveryCodes[0]!);
  await expect(page).toHaveURL(exactPath("/dashboard"));
  await expect(flash(page)).toContainText("You used a recovery code; 9 left.");
  await logout(page);

  await passwordStep(page, user);
  await submitCode(page, recoveryCodes[0]!);
  await expect(page.getByRole("alert")).toHaveText(INVALID_CODE);
  await expect(currentUser(page)).toHaveCount(0);
});

test("new recovery codes replace the old ones; turning two-factor off needs a code", async ({ page }) => {
  const user = await register(page);
  const { recoveryCodes } = await enableTwoFactor(page);

  await page.getByRole("button", { name: "Generate new recovery codes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "New recovery codes are ready; the old ones no longer work." })).toBeVisible();
  const fresh = (await page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem").allTextContents()).map((c) => c.trim());
  expect(fresh).toHaveLength(10);
  expect(fresh).not.toContain(recoveryCodes[0]);

  await ready(page);
  await page.getByLabel("Authentication code").fill(recoveryCodes[0]!);
  await page.getByRole("button", { name: "Turn off two-factor" }).click();
  await expect(page.getByRole("alert")).toHaveText("That code is not valid.");

  await ready(page);
  await page.getByLabel("Authentication code").fill(fresh[0]!);
  await page.getByRole("button", { name: "Turn off two-factor" }).click();
  await expect(flash(page)).toHaveText("Two-factor authentication is off.");
  await expect(page.getByRole("button", { name: "Set up two-factor" })).toBeVisible();

  // Logging in needs only the password again.
  await logout(page);
  await submitLogin(page, user);
  await expect(page).toHaveURL(exactPath("/dashboard"));
});

test("too many failed logins: the page says when to try again, even for the right password", async ({ page }) => {
  const user = await register(page);
  await logout(page);
  for (let i = 0; i < 5; i++) {
    await submitLogin(page, { email: user.email, password: `${user.password}-wrong` });
    await expect(page.getByRole("alert")).toHaveText("Invalid email or password.");
  }
  await submitLogin(page, user);
  await expect(page.getByRole("heading", { level: 1, name: "Too many attempts" })).toBeVisible();
  await expect(page.getByRole("alert")).toHaveText(/^Too many attempts\. Try again in (1 minute|\d+ seconds) \(after \d\d:\d\d:\d\d UTC\)\.$/);
  await expect(currentUser(page)).toHaveCount(0);
  await page.getByRole("link", { name: "Back to log in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Log in" })).toBeVisible();
});

test("recovery codes can be downloaded as a text file, and copied with JavaScript", async ({ page, context }) => {
  await register(page);
  const { recoveryCodes } = await enableTwoFactor(page);

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download as a text file" }).click()]);
  expect(download.suggestedFilename()).toBe("recovery-codes.txt");
  const saved = await download.path().then((file) => import("node:fs").then((fs) => fs.readFileSync(file, "utf8")));
  expect(saved.trim().split("\n").slice(-10)).toEqual(recoveryCodes);

  const copy = page.getByRole("button", { name: "Copy the codes" });
  if (test.info().project.name !== "js") {
    await expect(copy).toHaveCount(0);
    return;
  }
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(page.url()).origin });
  await copy.click();
  await expect(page.getByText("Copied to the clipboard.")).toBeVisible();
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  expect(clipboard.trim().split("\n").slice(-10)).toEqual(recoveryCodes);
});
