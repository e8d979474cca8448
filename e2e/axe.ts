import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import { jsEnabled, ready } from "./helpers";

/** WCAG 2.1 A and AA plus axe's best practices: any violation fails. */
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

/**
 * The violations on the page as it is now. Axe runs as a script in the page: in
 * the "no-js" project the page's HTML (the DOM a browser without JavaScript
 * built) is replayed at the same address in a context with JavaScript on for
 * axe, and the app's own scripts blocked.
 */
export async function violations(page: Page): Promise<string[]> {
  let target = page;
  if (!jsEnabled()) {
    const html = await page.content();
    const address = page.url();
    const context = await page.context().browser()!.newContext({ javaScriptEnabled: true });
    target = await context.newPage();
    await target.route("**/build/**/*.js", (route) => route.abort());
    await target.route(
      (requested) => requested.href === address,
      (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }),
      { times: 1 },
    );
    await target.goto(address);
    await expect(target.locator("main h1")).toHaveText(await page.locator("main h1").allTextContents());
  }
  try {
    const results = await new AxeBuilder({ page: target }).withTags(AXE_TAGS).analyze();
    return results.violations.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n` +
        v.nodes.map((n) => `    ${n.target.join(" ")}\n      ${n.failureSummary?.replace(/\n/g, "\n      ")}`).join("\n"),
    );
  } finally {
    if (target !== page) await target.context().close();
  }
}

/** Asserts the current page has no violations; `label` names the page state in the failure message. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  await ready(page);
  expect(await violations(page), `axe violations on ${label} (${page.url()})`).toEqual([]);
}
