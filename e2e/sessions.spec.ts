import AxeBuilder from "@axe-core/playwright";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { BASE_URL, exactPath, flash, jsEnabled, login, LOGOUT_MESSAGE, makeSessionsStale, register, sessionCookie, url, visit } from "./helpers";

/** The same user signed in from another browser profile. */
async function otherDevice(browser: Browser, user: { email: string; password: string }) {
  const context = await browser.newContext({ baseURL: BASE_URL, javaScriptEnabled: test.info().project.use.javaScriptEnabled });
  const page = await context.newPage();
  await login(page, user);
  return page;
}

function device(page: Page, which: "current" | "other") {
  const items = page.getByRole("main").getByRole("listitem");
  return which === "current" ? items.filter({ hasText: "This device" }) : items.filter({ hasNotText: "This device" });
}

test("the devices page lists this and other sessions and signs them out", async ({ page, browser }) => {
  const user = await register(page);
  const laptop = await otherDevice(browser, user);
  const tablet = await otherDevice(browser, user);

  await visit(page, "/settings/sessions");
  await expect(page.getByRole("heading", { level: 1, name: "Sessions" })).toBeVisible();
  await expect(device(page, "current")).toHaveCount(1);
  await expect(device(page, "other")).toHaveCount(2);
  await expect(device(page, "current")).toContainText("127.0.0.1");
  await expect(device(page, "current").getByRole("heading", { level: 2 })).toContainText(/Chrome (Headless )?\d+ on \w+/);

  // Sign out one other session.
  await device(page, "other").first().getByRole("button", { name: /^Sign out Chrome/ }).click();
  await expect(flash(page)).toHaveText(/^Signed out Chrome (Headless )?\d+ on \w+\.$/);
  await expect(device(page, "other")).toHaveCount(1);

  // Then all the others.
  await page.getByRole("button", { name: "Sign out all other sessions" }).click();
  await expect(flash(page)).toHaveText("Signed out 1 other session.");
  await expect(device(page, "other")).toHaveCount(0);
  await expect(page.getByText("This is your only signed-in session.")).toBeVisible();

  for (const other of [laptop, tablet]) {
    await visit(other, "/dashboard");
    await expect(other).toHaveURL(url("/login?redirectTo=%2Fdashboard"));
    await other.context().close();
  }

  // Signing out this device from the list is a logout.
  await device(page, "current").getByRole("button", { name: "Sign out this device" }).click();
  await expect(page).toHaveURL(exactPath("/"));
  await expect(flash(page)).toHaveText(LOGOUT_MESSAGE);
  expect(await sessionCookie(page)).toBeUndefined();
});

test("reauthentication: a stale session confirms the password and comes back fresh", async ({ page }) => {
  const user = await register(page);
  makeSessionsStale(user.email);
  const before = await sessionCookie(page);

  await visit(page, "/settings/sessions");
  await expect(page.getByText("Sensitive settings will ask for your password.")).toBeVisible();
  await page.getByRole("link", { name: "Confirm it now" }).click();
  await expect(page).toHaveURL(url("/reauthenticate?redirectTo=%2Fsettings%2Fsessions"));
  await expect(page.getByRole("heading", { level: 1, name: "Confirm it's you" })).toBeVisible();

  await page.getByLabel("Password", { exact: true }).fill("not the password");
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("alert")).toHaveText("Incorrect password.");

  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page).toHaveURL(exactPath("/settings/sessions"));
  await expect(page.getByText(/^Password confirmed: sensitive settings open without asking again until/)).toBeVisible();
  const after = await sessionCookie(page);
  expect(after?.value).toBeDefined();
  expect(after?.value).not.toBe(before?.value);

  await visit(page, "/settings/activity");
  const events = page.getByRole("main").getByRole("table");
  await expect(events.getByRole("row").nth(1)).toContainText("Password confirmed");
  await expect(events.getByRole("row").nth(2)).toContainText("Wrong password when confirming");
  await expect(events.getByRole("row").last()).toContainText("Account created");
});

/**
 * Axe needs JavaScript in the page. Without JavaScript (the "no-js" project), the
 * same session looks at the page with the app's own scripts blocked: the DOM a
 * browser without JavaScript gets.
 */
async function accessibilityViolations(page: Page, browser: Browser, path: string) {
  let target = page;
  if (!jsEnabled()) {
    const context = await browser.newContext({ baseURL: BASE_URL, javaScriptEnabled: true, storageState: await page.context().storageState() });
    target = await context.newPage();
    await target.route("**/build/**/*.js", (route) => route.abort());
  }
  try {
    await visit(target, path);
    const results = await new AxeBuilder({ page: target }).analyze();
    return results.violations.map((v) => `${path}: ${v.id} ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  } finally {
    if (target !== page) await target.context().close();
  }
}

// One page per test: axe on four pages ran past 30 s on a slow day.
for (const path of ["/settings/sessions", "/settings/activity", "/admin/audit", "/admin/audit?type=bogus"]) {
  test(`${path} has no accessibility violations, with a second device signed in`, async ({ page, browser }) => {
    const user = await register(page);
    const other = await otherDevice(browser, user);
    expect(await accessibilityViolations(page, browser, path)).toEqual([]);
    await other.context().close();
  });
}
