import { expect, type Locator, type Page, test } from "@playwright/test";
import { grantRole } from "./admin-helpers";
import { currentUser, exactPath, flash, LOGOUT_MESSAGE, newUser, ready, register, visit } from "./helpers";

/**
 * The main flows with the keyboard alone: Tab, Shift+Tab, Enter and Space, text
 * typed into the focused field. Every control that takes focus on the way must
 * show it (an outline or a box shadow).
 */

type FocusState = { element: string; visible: boolean; inViewport: boolean; contrast: number } | null;

/**
 * What has focus, and whether it shows: an outline (style not none, width over 0)
 * or a box shadow, inside the viewport; `contrast` is the outline's contrast ratio
 * against the background it is drawn on (WCAG 1.4.11 asks 3:1 of a focus indicator).
 */
function focusState(page: Page): Promise<FocusState> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return null;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 && style.outlineColor !== "rgba(0, 0, 0, 0)";
    const shadow = style.boxShadow !== "none";
    const box = element.getBoundingClientRect();
    const inViewport = box.right > 0 && box.bottom > 0 && box.left < window.innerWidth && box.top < window.innerHeight;
    const name = element.getAttribute("aria-label") ?? element.textContent?.trim().slice(0, 40) ?? "";
    const id = element.id ? `#${element.id}` : "";

    const channels = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = (color: string) => {
      const [r = 0, g = 0, b = 0] = channels(color).map((c) => c / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    // The outline sits outside the element: the background is the nearest opaque one of its ancestors.
    let background = "rgb(255, 255, 255)";
    for (let node = element.parentElement; node; node = node.parentElement) {
      const color = getComputedStyle(node).backgroundColor;
      if (channels(color)[3] !== 0 && color !== "transparent") {
        background = color;
        break;
      }
    }
    const [light, dark] = [luminance(style.outlineColor), luminance(background)].sort((a, b) => b - a) as [number, number];
    const contrast = Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100;
    return { element: `${element.tagName.toLowerCase()}${id} "${name}"`, visible: outline || shadow, inViewport, contrast };
  });
}

function expectFocusShows(state: FocusState, where: string): void {
  expect(state, "something has focus").not.toBeNull();
  expect(state, `focus is visible on ${state?.element}${where}`).toMatchObject({ visible: true, inViewport: true });
  expect(state!.contrast, `focus indicator contrast on ${state?.element}${where}`).toBeGreaterThanOrEqual(3);
}

async function expectVisibleFocus(page: Page): Promise<void> {
  expectFocusShows(await focusState(page), "");
}

/**
 * Presses Tab (Shift+Tab with `backwards`) until `target` has focus, checking
 * that each control passed on the way shows its focus. Fails after `limit` stops.
 */
async function tabTo(page: Page, target: Locator, { backwards = false, limit = 30 } = {}): Promise<void> {
  for (let stop = 0; stop < limit; stop++) {
    if (await target.evaluate((element) => element === document.activeElement)) {
      await expectVisibleFocus(page);
      return;
    }
    await page.keyboard.press(backwards ? "Shift+Tab" : "Tab");
    if (await focusState(page)) await expectVisibleFocus(page);
  }
  throw new Error(`${target} was not reached within ${limit} ${backwards ? "Shift+Tab" : "Tab"} presses`);
}

/** Tabs to a field and types into it. */
async function typeInto(page: Page, field: Locator, text: string): Promise<void> {
  await tabTo(page, field);
  await page.keyboard.type(text);
  await expect(field).toHaveValue(text);
}

/** On a freshly loaded page: the first Tab stop is the skip link, and Enter on it moves focus to `main`. */
async function skipToContent(page: Page): Promise<void> {
  await page.keyboard.press("Tab");
  const skipLink = page.getByRole("link", { name: "Skip to content" });
  await expect(skipLink).toBeFocused();
  await expectVisibleFocus(page);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("main")).toBeFocused();
}

