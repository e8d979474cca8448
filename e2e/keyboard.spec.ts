import { expect, type Locator, type Page, test } from "@playwright/test";
import { currentUser, exactPath, flash, LOGOUT_MESSAGE, newUser, ready, visit } from "./helpers";

/**
 * The main flows with the keyboard alone: Tab, Shift+Tab, Enter and Space, text
 * typed into the focused field. Every control that takes focus on the way must
 * show it (an outline or a box shadow).
 */

type FocusState = { element: string; visible: boolean; inViewport: boolean } | null;

/** What has focus, and whether it shows: an outline (style not none, width over 0) or a box shadow, inside the viewport. */
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
    return { element: `${element.tagName.toLowerCase()}${id} "${name}"`, visible: outline || shadow, inViewport };
  });
}

async function expectVisibleFocus(page: Page): Promise<void> {
  const state = await focusState(page);
  expect(state, "something has focus").not.toBeNull();
  expect(state, `focus is visible on ${state?.element}`).toMatchObject({ visible: true, inViewport: true });
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

  // Log out with the header's button: from the content, it is the stop just before `main`.
  await visit(page, "/dashboard");
  await skipToContent(page);
  await page.keyboard.press("Shift+Tab");
  await expect(header.getByRole("button", { name: "Log out" })).toBeFocused();
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

test("every control on the signed-in pages shows its focus", async ({ page }) => {
  // Registration by keyboard is covered above; here the pages' own controls are walked through.
  const user = newUser("Tab Walker");
  await visit(page, "/register");
  await skipToContent(page);
  await typeInto(page, page.getByLabel("Name", { exact: true }), user.name);
  await typeInto(page, page.getByLabel("Email", { exact: true }), user.email);
  await typeInto(page, page.getByLabel("Password", { exact: true }), user.password);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(exactPath("/dashboard"));

  for (const path of ["/dashboard", "/settings/profile", "/settings/two-factor", "/settings/sessions", "/settings/delete-account"]) {
    await visit(page, path);
    const stops = new Set<string>();
    // Walk the whole page once: every stop must show focus, until the walk comes back round.
    for (let stop = 0; stop < 40; stop++) {
      await page.keyboard.press("Tab");
      const state = await focusState(page);
      if (!state) break;
      expect(state, `focus is visible on ${state.element} at ${path}`).toMatchObject({ visible: true, inViewport: true });
      if (stops.has(state.element)) break;
      stops.add(state.element);
    }
    expect(stops.size, `controls reached on ${path}`).toBeGreaterThan(5);
  }
});
