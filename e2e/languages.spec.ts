import { expect, test } from "@playwright/test";
import { currentUser, exactPath, newUser, ready, register, submitLogin, useSpanish, visit } from "./helpers";

/**
 * English and Spanish: the layout's switch (a plain form, so the same with
 * JavaScript on and off), the saved choice of a signed-in user, and the
 * browser fetching the other language's texts when a sign-in changes it.
 */

test("the switch turns the page Spanish and back, staying on the same page", async ({ page }) => {
  await visit(page, "/forgot-password");
  await page.getByRole("banner").getByRole("button", { name: "Español" }).click();
  await expect(page).toHaveURL(exactPath("/forgot-password"));
  await ready(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  await expect(page.getByRole("heading", { level: 1, name: "¿Olvidaste tu contraseña?" })).toBeVisible();

  await page.getByRole("banner").getByRole("button", { name: "English" }).click();
  await ready(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { level: 1, name: "Forgot your password?" })).toBeVisible();
});

test("a signed-in user's choice is saved and follows them to their next sign-in", async ({ page, browser }) => {
  const user = await register(page);
  await page.getByRole("banner").getByRole("button", { name: "Español" }).click();
  await ready(page);
  await expect(page.getByRole("heading", { level: 1, name: "Panel" })).toBeVisible();

  // Another browser, in English until the user signs in there.
  const other = await browser.newContext({ javaScriptEnabled: test.info().project.use.javaScriptEnabled });
  try {
    const second = await other.newPage();
    await visit(second, "/login");
    await expect(second.locator("html")).toHaveAttribute("lang", "en");
    await submitLogin(second, { email: user.email, password: user.password });
    await expect(second).toHaveURL(exactPath("/dashboard"));
    await expect(currentUser(second)).toHaveText(user.name);
    await expect(second.getByRole("heading", { level: 1, name: "Panel" })).toBeVisible();
    await expect(second.locator("html")).toHaveAttribute("lang", "es");
    await expect(second.getByRole("link", { name: "Panel", exact: true })).toBeVisible();
  } finally {
    await other.close();
  }
});

test("a Spanish form error", async ({ page }) => {
  await useSpanish(page);
  const user = newUser();
  await visit(page, "/register");
  await page.getByLabel("Nombre", { exact: true }).fill(user.name);
  await page.getByLabel("Correo electrónico", { exact: true }).fill("no es un correo");
  await page.getByLabel("Contraseña", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Crear cuenta", exact: true }).click();
  await expect(page.getByText("Escribe una dirección de correo válida.")).toBeVisible();
});