test("register, log out, log in with remember me and add a note, by keyboard alone", async ({ page }) => {
  const user = newUser("Kay Board");
  const main = page.getByRole("main");
  const header = page.getByRole("banner");

  // Register.
  await visit(page, "/register");
  await skipToContent(page);
  await typeInto(page, main.getByLabel("Name", { exact: true }), user.name);
  await typeInto(page, main.getByLabel("Email", { exact: true }), user.email);
  await typeInto(page, main.getByLabel("Password", { exact: true }), user.password);
  await tabTo(page, main.getByRole("button", { name: "Create account" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(exactPath("/dashboard"));
  await expect(currentUser(page)).toHaveText(user.name);

  // Log out from the header's account menu: from the content, its button is the stop just
  // before `main`; Enter opens it, Escape closes it again (back on its button), and the
  // menu's last entry is "Log out".
  await visit(page, "/dashboard");
  await skipToContent(page);
  await page.keyboard.press("Shift+Tab");
  const menuButton = header.locator("details.account-menu summary");
  await expect(menuButton).toBeFocused();
  await expectVisibleFocus(page);
  await page.keyboard.press("Enter");
  const logOut = header.getByRole("button", { name: "Log out" });
  await expect(logOut).toBeVisible();
  if (test.info().project.name === "js") {
    await page.keyboard.press("Escape");
    await expect(logOut).toBeHidden();
    await expect(menuButton).toBeFocused();
    await page.keyboard.press("Enter");
  }
  await tabTo(page, logOut);
  await expectVisibleFocus(page);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(exactPath("/"));
  await expect(flash(page)).toHaveText(LOGOUT_MESSAGE);
  await expect(currentUser(page)).toHaveCount(0);

  // Log in, with "Remember me" ticked by Space.
  await ready(page);
  await tabTo(page, header.getByRole("link", { name: "Log in" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(exactPath("/login"));
  await ready(page);
  const email = main.getByLabel("Email", { exact: true });
  await expect(email).toBeFocused();
  await page.keyboard.type(user.email);
  await typeInto(page, main.getByLabel("Password", { exact: true }), user.password);
  // Back and forth: Shift+Tab returns to the email field, Tab to the password.
  await page.keyboard.press("Shift+Tab");
  await expect(email).toHaveValue(user.email);
  await expect(email).toBeFocused();
  await expectVisibleFocus(page);
  const remember = main.getByRole("checkbox", { name: "Remember me" });
  await tabTo(page, remember);
  await page.keyboard.press("Space");
  await expect(remember).toBeChecked();
  await tabTo(page, main.getByRole("button", { name: "Log in" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(exactPath("/dashboard"));
  await expect(currentUser(page)).toHaveText(user.name);
  await expect(main.getByRole("definition").filter({ hasText: /^On$/ })).toHaveCount(1);

  // Notes: skip to the content, the dashboard navigation's "Notes" link.
  await visit(page, "/dashboard");
  await skipToContent(page);
  await tabTo(page, main.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Notes" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(exactPath("/dashboard/notes"));
  await expect(page.getByRole("heading", { level: 1, name: "Notes" })).toBeVisible();

  // Add a note.
  await ready(page);
  await typeInto(page, main.getByLabel("Title"), "Typed, not clicked");
  await typeInto(page, main.getByLabel("Text"), "Every step by keyboard.");
  await tabTo(page, main.getByRole("button", { name: "Add note" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/dashboard\/notes\/\d+$/);
  await expect(main.getByRole("heading", { level: 2, name: "Typed, not clicked" })).toBeVisible();
  await expect(main.getByRole("listitem").getByRole("link", { name: "Typed, not clicked" })).toBeVisible();
});

/**
 * Tabs through the whole page once (from an autofocused field, round past the
 * end): every stop shows its focus, until focus comes back round.
 */
async function walkPage(page: Page, path: string, minimumStops: number): Promise<void> {
  await visit(page, path);
  const stops = new Set<string>();
  let outside = 0;
  for (let stop = 0; stop < 60 && outside < 2; stop++) {
    await page.keyboard.press("Tab");
    const state = await focusState(page);
    outside = state ? 0 : outside + 1;
    if (!state) continue;
    expectFocusShows(state, ` at ${path}`);
    if (stops.has(state.element)) break;
    stops.add(state.element);
  }
  expect(stops.size, `controls reached on ${path}`).toBeGreaterThanOrEqual(minimumStops);
}

test("registering by keyboard alone", async ({ page }) => {
  const user = newUser("Tab Walker");
  await visit(page, "/register");
  await skipToContent(page);
  await typeInto(page, page.getByLabel("Name", { exact: true }), user.name);
  await typeInto(page, page.getByLabel("Email", { exact: true }), user.email);
  await typeInto(page, page.getByLabel("Password", { exact: true }), user.password);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(exactPath("/dashboard"));
});

// Every control on every kind of page shows its focus: one page per test (a
// walk of fourteen pages ran past 30 s on a slow day).
for (const path of ["/", "/login", "/register", "/forgot-password"]) {
  test(`every control shows its focus on ${path}`, async ({ page }) => {
    await walkPage(page, path, 4);
  });
}

for (const path of [
  "/dashboard",
  "/dashboard/notes",
  "/settings/profile",
  "/settings/two-factor",
  "/settings/sessions",
  "/settings/activity",
  "/settings/delete-account",
  "/admin/users",
  "/admin/users/new",
  "/admin/audit",
]) {
  test(`every control shows its focus on ${path} (signed in as an admin)`, async ({ page }) => {
    const user = await register(page, newUser("Tab Walker"));
    grantRole(user.email, "admin");
    await walkPage(page, path, 6);
  });
}
