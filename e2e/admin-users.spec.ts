import { expect, test } from "@playwright/test";
import { registerAdmin, insertUsers, userRows } from "./admin-helpers";
import { currentUser, exactPath, flash, jsEnabled, newUser, ready, register, visit } from "./helpers";

function token(): string {
  return `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

test("an admin searches, sorts and pages through the user list", async ({ page }) => {
  const tag = token();
  insertUsers(
    Array.from({ length: 30 }, (_, i) => ({
      name: `Person ${String(i + 1).padStart(2, "0")} ${tag}`,
      email: `${tag}-${String(30 - i).padStart(2, "0")}@example.com`,
    })),
  );
  await registerAdmin(page);

  await page.getByLabel("Search users").fill(tag);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByText(`30 users match “${tag}”.`)).toBeVisible();
  await expect(userRows(page)).toHaveCount(25);
  await expect(userRows(page).first().getByRole("link")).toHaveText(`Person 01 ${tag}`);
  const nav = page.getByRole("navigation", { name: "Pagination" });
  await expect(nav.getByText("Page 1 of 2")).toBeVisible();

  await nav.getByRole("link", { name: "Next" }).click();
  await expect(nav.getByText("Page 2 of 2")).toBeVisible();
  await expect(page).toHaveURL(/page=2&after=\d+/);
  await expect(userRows(page)).toHaveCount(5);
  await expect(userRows(page).last().getByRole("link")).toHaveText(`Person 30 ${tag}`);
  await expect(nav.getByRole("link", { name: "Next" })).toHaveCount(0);

  await nav.getByRole("link", { name: "Previous" }).click();
  await expect(nav.getByText("Page 1 of 2")).toBeVisible();
  await expect(userRows(page)).toHaveCount(25);

  // Sortable column headers are links: they work without JavaScript.
  await page.getByRole("columnheader", { name: "Email" }).getByRole("link").click();
  await expect(page.getByRole("columnheader", { name: "Email" })).toHaveAttribute("aria-sort", "ascending");
  await expect(userRows(page).first()).toContainText(`${tag}-01@example.com`);
  await page.getByRole("columnheader", { name: "Email" }).getByRole("link").click();
  await expect(page.getByRole("columnheader", { name: "Email" })).toHaveAttribute("aria-sort", "descending");
  await expect(userRows(page).first()).toContainText(`${tag}-30@example.com`);
  await expect(page.getByLabel("Search users")).toHaveValue(tag);

  // Each row links to its user; with JavaScript the list's plain links navigate in the page (no new document).
  if (jsEnabled()) await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
  await userRows(page).first().getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1, name: `Person 01 ${tag}` })).toBeVisible();
  if (jsEnabled()) expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

  await visit(page, `/admin/users?q=${tag}-nobody`);
  await expect(page.getByText(`No users match “${tag}-nobody”.`)).toBeVisible();
  await expect(page.getByRole("table")).toHaveCount(0);
});

test("an admin creates a user, refuses a duplicate email, edits the user and ends their sessions", async ({ page }) => {
  await registerAdmin(page);
  const person = newUser(`Grace ${token()}`);

  await page.getByRole("link", { name: "New user" }).click();
  await ready(page);
  await page.getByLabel("Name", { exact: true }).fill(person.name);
  await page.getByLabel("Email", { exact: true }).fill(person.email);
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByLabel("Role").selectOption("user");
  await page.getByRole("button", { name: "Create user" }).click();

  await expect(page).toHaveURL(/\/admin\/users\/\d+$/);
  await expect(flash(page)).toHaveText(`Created ${person.email}.`);
  await expect(page.getByRole("heading", { level: 1, name: person.name })).toBeVisible();
  const userUrl = page.url();

  // The same email again is a field error, not a crash.
  await visit(page, "/admin/users/new");
  await page.getByLabel("Name", { exact: true }).fill("Someone Else");
  await page.getByLabel("Email", { exact: true }).fill(person.email.toUpperCase());
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByText("An account with this email already exists.")).toBeVisible();
  await expect(page.getByLabel("Email", { exact: true })).toHaveAttribute("aria-invalid", "true");

  await page.goto(userUrl);
  await ready(page);
  await page.getByLabel("Name", { exact: true }).fill(`${person.name} Hopper`);
  await page.getByLabel("Role").selectOption("admin");
  await page.getByLabel("Active (can log in)").uncheck();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(flash(page)).toHaveText(`Saved changes to ${person.email}.`);
  await expect(page.getByRole("heading", { level: 1, name: `${person.name} Hopper` })).toBeVisible();
  const facts = page.locator("dl.facts");
  await expect(facts).toContainText("admin");
  await expect(facts).toContainText("Inactive (cannot log in)");
  await expect(page.getByLabel("Active (can log in)")).not.toBeChecked();

  await page.getByRole("button", { name: "End all sessions" }).click();
  await expect(flash(page)).toHaveText("There were no sessions to end.");
});

test("an admin deletes a user after confirming (a dialog with JavaScript, a confirm step without)", async ({ page }) => {
  const tag = token();
  const email = `${tag}@example.com`;
  insertUsers([{ name: `Doomed ${tag}`, email }]);
  await registerAdmin(page);
  await page.getByLabel("Search users").fill(tag);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await userRows(page).getByRole("link", { name: `Doomed ${tag}` }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Doomed ${tag}` })).toBeVisible();
  await ready(page);

  await page.getByRole("link", { name: "Delete user…" }).click();
  let confirmation;
  if (jsEnabled()) {
    confirmation = page.getByRole("dialog", { name: `Delete Doomed ${tag}?` });
    await expect(confirmation).toBeVisible();
    // Cancel closes it and deletes nothing.
    await confirmation.getByRole("button", { name: "Cancel" }).click();
    await expect(confirmation).toBeHidden();
    await page.getByRole("link", { name: "Delete user…" }).click();
  } else {
    await expect(page).toHaveURL(/\?confirm=delete$/);
    confirmation = page.getByRole("region", { name: `Delete Doomed ${tag}?` });
  }
  await expect(confirmation).toBeVisible();
  await expect(confirmation).toContainText("It cannot be undone.");
  await confirmation.getByRole("button", { name: "Yes, delete this user" }).click();

  await expect(page).toHaveURL(exactPath("/admin/users"));
  await expect(flash(page)).toHaveText(`Deleted ${email}.`);
  await visit(page, `/admin/users?q=${tag}`);
  await expect(page.getByText(`No users match “${tag}”.`)).toBeVisible();
});

test("names that look like markup render as text", async ({ page }) => {
  let alerted = false;
  page.on("dialog", async (dialog) => {
    alerted = true;
    await dialog.dismiss();
  });
  const tag = token();
  const name = `<img src=x onerror=alert(1)><script>alert(2)</script> ${tag}`;
  insertUsers([{ name, email: `${tag}@example.com` }]);
  await registerAdmin(page);
  await visit(page, `/admin/users?q=${tag}`);
  await expect(userRows(page).getByRole("link")).toHaveText(name);
  await userRows(page).getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(alerted).toBe(false);
});

test("a signed-in user without the admin role gets the 403 page and no Admin link", async ({ page }) => {
  const user = await register(page, newUser("Mo Member"));
  await expect(page.getByRole("banner").getByRole("link", { name: "Admin" })).toHaveCount(0);
  for (const path of ["/admin/users", "/admin/users/new", "/admin/users/1"]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { level: 1, name: "Forbidden" })).toBeVisible();
    await expect(page.getByText("You do not have permission to see this page.")).toBeVisible();
    await expect(currentUser(page)).toHaveText(user.name);
  }
});
