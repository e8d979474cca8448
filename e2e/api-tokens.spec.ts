import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { BASE_URL, flash, jsEnabled, makeSessionsStale, register, url, visit } from "./helpers";

/** Personal API tokens: create one on the settings page, use it as a script would, revoke it. */

function callApi(path: string, token: string): Promise<Response> {
  return fetch(new URL(path, BASE_URL), { headers: { Authorization: `Bearer ${token}` }, redirect: "manual" });
}

test("creates a token shown once, a script uses it, revoking it refuses the script", async ({ page }) => {
  await register(page);
  await visit(page, "/settings/api-tokens");
  await expect(page.getByRole("heading", { level: 1, name: "API tokens" })).toBeVisible();
  await expect(page.getByText("You have no API tokens.")).toBeVisible();
  // Axe needs scripts in the page; once (with JavaScript) is enough for this page's markup.
  if (jsEnabled()) expect((await new AxeBuilder({ page }).include("main").analyze()).violations).toEqual([]);

  await page.getByLabel("Name", { exact: true }).fill("backup script");
  await page.getByRole("checkbox", { name: /^notes:read\b/ }).check();
  await expect(page.getByLabel("Expires after")).toHaveValue("30d");
  await page.getByRole("button", { name: "Create token", exact: true }).click();

  const shown = page.getByRole("region", { name: /Your new token/ }).locator("code");
  await expect(shown).toHaveText(/^rak_[0-9a-f]{16}_[0-9a-f]{64}$/);
  const token = (await shown.textContent())!;
  const listed = page.getByRole("list", { name: "Your API tokens" }).getByRole("listitem");
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText("backup script");
  await expect(listed).toContainText("notes:read");

  expect((await callApi("/api/v1/notes", token)).status).toBe(200);
  expect((await callApi("/api/v1/me", token)).status).toBe(403);

  // Shown once: a new visit lists the token without it.
  await visit(page, "/settings/api-tokens");
  await expect(page.getByText(token)).toHaveCount(0);
  await expect(listed).toContainText(/Last used.+from/);

  await listed.getByRole("button", { name: "Revoke backup script" }).click();
  await expect(flash(page)).toHaveText("Token revoked. Scripts using it are refused from now on.");
  await expect(page.getByText("You have no API tokens.")).toBeVisible();
  const refused = await callApi("/api/v1/notes", token);
  expect(refused.status).toBe(401);
  expect(refused.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
});

test("creating a token asks a stale session for the password first", async ({ page }) => {
  const user = await register(page);
  makeSessionsStale(user.email);
  await visit(page, "/settings/api-tokens");
  await expect(page.getByText("Creating a token asks for your password first.")).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill("phone");
  await page.getByRole("checkbox", { name: /^profile:read\b/ }).check();
  await page.getByRole("button", { name: "Create token", exact: true }).click();
  await expect(page).toHaveURL(url("/reauthenticate?redirectTo=%2Fsettings%2Fapi-tokens"));
});
