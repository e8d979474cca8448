import { expect, type Page, test } from "@playwright/test";
import { grantRole } from "./admin-helpers";
import { jsEnabled, newUser, register, useSpanish, visit } from "./helpers";

/**
 * Every page at a desktop width (1280 px) and on a phone (390 × 844): nothing
 * scrolls sideways (a wide table scrolls inside its own frame), and a
 * full-page screenshot of each is kept as a test artifact
 * (test-results/<test>/<page>-<width>.png) to look at.
 */

// Sized to the work on a slow day: up to five pages, each loaded at two widths (~25 s here on a busy machine).
test.describe.configure({ timeout: 180_000 });

const WIDTHS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];

async function checkPage(page: Page, path: string, language = ""): Promise<void> {
  for (const viewport of WIDTHS) {
    await page.setViewportSize(viewport);
    await visit(page, path);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(scrollWidth, `${path} at ${viewport.width} px scrolls sideways`).toBeLessThanOrEqual(innerWidth);
    const name = `${path.replace(/^\//, "").replace(/[^a-z0-9]+/gi, "_") || "home"}-${viewport.width}${language ? `-${language}` : ""}.png`;
    if (jsEnabled()) await page.screenshot({ path: test.info().outputPath(name), fullPage: true });
  }
}

async function addNote(page: Page): Promise<string> {
  await visit(page, "/dashboard/notes");
  await page.getByLabel("Title", { exact: true }).fill("A note with a rather long title to see how it wraps on a phone");
  await page.getByLabel("Text", { exact: true }).fill("Some text.\nOn two lines, with a long-unbroken-word-like-an-address@example.com.");
  await page.getByRole("button", { name: "Add note", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard\/notes\/\d+$/);
  return new URL(page.url()).pathname;
}

const SIGNED_OUT = ["/", "/login", "/register", "/forgot-password", "/reset-password?token=bogus", "/verify-email?token=bogus"];

test("signed-out pages", async ({ page }) => {
  for (const path of SIGNED_OUT) await checkPage(page, path);
});

test("reauthenticate and log out", async ({ page }) => {
  await register(page);
  for (const path of ["/reauthenticate", "/logout"]) await checkPage(page, path);
});

test("dashboard and notes", async ({ page }) => {
  await register(page, newUser("Maximiliana Wolfeschlegelsteinhausen-Bergerdorff"));
  const note = await addNote(page);
  for (const path of ["/dashboard", "/dashboard/notes", note, `${note}/edit`]) await checkPage(page, path);
});

const SETTINGS = ["profile", "email", "password", "two-factor", "sessions", "activity", "api-tokens", "passkeys", "connections", "delete-account"];

// A few pages per test: each page is loaded twice and, with JavaScript, photographed twice.
for (const sections of [["profile", "email", "password"], ["two-factor", "sessions", "activity"], ["api-tokens", "passkeys"], ["connections", "delete-account"]]) {
  test(`settings pages: ${sections.join(", ")}`, async ({ page }) => {
    await register(page);
    for (const section of sections) await checkPage(page, `/settings/${section}`);
  });
}

test("admin pages", async ({ page }) => {
  const admin = await register(page, newUser("Ada Admin"));
  grantRole(admin.email, "admin");
  await checkPage(page, "/admin/users");
  await page.getByRole("link", { name: "Ada Admin" }).first().click();
  const userPage = new URL(page.url()).pathname;
  for (const path of [userPage, "/admin/users/new", "/admin/audit"]) await checkPage(page, path);
});

// The same pages in Spanish (its texts run longer): one page per test, the visitor's language set by the switch's cookie.
test.describe("in Spanish", () => {
  for (const path of SIGNED_OUT) {
    test(`signed-out page ${path} (es)`, async ({ page }) => {
      await useSpanish(page);
      await checkPage(page, path, "es");
    });
  }

  for (const path of ["/dashboard", "/dashboard/notes", ...SETTINGS.map((section) => `/settings/${section}`), "/reauthenticate", "/logout"]) {
    test(`signed-in page ${path} (es)`, async ({ page }) => {
      await register(page, newUser("Maximiliana Wolfeschlegelsteinhausen-Bergerdorff"));
      await useSpanish(page);
      await checkPage(page, path, "es");
    });
  }

  for (const path of ["/admin/users", "/admin/users/new", "/admin/audit"]) {
    test(`admin page ${path} (es)`, async ({ page }) => {
      const admin = await register(page, newUser("Ada Admin"));
      grantRole(admin.email, "admin");
      await useSpanish(page);
      await checkPage(page, path, "es");
    });
  }

  test("admin page of a user (es)", async ({ page }) => {
    const admin = await register(page, newUser("Ada Admin"));
    grantRole(admin.email, "admin");
    await useSpanish(page);
    await visit(page, "/admin/users");
    await page.getByRole("link", { name: "Ada Admin" }).first().click();
    await expect(page).toHaveURL(/\/admin\/users\/\d+$/);
    await checkPage(page, new URL(page.url()).pathname, "es");
  });

  test("a note and its edit form (es)", async ({ page }) => {
    await register(page, newUser("Maximiliana Wolfeschlegelsteinhausen-Bergerdorff"));
    const note = await addNote(page);
    await useSpanish(page);
    for (const path of [note, `${note}/edit`]) await checkPage(page, path, "es");
  });
});
