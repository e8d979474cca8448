import { expect, type Page } from "@playwright/test";
import { BASE_URL } from "./helpers";

/**
 * The browser at the test provider (e2e/start-server.mjs starts it as OIDC_TEST_*):
 * its development login form (any login is an account whose email is the login;
 * any password), then its consent form, until it sends the browser back to the
 * app. A provider that remembers the browser skips either form.
 */
export async function throughTestProvider(page: Page, login: string): Promise<void> {
  for (let step = 0; step < 4; step++) {
    await page.waitForLoadState("domcontentloaded");
    if (page.url().startsWith(BASE_URL)) return;
    const loginField = page.getByPlaceholder("Enter any login");
    const consent = page.getByRole("button", { name: "Continue" });
    await expect(loginField.or(consent)).toBeVisible();
    if (await loginField.isVisible()) {
      await loginField.fill(login);
      await page.getByPlaceholder("and password").fill("any password");
      await page.getByRole("button", { name: "Sign-in" }).click();
    } else {
      await consent.click();
    }
    await page.waitForURL((url) => url.href.startsWith(BASE_URL) || url.pathname.startsWith("/interaction/"));
  }
  expect(page.url().startsWith(BASE_URL), `still at the provider: ${page.url()}`).toBe(true);
}

/** From the login page: "Sign in with Test IdP", through the provider, back in the app. */
export async function signInWithTestProvider(page: Page, login: string): Promise<void> {
  await page.getByRole("button", { name: "Sign in with Test IdP" }).click();
  await throughTestProvider(page, login);
}
