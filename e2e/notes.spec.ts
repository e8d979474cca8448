import { expect, test } from "@playwright/test";
import { exactPath, flash, LOGIN_MESSAGE, logout, newUser, register, submitLogin, url, visit } from "./helpers";

test("anonymous visits to nested routes go to log in and come back afterwards", async ({ page }) => {
  const user = await register(page);
  await logout(page);

  await visit(page, "/dashboard/notes");
  await expect(page).toHaveURL(url("/login?redirectTo=%2Fdashboard%2Fnotes"));
  await expect(flash(page)).toHaveText(LOGIN_MESSAGE);

  await submitLogin(page, user, { navigate: false });
  await expect(page).toHaveURL(exactPath("/dashboard/notes"));
  await expect(page.getByRole("heading", { level: 1, name: "Notes" })).toBeVisible();
  await logout(page);

  await visit(page, "/dashboard/notes/123");
  await expect(page).toHaveURL(url("/login?redirectTo=%2Fdashboard%2Fnotes%2F123"));
  await expect(flash(page)).toHaveText(LOGIN_MESSAGE);

  await submitLogin(page, user, { navigate: false });
  await expect(page).toHaveURL(exactPath("/dashboard/notes/123"));
  // Note 123 is not this user's: the page is there, the note is not.
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
});

test("the query string survives the trip through /login", async ({ page }) => {
  const user = await register(page);
  await logout(page);

  await visit(page, "/dashboard/notes?sort=new");
  await expect(page).toHaveURL(url("/login?redirectTo=%2Fdashboard%2Fnotes%3Fsort%3Dnew"));
  await submitLogin(page, user, { navigate: false });
  await expect(page).toHaveURL(url("/dashboard/notes?sort=new"));
});

test("create a note, open it, delete it; another user gets a 404 for it", async ({ page }) => {
  await register(page);
  await visit(page, "/dashboard/notes");
  await expect(page.getByText("No notes yet.")).toBeVisible();

  const title = `Shopping list ${Math.random().toString(36).slice(2, 8)}`;
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByLabel("Text", { exact: true }).fill("Milk, eggs, flour.");
  await page.getByRole("button", { name: "Add note", exact: true }).click();

  await expect(page).toHaveURL(/\/dashboard\/notes\/\d+$/);
  const noteUrl = page.url();
  await expect(page.getByRole("heading", { level: 2, name: title })).toBeVisible();
  await expect(page.getByText("Milk, eggs, flour.")).toBeVisible();
  await expect(page.getByRole("link", { name: title })).toBeVisible();

  // Another user cannot see it.
  await logout(page);
  await register(page, newUser("Eve"));
  const response = await page.goto(noteUrl);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expect(page.getByText(title)).toHaveCount(0);
});

test("delete a note", async ({ page }) => {
  await register(page);
  await visit(page, "/dashboard/notes");

  const title = `To delete ${Math.random().toString(36).slice(2, 8)}`;
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByRole("button", { name: "Add note", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard\/notes\/\d+$/);
  const noteUrl = page.url();
  await expect(page.getByRole("heading", { level: 2, name: title })).toBeVisible();

  // With JavaScript the browser asks first: "Cancel" keeps the note, "OK" deletes it.
  const javaScript = test.info().project.name === "js";
  if (javaScript) {
    let asked = "";
    page.once("dialog", (dialog) => {
      asked = dialog.message();
      void dialog.dismiss();
    });
    await page.getByRole("button", { name: "Delete note", exact: true }).click();
    await expect.poll(() => asked).toBe(`Delete the note "${title}"? This cannot be undone.`);
    await visit(page, noteUrl);
    await expect(page.getByRole("heading", { level: 2, name: title })).toBeVisible();
    page.once("dialog", (dialog) => void dialog.accept());
  }
  await page.getByRole("button", { name: "Delete note", exact: true }).click();
  await expect(page).toHaveURL(exactPath("/dashboard/notes"));
  await expect(flash(page)).toHaveText("Note deleted.");
  await expect(page.getByRole("link", { name: title })).toHaveCount(0);
  await expect(page.getByText("No notes yet.")).toBeVisible();

  const response = await page.goto(noteUrl);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
});

test("an empty title is refused with a message", async ({ page }) => {
  await register(page);
  await visit(page, "/dashboard/notes");
  await page.getByRole("button", { name: "Add note", exact: true }).click();
  await expect(page.getByText("Title is required.")).toBeVisible();
  await expect(page).toHaveURL(exactPath("/dashboard/notes"));
});

test("the New note form empties after each add (also with JavaScript), and the open note is marked in the list", async ({ page }) => {
  await register(page);
  await visit(page, "/dashboard/notes");
  const title = page.getByLabel("Title", { exact: true });
  const text = page.getByLabel("Text", { exact: true });

  await title.fill("First note");
  await text.fill("One.");
  await page.getByRole("button", { name: "Add note", exact: true }).click();
  await expect(page.getByRole("heading", { level: 2, name: "First note" })).toBeVisible();
  await expect(title).toHaveValue("");
  await expect(text).toHaveValue("");
  await expect(page.getByRole("link", { name: "First note" })).toHaveAttribute("aria-current", "page");

  await title.fill("Second note");
  await page.getByRole("button", { name: "Add note", exact: true }).click();
  await expect(page.getByRole("heading", { level: 2, name: "Second note" })).toBeVisible();
  await expect(title).toHaveValue("");
  await expect(page.getByRole("link", { name: "Second note" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("link", { name: "First note" })).not.toHaveAttribute("aria-current", "page");

  // After a delete, nothing of the deleted note stays in the form.
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Delete note" }).click();
  await expect(flash(page)).toHaveText("Note deleted.");
  await expect(page.getByRole("link", { name: "Second note" })).toHaveCount(0);
  await expect(title).toHaveValue("");
});

test("edit a note: the form starts from its text, Save changes it, Cancel leaves it", async ({ page }) => {
  await register(page);
  await visit(page, "/dashboard/notes");
  await page.getByLabel("Title", { exact: true }).fill("Draft");
  await page.getByLabel("Text", { exact: true }).fill("First words.");
  await page.getByRole("button", { name: "Add note", exact: true }).click();
  await expect(page.getByRole("heading", { level: 2, name: "Draft" })).toBeVisible();
  const noteUrl = page.url();

  await page.getByRole("link", { name: "Edit note" }).click();
  const edit = page.getByRole("form", { name: "Edit note" });
  await expect(edit.getByLabel("Title")).toHaveValue("Draft");
  await expect(edit.getByLabel("Text")).toHaveValue("First words.");
  // The open note stays marked in the list while it is edited.
  await expect(page.getByRole("link", { name: "Draft" })).toHaveAttribute("aria-current", "page");
  await edit.getByLabel("Title").fill("Final");
  await edit.getByLabel("Text").fill("Better words.");
  await edit.getByRole("button", { name: "Save note" }).click();

  await expect(page).toHaveURL(exactPath(new URL(noteUrl).pathname));
  await expect(flash(page)).toHaveText("Note saved.");
  await expect(page.getByRole("heading", { level: 2, name: "Final" })).toBeVisible();
  await expect(page.getByText("Better words.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Final" })).toBeVisible();

  await page.getByRole("link", { name: "Edit note" }).click();
  await page.getByRole("form", { name: "Edit note" }).getByLabel("Title").fill("Not kept");
  await page.getByRole("link", { name: "Cancel" }).click();
  await expect(page.getByRole("heading", { level: 2, name: "Final" })).toBeVisible();
  await expect(page.getByText("Not kept")).toHaveCount(0);
});
